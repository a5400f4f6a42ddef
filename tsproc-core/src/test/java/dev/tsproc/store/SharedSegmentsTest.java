package dev.tsproc.store;

import dev.tsproc.store.StoreFiles.Contents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedSegmentsTest {
    private static final Path SHM = Path.of("/dev/shm");
    /** Run directories these tests created in /dev/shm; none may outlive the class. */
    private static final Set<Path> CREATED_IN_SHM = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void needsDevShm() {
        assumeTrue(Files.isDirectory(SHM) && Files.isWritable(SHM), "/dev/shm is a writable directory");
    }

    @AfterAll
    static void nothingOfOursRemainsInDevShm() throws IOException {
        List<Path> left = CREATED_IN_SHM.stream().filter(Files::exists).toList();
        for (Path dir : left) {
            deleteTree(dir); // clean up first, then report: a failure must not leak
        }
        assertThat(left).as("run directories these tests left in /dev/shm").isEmpty();
    }

    private static SharedSegments createInShm() throws IOException {
        SharedSegments run = SharedSegments.create();
        CREATED_IN_SHM.add(run.directory());
        return run;
    }

    // ---- creation and close ---------------------------------------------------------------

    @Test
    void createsOwnerOnlyRunDirectoryInDevShm() throws IOException {
        assertThat(SharedSegments.root()).isEqualTo(SHM);
        try (SharedSegments run = createInShm()) {
            Path dir = run.directory();
            assertThat(dir.getParent()).isEqualTo(SHM);
            assertThat(dir.getFileName().toString()).matches("tsproc-run-[0-9a-f]{32}");
            assertThat(permissions(dir)).isEqualTo("rwx------");
            assertThat(permissions(dir.resolve("lock"))).isEqualTo("rw-------");

            Path store = run.newStorePath();
            assertThat(store).doesNotExist();
            assertThat(store.getParent()).isEqualTo(dir);
            assertThat(store.getFileName().toString()).matches("[0-9a-f]{32}\\.tsp");
            assertThat(run.newStorePath()).isNotEqualTo(store);
            StoreFiles.write(store, Contents.random(new Random(1), 100, 3));
            assertThat(permissions(store)).isEqualTo("rw-------");
        }
    }

    @Test
    void staysOwnerOnlyUnderPermissiveUmask(@TempDir Path root, @TempDir Path logs) throws Exception {
        Path probe = logs.resolve("probe");
        Process child = start(logs, true, "hold", root.toString(), probe.toString());
        try {
            Path dir = Path.of(firstLine(child, logs));
            assertThat(permissions(probe)).as("the umask in the child is 000").isEqualTo("rw-rw-rw-");
            assertThat(permissions(dir)).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.toList()).hasSize(2).allSatisfy(f -> assertThat(permissions(f)).isEqualTo("rw-------"));
            }
            child.getOutputStream().close(); // lets the child close its run normally
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            assertThat(dir).as("removed by the child's close()").doesNotExist();
        } finally {
            kill(child);
        }
    }

    @Test
    void closeRemovesEverything() throws IOException {
        Path dir;
        try (SharedSegments run = createInShm()) {
            dir = run.directory();
            StoreFiles.write(run.newStorePath(), Contents.random(new Random(2), 50, 0));
            Files.writeString(Files.createDirectory(dir.resolve("nested")).resolve("file"), "x");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void closeLeavesSymlinkTargetsAlone(@TempDir Path outside) throws IOException {
        Path canary = Files.writeString(outside.resolve("canary"), "alive");
        Path canaryDir = Files.createDirectory(outside.resolve("canary-dir"));
        Path canaryInDir = Files.writeString(canaryDir.resolve("inside"), "alive");
        Path dir;
        try (SharedSegments run = createInShm()) {
            dir = run.directory();
            Files.createSymbolicLink(dir.resolve("to-file"), canary);
            Files.createSymbolicLink(dir.resolve("to-dir"), canaryDir);
        }
        assertThat(dir).doesNotExist();
        assertThat(canary).hasContent("alive");
        assertThat(canaryInDir).hasContent("alive");
    }

    // ---- sweeping -------------------------------------------------------------------------

    @Test
    void sweepRemovesRunsWhoseLockIsNotHeld(@TempDir Path root) throws IOException {
        Path dead = deadRun(root);
        Files.writeString(dead.resolve("store.tsp"), "data");
        Path diedBeforeItsLock = Files.createDirectory(root.resolve(SharedSegments.RUN_PREFIX + SharedSegments.randomName()));

        assertThat(SharedSegments.sweepStale(root)).containsExactlyInAnyOrder(dead, diedBeforeItsLock);
        assertThat(dead).doesNotExist();
        assertThat(diedBeforeItsLock).doesNotExist();
    }

    @Test
    void sweepLeavesRunHeldByThisJvm(@TempDir Path root, @TempDir Path logs) throws Exception {
        try (SharedSegments run = SharedSegments.create(root)) {
            assertThat(SharedSegments.sweepStale(root)).isEmpty();
            assertThat(run.directory()).exists();
            // Probing must not have dropped the lock: on Linux, closing any channel on a file
            // releases this process's locks on it, and another process would then sweep the run.
            assertThat(sweepInAnotherProcess(root, logs)).isEmpty();
            assertThat(run.directory().resolve("lock")).exists();
        }
    }

    @Test
    void sweepLeavesRunOfAnotherLiveProcessAndRemovesItOnceKilled(@TempDir Path root, @TempDir Path logs) throws Exception {
        Process child = start(logs, false, "hold", root.toString());
        try {
            Path dir = Path.of(firstLine(child, logs));
            assertThat(SharedSegments.sweepStale(root)).isEmpty();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.toList()).as("lock and store").hasSize(2);
            }

            kill(child); // SIGKILL: the child's close() never runs, so only its lock ends with it
            assertThat(dir).exists();
            assertThat(SharedSegments.sweepStale(root)).containsExactly(dir);
            assertThat(dir).doesNotExist();
        } finally {
            kill(child);
        }
    }

    @Test
    void sweepIgnoresWhatIsNotARunDirectory(@TempDir Path root, @TempDir Path outside) throws IOException {
        Path file = Files.writeString(root.resolve(SharedSegments.RUN_PREFIX + "file"), "x");
        Path unprefixed = Files.createDirectory(root.resolve("other-" + SharedSegments.randomName()));
        // A link named like a run, to a directory that looks dead: neither may be touched.
        Path target = deadRun(outside);
        Path link = Files.createSymbolicLink(root.resolve(SharedSegments.RUN_PREFIX + SharedSegments.randomName()), target);

        assertThat(SharedSegments.sweepStale(root)).isEmpty();
        assertThat(file).exists();
        assertThat(unprefixed).exists();
        assertThat(link).isSymbolicLink();
        assertThat(target.resolve("lock")).exists();
    }

    @Test
    void sweepLeavesSymlinkTargetsAlone(@TempDir Path root, @TempDir Path outside) throws IOException {
        Path canary = Files.writeString(outside.resolve("canary"), "alive");
        Path canaryDir = Files.createDirectory(outside.resolve("canary-dir"));
        Path canaryInDir = Files.writeString(canaryDir.resolve("inside"), "alive");
        Path dead = deadRun(root);
        Files.createSymbolicLink(dead.resolve("to-file"), canary);
        Files.createSymbolicLink(dead.resolve("to-dir"), canaryDir);

        assertThat(SharedSegments.sweepStale(root)).containsExactly(dead);
        assertThat(dead).doesNotExist();
        assertThat(canary).hasContent("alive");
        assertThat(canaryInDir).hasContent("alive");
    }

    /** A run directory with an unlocked lock file, as a run killed with SIGKILL leaves it. */
    private static Path deadRun(Path root) throws IOException {
        Path dir = Files.createDirectory(root.resolve(SharedSegments.RUN_PREFIX + SharedSegments.randomName()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createFile(dir.resolve("lock"));
        return dir;
    }

    // ---- child processes ------------------------------------------------------------------

    /** Starts {@link SharedSegmentsChild} in a new JVM, under umask 000 if {@code permissiveUmask}. */
    private static Process start(Path logs, boolean permissiveUmask, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        if (permissiveUmask) {
            command.addAll(List.of("/bin/sh", "-c", "umask 000 && exec \"$0\" \"$@\""));
        }
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SharedSegmentsChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(logs.resolve("child-stderr.txt").toFile())
                .start();
    }

    private static String firstLine(Process child, Path logs) throws Exception {
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return child.inputReader().readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(20, TimeUnit.SECONDS);
        assertThat(line).as("child output; its stderr: %s", Files.readString(logs.resolve("child-stderr.txt"))).isNotNull();
        return line;
    }

    private static List<String> sweepInAnotherProcess(Path root, Path logs) throws Exception {
        Process child = start(logs, false, "sweep", root.toString());
        try {
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(logs.resolve("child-stderr.txt"))).isZero();
            return child.inputReader().lines().toList();
        } finally {
            kill(child);
        }
    }

    private static void kill(Process child) throws InterruptedException {
        child.destroyForcibly();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("child ended").isTrue();
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
