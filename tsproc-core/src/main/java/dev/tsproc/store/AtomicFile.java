package dev.tsproc.store;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

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
 * <p>Thread safety: one thread writes and commits; {@link #channel()} may be used for
 * positional writes from several threads before the commit.
 */
public final class AtomicFile implements AutoCloseable {
    private static final String PARTIAL = ".partial-";

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private OutputStream out;
    private BufferedWriter writer;
    private boolean committed;

    private AtomicFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /**
     * Starts writing the new file {@code target}.
     *
     * @throws FileAlreadyExistsException if {@code target} exists, even as a dangling link
     * @throws IOException                if its directory does not exist
     */
    public static AtomicFile create(Path target) throws IOException {
        requireAbsent(target);
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + absolute + ": directory " + dir + " does not exist");
        }
        Path temp = dir.resolve("." + absolute.getFileName() + PARTIAL + SharedSegments.randomName());
        FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ,
                        LinkOption.NOFOLLOW_LINKS),
                SharedSegments.ownerOnlyFile());
        return new AtomicFile(absolute, temp, channel);
    }

    /**
     * Fails unless nothing is at {@code target}, not even a link: a command checks its outputs
     * before it starts work whose result it could not publish.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     */
    public static void requireAbsent(Path target) throws FileAlreadyExistsException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "already exists");
        }
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
     * publishes the file under the target's name.
     *
     * @throws FileAlreadyExistsException if something appeared at the target meanwhile; the
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
        channel.close();
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
        Files.deleteIfExists(temp);
    }

    /** Deletes the temporary file unless the file was committed. */
    @Override
    public void close() throws IOException {
        channel.close();
        if (!committed) {
            Files.deleteIfExists(temp);
        }
    }
}
