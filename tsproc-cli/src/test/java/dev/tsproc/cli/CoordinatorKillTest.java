package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;
import dev.tsproc.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end promise: {@code tsproc run --executor processes} killed with SIGKILL
 * leaves no worker JVM, and {@code tsproc clean} then removes the segment it left.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CoordinatorKillTest {
    @TempDir
    Path logs;

    @Test
    void aKilledRunLeavesNoWorkerAndCleanRemovesItsSegment() throws Exception {
        Path marks = Files.createDirectory(logs.resolve("marks"));
        Process tsproc = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "--rows", "2000000", "--batch-rows", "100000", "--executor", "processes", "--workers", "2",
                "--job", FaultJob.class.getName(), "--param", "hang=0,1", "--param", "marks=" + marks)
                .redirectOutput(logs.resolve("out.txt").toFile())
                .redirectError(logs.resolve("err.txt").toFile())
                .start();
        List<ProcessHandle> workers = List.of();
        try {
            Await.file(marks.resolve("batch-0")); // both workers are inside a batch (the @Timeout guards a hang)
            Await.file(marks.resolve("batch-1"));
            workers = tsproc.toHandle().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).toList();
            Optional<Path> runDirectory = runDirectoryOf(tsproc.pid());
            assertThat(workers).as("worker JVMs of tsproc; its stderr: %s", Files.readString(logs.resolve("err.txt"))).hasSize(2);
            assertThat(runDirectory).isPresent();

            tsproc.destroyForcibly(); // SIGKILL
            assertThat(tsproc.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle w : workers) {
                w.onExit().get(5, TimeUnit.SECONDS);
            }
            assertThat(workers).noneMatch(ProcessHandle::isAlive);
            assertThat(runDirectory.get()).exists();

            Cli clean = Cli.run("clean");
            assertThat(clean.exitCode()).isZero();
            assertThat(clean.out()).contains("removed " + runDirectory.get());
            assertThat(runDirectory.get()).doesNotExist();
        } finally {
            tsproc.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The run directory process {@code pid} holds open, read from its file descriptors. */
    private static Optional<Path> runDirectoryOf(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(fd -> {
                        try {
                            return Files.readSymbolicLink(fd);
                        } catch (IOException e) {
                            return null;
                        }
                    })
                    .filter(p -> p != null && p.startsWith(SharedSegments.root())
                            && p.getParent().getFileName().toString().startsWith(SharedSegments.RUN_PREFIX))
                    .map(Path::getParent).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
