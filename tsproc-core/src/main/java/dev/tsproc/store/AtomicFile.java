package dev.tsproc.store;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A new file written aside and published whole: the one way tsproc writes a file (stores, CSV
 * exports, reports, timelines, the list of bad lines).
 *
 * <p>The content goes to a hidden temporary file beside the target, {@code .NAME.partial-<128
 * random bits>}, created with {@code CREATE_NEW} and {@code NOFOLLOW_LINKS} and owner-only
 * (0600) whatever the umask: another user can neither guess its name nor plant a link there,
 * and nobody else can read data on its way. {@link #commit()} makes it durable and publishes
 * it under the target's name with a hard link, which fails rather than replaces if the name
 * exists in any form — a file, a directory, a symbolic link planted by someone else — and then
 * removes the temporary name; where the file system has no hard links it falls back to an
 * atomic rename after a check. So a target is never overwritten and never followed: an
 * existing target is refused up front ({@link #requireAbsent}) and again at the commit, and
 * the user removes it or chooses another path. {@link #close()} without a commit deletes the
 * temporary file, so a failed or interrupted write leaves nothing behind.
 *
 * <p>Where the user asked for an overwrite ({@code --force}), or a file is rewritten whole,
 * {@link #replace} writes the same way and its commit renames the file over the target in one
 * step: a reader sees the old file or the new one, never a mix, and a link at the target is
 * replaced itself, never followed.
 *
 * <p>A writer killed with SIGKILL runs no {@code close()}. So the writer holds an exclusive
 * lock on its temporary file from creation until the file is published or deleted, and
 * {@link #sweepAbandoned} (what {@code tsproc clean} runs) deletes exactly the temporary files
 * whose lock nobody holds: those of writers that died, never one a live writer is filling.
 *
 * <p>Thread safety: one thread writes and commits; {@link #channel()} may be used for
 * positional writes from several threads before the commit.
 */
public final class AtomicFile implements AutoCloseable {
    private static final String PARTIAL = ".partial-";
    /** A temporary file's name: {@code .NAME.partial-} and 32 hex digits. */
    private static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.partial-[0-9a-f]{32}");
    /**
     * Real paths of the temporary files this JVM is writing. Sweeping skips them without
     * probing: on Linux, file locks belong to the process, and closing any channel on a locked
     * file (the probe's) releases them all, which would expose a live file to another sweep.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final boolean replacing;
    private OutputStream out;
    private BufferedWriter writer;
    private boolean committed;

    private AtomicFile(Path target, Path temp, FileChannel channel, boolean replacing) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.replacing = replacing;
    }

    /** The name of the temporary file for {@code target}, in the real path of its directory. */
    private static Path tempFor(Path dir, Path target) throws IOException {
        return dir.toRealPath().resolve("." + target.getFileName() + PARTIAL + SharedSegments.randomName());
    }

    /**
     * Starts writing the new file {@code target}.
     *
     * @throws FileAlreadyExistsException if {@code target} exists, even as a dangling link
     * @throws IOException                if its directory does not exist
     */
    public static AtomicFile create(Path target) throws IOException {
        requireAbsent(target);
        return open(target, false);
    }

    /**
     * Starts writing a file that replaces {@code target} when committed, if there is one then.
     *
     * @throws FileSystemException if {@code target} is a directory, or another process is
     *                             writing it
     * @throws IOException         if its directory does not exist
     */
    public static AtomicFile replace(Path target) throws IOException {
        requireReplaceable(target);
        return open(target, true);
    }

    /**
     * Fails unless {@link #replace} may write {@code target}: a command that replaces its output
     * checks it before it starts work whose result it could not publish.
     *
     * @throws FileSystemException if {@code target} is a directory, or another process is writing it
     */
    public static void requireReplaceable(Path target) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileSystemException(target.toString(), null, "is a directory");
        }
        requireNoOtherWriter(target);
    }

    private static AtomicFile open(Path target, boolean replacing) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + absolute + ": directory " + dir + " does not exist");
        }
        Path temp = tempFor(dir, absolute);
        HELD.add(temp); // before the file exists, so that no sweep of this JVM ever probes it
        FileChannel channel = null;
        try {
            channel = FileChannel.open(temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ,
                            LinkOption.NOFOLLOW_LINKS),
                    SharedSegments.ownerOnlyFile());
            // A new file nobody else can know, so the lock is free; tryLock, unlike lock, does not
            // fail for a pending interrupt. The lock goes when the channel closes.
            if (channel.tryLock() == null) {
                throw new IOException("cannot lock " + temp + ", a file just created");
            }
            return new AtomicFile(absolute, temp, channel, replacing);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
                Files.deleteIfExists(temp);
            }
            HELD.remove(temp);
            throw e;
        }
    }

    /**
     * Fails unless nothing is at {@code target}, not even a link, and no other process of this
     * user is writing it (its temporary file is locked): a command checks its outputs before it
     * starts work whose result it could not publish. Two writers that pass this check at the
     * same moment still cannot both publish (see {@link #commit}).
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     * @throws FileSystemException        if another process is writing {@code target}
     */
    public static void requireAbsent(Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "already exists");
        }
        requireNoOtherWriter(target);
    }

    /** Fails if another process of this user is writing {@code target} (its temporary file is locked). */
    private static void requireNoOtherWriter(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null && Files.isDirectory(dir)) {
            String prefix = "." + target.getFileName() + PARTIAL;
            for (Path partial : temporaryFiles(dir, name -> name.startsWith(prefix))) {
                if (!isUnlocked(partial)) {
                    throw new FileSystemException(target.toString(), null, "another tsproc command is writing it now ("
                            + partial.getFileName() + "); wait until it has finished, or choose another path");
                }
            }
        }
    }

    /**
     * The temporary files in {@code dir} whose names pass {@code filter}: of the current user,
     * named as {@link #create} names them, not links, and not written by this JVM — whose files
     * must never be probed (see {@link #HELD}).
     */
    private static List<Path> temporaryFiles(Path dir, Predicate<String> filter) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.toRealPath(),
                file -> filter.test(file.getFileName().toString()))) {
            for (Path file : files) {
                if (TEMP_NAME.matcher(file.getFileName().toString()).matches() && !HELD.contains(file)
                        && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && SharedSegments.ownedByMe(file)) {
                    found.add(file);
                }
            }
        }
        return found;
    }

    /** Writes {@code text} as UTF-8 to the new file {@code target} and publishes it. */
    public static void writeString(Path target, CharSequence text) throws IOException {
        try (AtomicFile file = create(target)) {
            file.writer().append(text);
            file.commit();
        }
    }

    /** The temporary file's channel, for positional writes; closed by {@link #commit} or {@link #close}. */
    public FileChannel channel() {
        return channel;
    }

    /**
     * A buffered stream onto the temporary file. Closing it only flushes: the file is closed
     * by {@link #commit} or {@link #close}.
     */
    public OutputStream outputStream() {
        if (out == null) {
            out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        return out;
    }

    /**
     * A UTF-8 writer over {@link #outputStream()}. As for the stream, closing it only flushes,
     * and {@link #commit} flushes it.
     */
    public BufferedWriter writer() {
        if (writer == null) {
            writer = new BufferedWriter(new OutputStreamWriter(outputStream(), StandardCharsets.UTF_8)) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        return writer;
    }

    /** Where the file is published. */
    public Path target() {
        return target;
    }

    /**
     * Flushes, forces the content to the device (not for shared memory, which has none) and
     * publishes the file under the target's name; a file started with {@link #replace} is
     * renamed over whatever is there.
     *
     * @throws FileAlreadyExistsException if something appeared at the target meanwhile (not for
     *                                    {@link #replace}); the
     *                                    temporary file is then deleted by {@link #close}
     */
    public void commit() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (out != null) {
            out.flush();
        }
        if (!SharedSegments.isShared(temp)) {
            channel.force(true);
        }
        if (replacing) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
            close();
            return;
        }
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(target.toString(), null, "already exists");
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            requireAbsent(target);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
        }
        committed = true;
        close();
    }

    /**
     * Deletes the temporary file unless the file was committed. The lock is held until the
     * temporary name is gone, so a sweep never sees it unlocked.
     */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(temp); // after a commit, only the temporary name: the target is a second link
        } finally {
            channel.close();
            HELD.remove(temp);
        }
    }

    /**
     * Deletes the temporary files in {@code dir} that writers which died left behind (killed
     * with SIGKILL, or the machine went down): files of the current user, named as
     * {@link #create} names them, whose lock no process holds. A live writer's file is never
     * touched, nor another user's, nor a link.
     *
     * @return the files deleted
     */
    public static List<Path> sweepAbandoned(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Path file : temporaryFiles(dir, name -> name.contains(PARTIAL))) {
            if (isUnlocked(file)) {
                Files.deleteIfExists(file);
                removed.add(file);
            }
        }
        return removed;
    }

    /**
     * Whether no process holds a lock on {@code file}: its writer died. Never ask it of a file
     * this JVM may hold (see {@link #HELD}).
     */
    static boolean isUnlocked(Path file) {
        try (FileChannel probe = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = probe.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // another thread of this JVM is probing it right now
        } catch (IOException e) {
            return false; // gone meanwhile, or a file system without locks: leave it
        }
    }
}
