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
 * leaves no worker JVM, and {@code tsproc clean} then removes the segment it left. Both commands
 * use a shared-memory root of the test's own: a {@code clean} of another suite running on the
 * same machine would otherwise remove the killed run's directory first.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CoordinatorKillTest {
    @TempDir
    Path logs;

    @Test
    void aKilledRunLeavesNoWorkerAndCleanRemovesItsSegment() throws Exception {
        Path marks = Files.createDirectory(logs.resolve("marks"));
        Path shm = Files.createTempDirectory(SharedSegments.root(), "kill-test-");
        Process tsproc = tsproc(shm, "run", "--rows", "2000000", "--batch-rows", "100000", "--executor", "processes",
                "--workers", "2", "--job", FaultJob.class.getName(), "--param", "hang=0,1", "--param", "marks=" + marks)
                .redirectOutput(logs.resolve("out.txt").toFile())
                .redirectError(logs.resolve("err.txt").toFile())
                .start();
        List<ProcessHandle> workers = List.of();
        try {
            Await.file(marks.resolve("batch-0")); // both workers are inside a batch (the @Timeout guards a hang)
            Await.file(marks.resolve("batch-1"));
            workers = tsproc.toHandle().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).toList();
            Optional<Path> runDirectory = runDirectoryOf(tsproc.pid(), shm);
            assertThat(workers).as("worker JVMs of tsproc; its stderr: %s", Files.readString(logs.resolve("err.txt"))).hasSize(2);
            assertThat(runDirectory).isPresent();

            tsproc.destroyForcibly(); // SIGKILL
            assertThat(tsproc.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle w : workers) {
                w.onExit().get(5, TimeUnit.SECONDS);
            }
            assertThat(workers).noneMatch(ProcessHandle::isAlive);
            assertThat(runDirectory.get()).exists();

            Process clean = tsproc(shm, "clean").redirectError(logs.resolve("clean-err.txt").toFile()).start();
            String cleaned = new String(clean.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(clean.waitFor()).as(Files.readString(logs.resolve("clean-err.txt"))).isZero();
            assertThat(cleaned).contains("removed " + runDirectory.get());
            assertThat(runDirectory.get()).doesNotExist();
        } finally {
            tsproc.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
            Files.deleteIfExists(shm);
        }
    }

    /** The CLI in a JVM of its own, with {@code shm} as its shared-memory root. */
    private static ProcessBuilder tsproc(Path shm, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-D" + SharedSegments.ROOT_PROPERTY + "=" + shm,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** The run directory under {@code shm} that process {@code pid} holds open, read from its file descriptors. */
    private static Optional<Path> runDirectoryOf(long pid, Path shm) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(fd -> {
                        try {
                            return Files.readSymbolicLink(fd);
                        } catch (IOException e) {
                            return null;
                        }
                    })
                    .filter(p -> p != null && p.startsWith(shm)
                            && p.getParent().getFileName().toString().startsWith(SharedSegments.RUN_PREFIX))
                    .map(Path::getParent).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
