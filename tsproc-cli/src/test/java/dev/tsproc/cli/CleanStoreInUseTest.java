package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;
import dev.tsproc.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13.2: {@code clean --stores} leaves a store that a running job reads, and removes it
 * once the job is gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CleanStoreInUseTest {
    @TempDir
    Path dir;

    @Test
    void cleanSkipsAStoreARunningJobReads() throws Exception {
        // A shared-memory root of this test's own, so no other process's stores are touched.
        Path shm = Files.createTempDirectory(SharedSegments.root(), "clean-test-");
        System.setProperty(SharedSegments.ROOT_PROPERTY, shm.toString());
        Process tsproc = null;
        try {
            Path store = Path.of(Cli.run("generate", "--rows", "400000", "--shm").out().strip());
            Path marks = Files.createDirectory(dir.resolve("marks"));
            tsproc = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-D" + SharedSegments.ROOT_PROPERTY + "=" + shm,
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "run", store.toString(), "--batch-rows", "100000", "--executor", "processes", "--workers", "1",
                    "--job", FaultJob.class.getName(), "--param", "hang=1", "--param", "marks=" + marks)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
            Await.file(marks.resolve("batch-1")); // the job is reading the store

            Cli inUse = Cli.run("clean", "--stores");
            assertThat(inUse.exitCode()).isZero();
            assertThat(inUse.out()).doesNotContain(store.toString());
            assertThat(store).exists();

            tsproc.destroy();
            assertThat(tsproc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Cli after = Cli.run("clean", "--stores");
            assertThat(after.out()).contains("removed " + store);
            assertThat(store).doesNotExist();
        } finally {
            if (tsproc != null) {
                tsproc.destroyForcibly();
                tsproc.waitFor(10, TimeUnit.SECONDS);
            }
            System.clearProperty(SharedSegments.ROOT_PROPERTY);
            try (Stream<Path> left = Files.walk(shm)) {
                left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
