package dev.tsproc.spark;

import dev.tsproc.cli.Main;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import dev.tsproc.testkit.Chromium;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tsproc run --executor spark}, in-process with Spark on the class path: the CLI finds
 * {@link SparkExecutor} and prints what the threads executor prints.
 */
@ExtendWith(SharedSpark.class)
@Order(1)
class RunCommandOnSparkTest {
    /** A command line run in this JVM: its exit code, standard output and standard error. */
    record Cli(int exitCode, String out, String err) {
        static Cli run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
            return new Cli(code, out.toString(), err.toString());
        }
    }

    @Test
    void aGroupedQueryOnSparkPrintsTheThreadsAnswer() throws Exception {
        SharedSpark.get().local(); // the session the CLI's run uses, as it would under spark-submit
        String walk = SharedSpark.get().walk().toString();
        String[] query = {"--agg", "count,sum,mean,stddev,p99", "--by", "series", "--every", "1m", "--batch-rows", "25000",
                "--format", "csv"};

        Cli spark = Cli.run(concat(new String[] {"run", walk, "--executor", "spark", "--master", "local[2]"}, query));
        Cli threads = Cli.run(concat(new String[] {"run", walk}, query));

        assertThat(spark.exitCode()).as(spark.err()).isZero();
        assertThat(spark.out()).isEqualTo(threads.out()).startsWith("series,bucket,count,sum,mean,stddev,p99~\n"); // groups of ~2,800 values: sketched
        assertThat(spark.err()).containsPattern("query over 300,000 rows in \\d+\\.\\d{3} s: \\d+ groups, 12 batches on 1 Spark executor");
    }

    @Test
    void theLogTimelineAndReportShowEveryBatchOnItsExecutorsTaskSlot(@TempDir Path work) throws Exception {
        SharedSpark.get().local();
        Path timeline = work.resolve("run.json");
        Path report = work.resolve("run.html");
        Cli spark = Cli.run("run", SharedSpark.get().walk().toString(), "--executor", "spark", "--master", "local[2]",
                "--agg", "sum", "--batch-rows", "25000", "--log", "--timeline", timeline.toString(), "--report",
                report.toString());

        assertThat(spark.exitCode()).as(spark.err()).isZero();
        assertThat(spark.err().lines().filter(line -> line.contains("result received"))).hasSize(12);
        Timeline read;
        try (var in = Files.newBufferedReader(timeline)) {
            read = TimelineJson.read(in, timeline.toString());
        }
        assertThat(read.label()).isEqualTo("spark local[2] ×4");
        assertThat(read.batches()).extracting(b -> b.batch().index()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        for (BatchTimes b : read.batches()) {
            assertThat(b.worker()).matches("executor driver@127\\.0\\.0\\.1 slot [12]"); // two task slots in local[2]
            assertThat(b.queued()).isLessThanOrEqualTo(b.received()).isGreaterThanOrEqualTo(0);
            assertThat(b.received()).isLessThanOrEqualTo(b.computeStart());
            assertThat(b.computeStart()).isLessThanOrEqualTo(b.computeEnd());
            assertThat(b.computeEnd()).isLessThanOrEqualTo(b.resultReceived());
            assertThat(b.resultReceived()).isLessThanOrEqualTo(read.wallNanos());
        }
        for (Timeline.WorkerSummary slot : read.summarize()) { // a slot computes one batch at a time
            assertThat(slot.waitingNanos() + slot.computingNanos()).isLessThanOrEqualTo(read.wallNanos());
        }
        Cli compare = Cli.run("report", timeline.toString(), "--out", work.resolve("again.html").toString());
        assertThat(compare.exitCode()).as(compare.err()).isZero();

        Chromium.assumeAvailable();
        String dom = Chromium.dumpDom(report, work.resolve("profile"));
        assertThat(Pattern.compile("class=\"compute\"").matcher(dom).results().count()).isEqualTo(12);
        assertThat(dom).contains("executor driver@127.0.0.1 slot 1");
    }

    @Test
    void aTimeoutOnSparkIsTheTimeoutExitCode(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        SharedSpark.get().local();
        Cli late = Cli.run("run", SharedSpark.get().walk().toString(), "--executor", "spark", "--job", GatedJob.class.getName(),
                "--param", "at=1", "--param", "arrived=" + work.resolve("arrived"), "--param", "gate=" + work.resolve("never"),
                "--batch-rows", "25000", "--timeout", "300ms", "--quiet");

        assertThat(late.exitCode()).as(late.err()).isEqualTo(3);
        assertThat(late.err()).contains("exceeded its timeout of");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
