package dev.tsproc.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a path is when it is not a regular file, so that an input is refused in one sentence
 * before it is opened: {@code open(2)} of a FIFO blocks until a writer comes, which may be
 * never, and a device such as {@code /dev/zero} never ends. Stores and CSV files are regular
 * files; a symbolic link to one is fine.
 */
public final class FileKind {
    /** The file-type bits of {@code st_mode}, and the types among them. */
    private static final int TYPE_MASK = 0170000;
    private static final int FIFO = 0010000;
    private static final int CHARACTER_DEVICE = 0020000;
    private static final int DIRECTORY = 0040000;
    private static final int BLOCK_DEVICE = 0060000;
    private static final int SOCKET = 0140000;

    private FileKind() {}

    /**
     * What {@code path} is, after following links, if it is not a regular file: "a directory",
     * "a FIFO (named pipe)", "a character device", "a block device", "a socket"; null for a
     * regular file. Reading the type opens nothing.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     */
    public static String ifNotRegular(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isRegularFile()) {
            return null;
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        if (!path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return "not a regular file";
        }
        return switch ((int) Files.getAttribute(path, "unix:mode") & TYPE_MASK) {
            case FIFO -> "a FIFO (named pipe)";
            case CHARACTER_DEVICE -> "a character device";
            case BLOCK_DEVICE -> "a block device";
            case SOCKET -> "a socket";
            case DIRECTORY -> "a directory";
            default -> "not a regular file";
        };
    }
}
