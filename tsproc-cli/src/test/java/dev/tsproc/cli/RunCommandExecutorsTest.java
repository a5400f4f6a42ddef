package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.exec.TestJobs;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.testkit.JobJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tsproc run} with --executor, --transfer, --jar and --param. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunCommandExecutorsTest {
    @TempDir
    static Path dir;
    static Path store;

    @BeforeAll
    static void makeStore() throws Exception {
        store = dir.resolve("talk.tsp");
        Generator.generate(GeneratorSpec.talk(300_000), store, 2);
    }

    @Test
    void everyExecutorAndTransferPrintsTheSameAnswer() {
        List<String> outputs = new ArrayList<>();
        for (String executor : List.of("threads", "processes")) {
            for (String transfer : List.of("shared", "copy")) {
                Cli run = Cli.run("run", store.toString(), "--executor", executor, "--transfer", transfer,
                        "--workers", "2", "--batch-rows", "40000", "--format", "json");
                assertThat(run.exitCode()).as(run.err()).isZero();
                assertThat(run.err()).contains(transfer + " transfer").contains(executor.equals("threads") ? "worker threads" : "worker JVMs");
                if (executor.equals("processes")) {
                    assertThat(run.err()).containsPattern("worker JVMs started in \\d+\\.\\d{3} s");
                }
                outputs.add(run.out());
            }
        }
        assertThat(outputs).containsOnly(outputs.getFirst());
        assertThat(outputs.getFirst()).startsWith("[{\"count\":");
    }

    @Test
    void runsAJobFromAJarWithItsParameters() throws Exception {
        Path jar = JobJars.compile(dir.resolve("build"), "example.AboveJob", JobJars.ABOVE_JOB, dir.resolve("my-jobs.jar"));
        List<String> outputs = new ArrayList<>();
        for (String executor : List.of("threads", "processes")) {
            Cli run = Cli.run("run", store.toString(), "--job", "example.AboveJob", "--jar", jar.toString(),
                    "--param", "threshold=0.5", "--executor", executor, "--workers", "2", "--format", "csv");
            assertThat(run.exitCode()).as(run.err()).isZero();
            outputs.add(run.out());
        }
        assertThat(outputs).containsOnly(outputs.getFirst());
        assertThat(outputs.getFirst()).startsWith("job,result\nabove,").matches("(?s)job,result\\nabove,\\d+\\n");
    }

    @Test
    void aJobOnTheClassPathNeedsNoJar() {
        Cli run = Cli.run("run", store.toString(), "--job", TestJobs.Above.class.getName(), "--param", "threshold=0.5",
                "--executor", "processes", "--workers", "1", "--format", "table");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).matches("above  \\d+\\n");
    }

    @Test
    void wrongChoicesAreUsageErrors() {
        assertUsage(Cli.run("run", store.toString(), "--executor", "fibers"), "unknown --executor 'fibers'; choose threads, processes or spark");
        assertUsage(Cli.run("run", store.toString(), "--transfer", "pickle"), "unknown --transfer 'pickle'; choose shared or copy");
        assertUsage(Cli.run("run", store.toString(), "--job", "no.such.Job"), "job class no.such.Job was not found in the class path");
        assertUsage(Cli.run("run", store.toString(), "--job", "median"), "unknown job 'median': not built in, nor a class in the class path;"
                + " the built-in jobs are stats, count, missing, sum, mean, min, max, stddev; the median is the query aggregate p50: --agg p50");
        assertUsage(Cli.run("run", store.toString(), "--job", "avg"), "the built-in jobs are stats, count, missing, sum, mean, min, max,"
                + " stddev (the average is --job mean)");
        assertUsage(Cli.run("run", store.toString(), "--job", "p99"), "stddev; p99 is a query aggregate: --agg p99");
        assertUsage(Cli.run("run", store.toString(), "--job", "sum", "--jar", "x.jar"), "--jar is for your own job classes");
        assertUsage(Cli.run("run", store.toString(), "--job", TestJobs.Above.class.getName()),
                "rejected its parameters {}: takes exactly one parameter, threshold");
        assertUsage(Cli.run("run", store.toString(), "--job", "sum", "--param", "a=b"), "the built-in job sum takes no parameters");
    }

    /** Here the CLI runs alone, as bin/tsproc starts it without --executor spark; runs on Spark are tested in tsproc-spark. */
    @Test
    void sparkWithoutSparkOnTheClassPathIsOneSentenceSayingHowToGetIt() {
        Cli run = Cli.run("run", store.toString(), "--executor", "spark", "--master", "local[2]");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.oneLineError()).as(run.err()).isTrue();
        assertThat(run.err()).contains("--executor spark needs tsproc-spark and Apache Spark on the class path;"
                + " run it through bin/tsproc, which adds them");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void optionsOfThreadsAndWorkerJvmsOnSparkAndAMasterWithoutSparkAreUsageErrors() {
        assertUsage(Cli.run("run", store.toString(), "--executor", "spark", "--workers", "2"),
                "--workers does not apply to --executor spark");
        assertUsage(Cli.run("run", store.toString(), "--executor", "spark", "--transfer", "copy"),
                "--transfer does not apply to --executor spark");
        assertUsage(Cli.run("run", store.toString(), "--master", "local[2]"), "--master applies only to --executor spark");
        assertUsage(Cli.run("run", "--executor", "spark"), "--executor spark needs a store FILE");
        Cli missing = Cli.run("run", dir.resolve("no.tsp").toString(), "--executor", "spark");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.err()).contains("no.tsp does not exist");
    }

    private static void assertUsage(Cli run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains(message).doesNotContain("Exception");
    }

    @Test
    void aFailingBatchInAWorkerIsOneReadableError() {
        Cli run = Cli.run("run", store.toString(), "--job", TestJobs.Noisy.class.getName(), "--param", "failAt=2",
                "--executor", "processes", "--workers", "2", "--batch-rows", "50000");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("batch 2 (rows 100000..149999) failed on worker-")
                .contains("ArithmeticException (batch 2 is unlucky)").doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }
}
