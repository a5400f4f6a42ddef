package dev.tsproc.spark;

import dev.tsproc.cli.Main;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tsproc run --executor spark}, in-process with Spark on the class path: the CLI finds
 * {@link SparkExecutor} and prints what the threads executor prints.
 */
@ExtendWith(SharedSpark.class)
@Order(1)
class RunCommandOnSparkTest {
    private record Cli(int exitCode, String out, String err) {
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
                "--format", "csv", "--quiet"};

        Cli spark = Cli.run(concat(new String[] {"run", walk, "--executor", "spark", "--master", "local[2]"}, query));
        Cli threads = Cli.run(concat(new String[] {"run", walk}, query));

        assertThat(spark.exitCode()).as(spark.err()).isZero();
        assertThat(spark.out()).isEqualTo(threads.out()).startsWith("series,bucket,count,sum,mean,stddev,p99~\n"); // groups of ~2,800 values: sketched
        assertThat(spark.err()).containsPattern("query over 300,000 rows in \\d+\\.\\d{3} s: \\d+ groups, 12 batches on 1 Spark executor");
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
