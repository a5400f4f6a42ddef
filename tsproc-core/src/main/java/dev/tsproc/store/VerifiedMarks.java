package dev.tsproc.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Marks of version-1 stores verified whole, so that such a store given to a run is read in full
 * once, not on every run, and a damaged store can still never answer: a run verifies a
 * version-1 store ({@link Store#verify()}: every checksum, the time order, the series ids) the
 * first time it sees it and again after any change to it. Version-2 stores need no mark: their
 * blocks are checked as they are read ({@link Store#checksBlocksAsRead()}).
 *
 * <p>A mark is an empty file in a directory of the user's, named by the store's
 * {@linkplain Store#identity() identity} and its modification and change times. Every write
 * to a file through the file system sets its change time (ctime), which no user can set back,
 * so a store written after it was marked no longer matches its mark and is verified again.
 * Damage that bypasses the file system — a failing disk, a flipped bit in memory — changes no
 * time and is not caught by a mark; {@code tsproc run --verify} and {@code tsproc info} read
 * everything every time. The directory keeps the {@value #MAX_MARKS} newest marks.
 */
public final class VerifiedMarks {
    /** Marks kept; the oldest go first. */
    static final int MAX_MARKS = 256;

    private final Path directory;

    public VerifiedMarks(Path directory) {
        this.directory = directory;
    }

    /** The user's marks: {@code $XDG_CACHE_HOME/tsproc/verified}, else {@code ~/.cache/tsproc/verified}. */
    public static VerifiedMarks ofUser() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return new VerifiedMarks(base.resolve("tsproc").resolve("verified"));
    }

    /**
     * Verifies {@code store} unless it is marked as verified as it is now, and marks it once
     * verified. A mark that cannot be written (a read-only home) costs the next run another
     * verification, never an answer.
     *
     * @return whether the store was read to verify it
     * @throws CorruptStoreException naming the first damage found
     */
    public boolean verifyOnce(Store store) throws IOException {
        String key = key(store);
        if (key != null && Files.exists(directory.resolve(key), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        store.verify();
        if (key != null) {
            try {
                mark(key);
            } catch (IOException e) {
                // no mark: the next run verifies again
            }
        }
        return true;
    }

    /**
     * The mark's name for the file at the store's path as it is now; null if the path no
     * longer names the file the store was opened from (that file cannot be marked by path).
     */
    private static String key(Store store) throws IOException {
        Map<String, Object> now = Files.readAttributes(store.path(), "unix:dev,ino,size,lastModifiedTime,ctime");
        Store.Identity id = store.identity();
        if ((Long) now.get("dev") != id.device() || (Long) now.get("ino") != id.inode() || (Long) now.get("size") != id.fileSize()) {
            return null;
        }
        return Long.toHexString(id.device()) + "-" + Long.toHexString(id.inode()) + "-" + Long.toHexString(id.fileSize())
                + "-" + Integer.toHexString(id.headerCrc()) + "-" + nanos((FileTime) now.get("lastModifiedTime"))
                + "-" + nanos((FileTime) now.get("ctime"));
    }

    private static String nanos(FileTime time) {
        return Long.toHexString(time.to(TimeUnit.NANOSECONDS));
    }

    private void mark(String key) throws IOException {
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            // Empty, so creating it exclusively is all there is to writing it.
            Files.createFile(directory.resolve(key), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return;
        }
        List<Path> marks = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(directory)) {
            all.forEach(marks::add);
        }
        if (marks.size() > MAX_MARKS) {
            marks.sort(Comparator.comparing(VerifiedMarks::modified));
            for (Path old : marks.subList(0, marks.size() - MAX_MARKS)) {
                Files.deleteIfExists(old);
            }
        }
    }

    private static FileTime modified(Path mark) {
        try {
            return Files.getLastModifiedTime(mark, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
