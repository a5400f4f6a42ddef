package dev.tsproc.cli;

import dev.tsproc.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13.12: a worker lost mid-batch and the batch run again on a fresh one leaves one line on
 * stderr without {@code --log}; the answer is the undisturbed one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetryNoticeTest {
    @TempDir
    Path dir;

    @Test
    void aRetriedBatchSaysSoInOneLine() throws Exception {
        Path gate = dir.resolve("gate");
        Process tsproc = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "--rows", "300000", "--batch-rows", "100000", "--executor", "processes", "--workers", "1",
                "--retries", "1", "--quiet", "--job", GateJob.class.getName(), "--param", "batch=1", "--param", "gate=" + gate)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        List<ProcessHandle> workers = List.of();
        try {
            Await.file(dir.resolve("gate.reached"));
            workers = tsproc.toHandle().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).toList();
            assertThat(workers).hasSize(1);
            workers.getFirst().destroyForcibly();
            workers.getFirst().onExit().get(30, TimeUnit.SECONDS);
            Files.createFile(gate);

            assertThat(tsproc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(dir.resolve("err.txt"));
            assertThat(tsproc.exitValue()).as(err).isZero();
            assertThat(Files.readString(dir.resolve("out.txt"))).contains("300000");
            assertThat(err.lines().filter(l -> l.contains("runs again on a fresh worker")).toList()).as(err)
                    .singleElement().asString()
                    .startsWith("tsproc: batch 1 (rows 100000..199999) runs again on a fresh worker: worker-1 was lost");
        } finally {
            tsproc.destroyForcibly();
            tsproc.waitFor(10, TimeUnit.SECONDS);
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
