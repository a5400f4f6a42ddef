package dev.tsproc.cli;

import dev.tsproc.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13.3: a store replaced at its path while a job runs, then a worker lost, so that its
 * retry opens the path again. The fresh worker finds another file there; the run fails in one
 * sentence with exit 1 rather than combine parts of two stores into an answer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreReplacedTest {
    @TempDir
    Path dir;

    @Test
    void aRetryThatFindsAnotherStoreAtThePathFailsTheRun() throws Exception {
        Path store = dir.resolve("s.tsp");
        Path other = dir.resolve("other.tsp");
        assertThat(Cli.run("generate", "--rows", "400000", "--seed", "1", "--out", store.toString()).exitCode()).isZero();
        assertThat(Cli.run("generate", "--rows", "400000", "--seed", "2", "--out", other.toString()).exitCode()).isZero();
        Path marks = Files.createDirectory(dir.resolve("marks"));
        Process tsproc = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", store.toString(), "--batch-rows", "100000", "--executor", "processes", "--workers", "1",
                "--retries", "2", "--job", FaultJob.class.getName(), "--param", "read=true", "--param", "hang=1",
                "--param", "marks=" + marks)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        List<ProcessHandle> workers = List.of();
        try {
            Await.file(marks.resolve("batch-1")); // batch 0 is read from the first store, batch 1 hangs there
            Files.move(other, store, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            workers = tsproc.toHandle().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).toList();
            assertThat(workers).hasSize(1);
            workers.getFirst().destroyForcibly();

            assertThat(tsproc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(dir.resolve("err.txt"));
            assertThat(tsproc.exitValue()).as(err).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("out.txt"))).as("no answer on stdout").isEmpty();
            assertThat(err).doesNotContain("\tat ").contains("batch 1 (rows 100000..199999) failed on worker-2: "
                    + "StoreChangedException (" + store + " was replaced or changed while the job was reading it");
        } finally {
            tsproc.destroyForcibly();
            tsproc.waitFor(10, TimeUnit.SECONDS);
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
