package dev.tsproc.cli;

import dev.tsproc.cli.command.Errors;
import dev.tsproc.cli.command.ExitCodes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user reads when batches fail or a deadline expires: one grouped report and a documented exit code. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailureReportTest {
    static final String JOB = FaultJob.class.getName();

    @TempDir
    static Path dir;
    static Path store;

    @BeforeAll
    static void generate() {
        store = dir.resolve("small.tsp");
        assertThat(Cli.run("generate", "--rows", "40000", "--out", store.toString(), "--quiet").exitCode()).isZero();
    }

    @Test
    void collectReportsEveryFailedBatchGroupedAndCapped() {
        String fail = LongStream.range(5, 30).mapToObj(Long::toString).collect(Collectors.joining(","));
        Cli cli = Cli.run("run", store.toString(), "--job", JOB, "--param", "fail=" + fail, "--batch-rows", "1000",
                "--workers", "2", "--on-failure", "collect");
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.out()).as("no result after a failure").isEmpty();
        List<String> lines = cli.err().strip().lines().toList();
        assertThat(lines.getFirst()).isEqualTo("tsproc: job fault failed: 25 batches failed:");
        assertThat(lines).hasSize(1 + Errors.MAX_REPORTED_FAILURES + 1);
        assertThat(lines.get(1)).startsWith("  batch 5 (rows 5000..5999) failed on worker-")
                .endsWith(": IllegalStateException (injected failure in batch 5)");
        assertThat(lines.get(20)).startsWith("  batch 24 ");
        assertThat(lines.getLast()).isEqualTo("  ... and 5 more");
    }

    @Test
    void processesReportTheWorkersErrorAndCancelStopsAtTheFirst() {
        Cli cli = Cli.run("run", store.toString(), "--job", JOB, "--param", "fail=3", "--batch-rows", "1000",
                "--workers", "2", "--executor", "processes");
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.err()).contains("failed: 1 batch failed:")
                .contains("batch 3 (rows 3000..3999) failed on worker-").contains("IllegalStateException (injected failure in batch 3)");
    }

    @Test
    void aMissedDeadlineExitsWithThreeAndSaysHowFarTheJobGot() {
        Cli cli = Cli.run("run", store.toString(), "--job", JOB, "--param", "hang=2", "--batch-rows", "1000",
                "--workers", "2", "--timeout", "500ms");
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(cli.err().strip()).startsWith("tsproc: job fault exceeded its timeout of 500 ms: ")
                .contains("batches finished").contains("batch 2 cancelled");
        assertThat(cli.oneLineError()).isTrue();
    }

    @Test
    void aBatchDeadlineFailsTheBatch() {
        Cli cli = Cli.run("run", store.toString(), "--job", JOB, "--param", "hang=1", "--batch-rows", "1000",
                "--workers", "2", "--batch-timeout", "PT0.3S");
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.err()).contains("batch 1 (rows 1000..1999) failed on worker-")
                .contains("TimeoutException (exceeded the batch deadline of 300 ms and was stopped)");
    }

    @Test
    void badDurationsAndRetriesAreUsageErrors() {
        for (String[] args : List.of(new String[] {"--timeout", "soon"}, new String[] {"--batch-timeout", "0s"},
                new String[] {"--retries", "-1"}, new String[] {"--executor", "fibers"})) {
            String[] full = java.util.stream.Stream.concat(java.util.stream.Stream.of("run", store.toString()),
                    java.util.Arrays.stream(args)).toArray(String[]::new);
            Cli cli = Cli.run(full);
            assertThat(cli.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
            assertThat(cli.oneLineError()).as(cli.err()).isTrue();
        }
    }
}
