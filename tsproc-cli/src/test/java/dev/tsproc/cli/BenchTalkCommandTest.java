package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tsproc.cli.command.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tsproc bench talk}, on a workload small enough for a test. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchTalkCommandTest {
    @Test
    void printsEveryCombinationWithReceiveComputeMemoryAndRatios() {
        Cli bench = Cli.run("bench", "talk", "--rows", "300000", "--workers", "1,2", "--repeat", "1", "--batch-rows", "50000",
                "--memory-batch-rows", "10000,100000");
        assertThat(bench.exitCode()).as(bench.err()).isZero();
        assertThat(bench.err()).contains("bench talk: warm-up round 1, threads").doesNotContain("no warm-up");
        assertThat(bench.out()).contains("The talk's experiment: 300,000 rows, job sum")
                .contains("median of 1 run(s) after 1 warm-up round(s)")
                .contains("receive s per worker").contains("compute s per worker")
                .contains("worker peak RSS MiB").contains("worker private MiB")
                .contains("copy/shared, threads").contains("copy/shared, processes")
                .contains("processes/threads, shared").contains("processes/threads, copy")
                .contains("a worker JVM's memory by batch size").containsPattern("100,000 +2 +copy +\\d+ +\\d+")
                .containsPattern("starting 2 worker JVM\\(s\\): \\d+\\.\\d{3} s for the pool; each \\d+\\.\\d{3} \\d+\\.\\d{3} s");
        assertThat(bench.out().lines().filter(l -> l.matches("(threads|processes) +(shared|copy) +[12] .*"))).hasSize(8);
    }

    @Test
    void jsonHasEveryRunWithItsWorkersAndAColdRunIsCalledSo() throws Exception {
        Cli bench = Cli.run("bench", "talk", "--rows", "200000", "--workers", "2", "--repeat", "1", "--warmup", "0",
                "--batch-rows", "50000", "--memory-batch-rows", "0", "--format", "json");
        assertThat(bench.exitCode()).as(bench.err()).isZero();
        assertThat(bench.err()).contains("bench talk: no warm-up round: each combination's first run includes compiling the job")
                .doesNotContain("warm-up round 1");
        assertThat(bench.out()).containsPattern("\"warmup\" : 0\\b");
        List<String> fields = new ArrayList<>();
        try (JsonParser json = new JsonFactory().createParser(bench.out())) {
            for (JsonToken t; (t = json.nextToken()) != null; ) {
                if (t == JsonToken.FIELD_NAME) {
                    fields.add(json.currentName());
                }
            }
        }
        assertThat(fields.stream().filter("executor"::equals)).hasSize(4);
        assertThat(fields.stream().filter("receiveSeconds"::equals)).hasSize(8);
        assertThat(fields).contains("ratios", "startup", "poolSeconds", "workerSeconds", "peakPrivateBytes",
                "coordinatorPeakRssBytes", "generateSeconds");
    }

    @Test
    void benchWithoutAnExperimentIsAUsageError() {
        Cli bench = Cli.run("bench");
        assertThat(bench.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bench.err()).contains("talk");
    }
}
