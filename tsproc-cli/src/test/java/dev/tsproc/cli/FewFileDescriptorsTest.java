package dev.tsproc.cli;

import dev.tsproc.Tsproc;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY row 18: nothing is opened or mapped per batch. Twenty thousand batches on worker
 * JVMs, under {@code ulimit -n 128} for the coordinator and its workers, run to the right count:
 * a file descriptor leaked per batch would fail within the first hundred.
 */
class FewFileDescriptorsTest {
    @TempDir
    Path dir;

    @Test
    void twentyThousandBatchesRunUnderAHundredAndTwentyEightFileDescriptors() throws Exception {
        Path store = dir.resolve("s.tsp");
        Generator.generate(GeneratorSpec.talk(1_000_000), store, 2);
        List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -n 128 && exec \"$@\"", "sh",
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", store.toString(), "--job", "count", "--batch-rows", "50",
                "--executor", "processes", "--workers", "2", "--format", "csv"));
        Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes());
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out).contains("20,000 batches on 2 worker JVMs");
        List<String> lines = out.lines().toList();
        long count = Long.parseLong(lines.get(lines.indexOf("count") + 1));
        try (Tsproc ts = Tsproc.open(store)) {
            assertThat(count).isEqualTo((long) ts.run(BuiltinJob.named("count")).get(Aggregate.COUNT));
        }
    }
}
