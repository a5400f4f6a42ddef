package dev.tsproc.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A run's private directory in shared memory, holding the stores its workers map by name.
 *
 * <p>On Linux the directory lives in {@code /dev/shm} (a tmpfs: its files are memory that
 * every process can map); elsewhere in the temp directory. Its name carries 128 random bits,
 * it is created owner-only (0700) and its files 0600, whatever the umask. The run holds an
 * exclusive lock on a file inside it for its lifetime; {@link #close()} deletes everything.
 * A run that died without closing (SIGKILL, power loss) leaves its directory unlocked, and
 * {@link #sweepStale()} removes exactly such directories — never one whose lock is held by a
 * live run, and never one owned by another user.
 *
 * <p>Thread safety: {@link #newStorePath()} may be called from any thread.
 */
public final class SharedSegments implements AutoCloseable {
    /** Prefix of every run directory; {@code tsproc clean} looks for it. */
    public static final String RUN_PREFIX = "tsproc-run-";
    private static final String LOCK_FILE = "lock";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /**
     * The run directories this JVM holds, by file key. Sweeping skips them without probing: on
     * Linux, file locks belong to the process, and closing any channel on a locked file (the
     * probe's) releases them all, which would leave a live run open to another process's sweep.
     */
    private static final Map<Object, SharedSegments> HELD = new ConcurrentHashMap<>();

    private final Path directory;
    private final Object directoryKey;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private SharedSegments(Path directory, Object directoryKey, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.directoryKey = directoryKey;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates and locks a new run directory under {@link #root()}. */
    public static SharedSegments create() throws IOException {
        return create(root());
    }

    /** Creates and locks a new run directory under {@code root}. */
    public static SharedSegments create(Path root) throws IOException {
        Path dir = root.resolve(RUN_PREFIX + randomName());
        if (POSIX) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } else {
            Files.createDirectory(dir);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve(LOCK_FILE),
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    ownerOnlyFile());
            FileLock lock = channel.lock();
            Object key = fileKey(dir);
            SharedSegments run = new SharedSegments(dir, key, channel, lock);
            HELD.put(key, run);
            return run;
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            deleteTree(dir);
            throw e;
        }
    }

    /** System property naming another directory for shared memory (tests; systems without /dev/shm). */
    public static final String ROOT_PROPERTY = "tsproc.shm.dir";
    /** Prefix of stores created in shared memory on their own, to outlive the command that made them. */
    public static final String STORE_PREFIX = "tsproc-store-";

    /**
     * Where run directories live: the directory named by the {@value #ROOT_PROPERTY} system
     * property if set, else {@code /dev/shm} when it is a writable directory, else the temp dir.
     */
    public static Path root() {
        String configured = System.getProperty(ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * A fresh, unpredictable path under {@link #root()} for a store that must outlive the
     * process creating it ({@code tsproc generate --shm}); its owner removes it, or
     * {@code tsproc clean --stores}.
     */
    public static Path newStandaloneStorePath() {
        return root().resolve(STORE_PREFIX + randomName() + ".tsp");
    }

    /**
     * Removes the current user's stores made with {@link #newStandaloneStorePath()}, except
     * those a running process has mapped: a job reading it, in its coordinator or a worker.
     *
     * @return the stores removed
     */
    public static List<Path> removeStandaloneStores() throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> stores = Files.newDirectoryStream(root(), STORE_PREFIX + "*.tsp")) {
            for (Path store : stores) {
                if (Files.isRegularFile(store, LinkOption.NOFOLLOW_LINKS) && ownedByMe(store) && !isMapped(store)) {
                    Files.deleteIfExists(store);
                    removed.add(store);
                }
            }
        }
        return removed;
    }

    /**
     * Whether a process maps {@code file}, by the kernel's own list ({@code /proc/PID/maps}):
     * every tsproc process that reads a store maps it for as long as it reads, whatever kills
     * it later, so no lock or record can go stale. Only processes of the current user can be
     * read, which are the only ones that can read the owner-only stores this is asked about.
     * Where there is no {@code /proc}, no file counts as mapped.
     */
    static boolean isMapped(Path file) throws IOException {
        String inode = Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS).toString();
        String name = file.toRealPath().toString();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return false;
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path process : processes) {
                try (Stream<String> maps = Files.lines(process.resolve("maps"))) {
                    // address perms offset device inode path
                    if (maps.map(line -> line.split("\\s+", 6))
                            .anyMatch(f -> f.length == 6 && f[4].equals(inode) && f[5].equals(name))) {
                        return true;
                    }
                } catch (IOException | UncheckedIOException e) {
                    // a process that ended meanwhile, or another user's
                }
            }
        }
        return false;
    }

    /** This run's directory. */
    public Path directory() {
        return directory;
    }

    /** A fresh, unpredictable path for a store in this run; the file does not exist yet. */
    public Path newStorePath() {
        return directory.resolve(randomName() + ".tsp");
    }

    /** Deletes the run directory and everything in it, then releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            deleteTree(directory);
        } finally {
            try {
                lock.release();
            } finally {
                lockChannel.close();
                HELD.remove(directoryKey);
            }
        }
    }

    /**
     * Removes the run directories under {@link #root()} whose runs have died: owned by the
     * current user and not locked by a live process.
     *
     * @return the directories removed
     */
    public static List<Path> sweepStale() throws IOException {
        return sweepStale(root());
    }

    /** As {@link #sweepStale()}, under {@code root}. */
    public static List<Path> sweepStale(Path root) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, RUN_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !ownedByMe(dir)) {
                    continue;
                }
                if (!HELD.containsKey(fileKey(dir)) && isAbandoned(dir)) {
                    deleteTree(dir);
                    removed.add(dir);
                }
            }
        }
        return removed;
    }

    /**
     * Deletes the directory of every run this JVM still holds, for a JVM about to halt whose
     * job has not ended — Ctrl-C reached a job that ignores its interrupt. The job's threads may
     * go on reading until the halt (a deleted file's pages stay mapped until unmapped), but
     * nothing it made outlives the JVM; the locks go with the process.
     *
     * @return the directories deleted
     */
    public static List<Path> removeAllHeld() {
        List<Path> removed = new ArrayList<>();
        for (SharedSegments run : HELD.values()) {
            try {
                deleteTree(run.directory);
                removed.add(run.directory);
            } catch (IOException | UncheckedIOException e) {
                // The run is closing itself at this moment, or the file system refuses: nothing more to do before the halt.
            }
        }
        return removed;
    }

    private static boolean isAbandoned(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        if (!Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            // A run that died between creating its directory and its lock file.
            return true;
        }
        return AtomicFile.isUnlocked(lockFile);
    }

    /** Whether {@code path} belongs to the current user (anything does, off POSIX). */
    static boolean ownedByMe(Path path) throws IOException {
        return !POSIX || Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
    }

    /** Identity of a directory that survives other spellings of its path: device and inode where the OS has them. */
    private static Object fileKey(Path dir) throws IOException {
        Object key = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        return key != null ? key : dir.toAbsolutePath().normalize();
    }

    /** Whether {@code path} lies in a shared-memory file system, where fsync is pointless. */
    static boolean isShared(Path path) {
        return path.toAbsolutePath().startsWith("/dev/shm");
    }

    /** 128 random bits as 32 hex digits. */
    static String randomName() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Creation attribute for owner-only (0600) files, or none off POSIX. */
    static FileAttribute<?>[] ownerOnlyFile() {
        if (!POSIX) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rw)};
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
