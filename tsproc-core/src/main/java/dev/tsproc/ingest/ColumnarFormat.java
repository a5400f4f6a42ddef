package dev.tsproc.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The columnar formats tsproc reads as they lie, told apart by what a user names: a directory
 * or a glob of files is Parquet, a file by its first bytes. Anything else — a store, a CSV
 * file, a path that is not there — is {@link #NONE}, for the caller to handle as before.
 *
 * <p>A file is classified by its content and its name together: one whose name says Parquet or
 * Arrow but whose bytes do not is damaged input, refused naming it, not taken for CSV or a store.
 */
public enum ColumnarFormat {
    PARQUET, ARROW, NONE;

    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
    private static final byte[] ARROW_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};
    /** How an Arrow IPC stream (no magic, no footer) starts: the continuation marker of its schema message (format 0.15 and later). */
    private static final byte[] ARROW_STREAM_START = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    /**
     * The format of {@code source}: a file, a directory, or a glob naming no existing path.
     *
     * @throws BadInputException if {@code source}'s name ends in
     *                           {@code .parquet} or {@code .arrow} (or {@code .feather}) but its
     *                           bytes do not start as such a file does
     */
    public static ColumnarFormat of(Path source) throws IOException {
        if (Files.isDirectory(source)) {
            return PARQUET;
        }
        if (!Files.isRegularFile(source)) {
            return !Files.exists(source) && source.toString().matches(".*[*?\\[{].*") ? PARQUET : NONE;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(source)) {
            head = in.readNBytes(ARROW_MAGIC.length);
        }
        if (startsWith(head, ARROW_MAGIC) || startsWith(head, ARROW_STREAM_START)) {
            return ARROW;
        }
        if (startsWith(head, PARQUET_MAGIC)) {
            return PARQUET;
        }
        String name = source.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            throw new BadInputException(source, "it is not a Parquet file (" + starts(head, PARQUET_MAGIC) + ")");
        }
        if (name.endsWith(".arrow") || name.endsWith(".feather")) {
            throw new BadInputException(source, "it is not an Arrow IPC file (" + starts(head, ARROW_MAGIC) + ")");
        }
        return NONE;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }

    /** Why {@code head} is not the start of a file with {@code magic}, for a message. */
    private static String starts(byte[] head, byte[] magic) {
        String expected = new String(magic, StandardCharsets.US_ASCII);
        return head.length == 0 ? "it is empty" : "it does not start with " + expected + " as such files do";
    }
}
