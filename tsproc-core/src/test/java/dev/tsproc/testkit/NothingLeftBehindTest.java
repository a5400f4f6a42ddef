package dev.tsproc.testkit;

import dev.tsproc.store.SharedSegments;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after every other test class of the suite (see junit-platform.properties) and checks
 * that the suite left nothing of its own behind: no process started by this JVM is alive, and
 * no run directory made since this JVM started is abandoned in shared memory or still held by
 * this JVM. Run directories held by other live processes — other suites, benchmarks — are not
 * ours and are ignored.
 */
@Order(Integer.MAX_VALUE)
public class NothingLeftBehindTest {
    @Test
    public void noProcessOfOursIsAlive() {
        // A process that is ending (killed, told to exit) may take a moment: wait for its exit itself, bounded.
        List<ProcessHandle> ending = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        CompletableFuture.allOf(ending.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
        List<ProcessHandle> alive = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        assertThat(alive).as("processes this suite started and left running: %s",
                alive.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList()).isEmpty();
    }

    @Test
    public void noRunDirectoryOfOursIsLeftInSharedMemory() throws IOException {
        FileTime started = FileTime.fromMillis(ManagementFactory.getRuntimeMXBean().getStartTime());
        long me = ProcessHandle.current().pid();
        List<String> left = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(SharedSegments.root(), SharedSegments.RUN_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.getLastModifiedTime(dir).compareTo(started) < 0) {
                    continue; // older than this suite
                }
                List<Long> holders = holders(dir);
                if (holders.isEmpty() || holders.contains(me)) {
                    left.add(dir + (holders.isEmpty() ? " (abandoned)" : " (still held by this JVM)"));
                }
            }
        }
        assertThat(left).as("run directories this suite left in " + SharedSegments.root()).isEmpty();
    }

    /** Processes with a file open inside {@code dir}, from /proc (empty where there is no /proc). */
    private static List<Long> holders(Path dir) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    if (fds.anyMatch(fd -> pointsInto(fd, dir))) {
                        pids.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to look at
                }
            }
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    private static boolean pointsInto(Path fd, Path dir) {
        try {
            return Files.readSymbolicLink(fd).startsWith(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
