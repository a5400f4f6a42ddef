package dev.tsproc.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The columnar formats tsproc reads as they lie, told apart by what a user names: a directory
 * or a glob of files is Parquet, a file by its first bytes. Anything else — a store, a CSV
 * file, a path that is not there — is {@link #NONE}, for the caller to handle as before.
 */
public enum ColumnarFormat {
    PARQUET, ARROW, NONE;

    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
    private static final byte[] ARROW_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

    /** The format of {@code source}: a file, a directory, or a glob naming no existing path. */
    public static ColumnarFormat of(Path source) throws IOException {
        if (Files.isDirectory(source)) {
            return PARQUET;
        }
        if (!Files.isRegularFile(source)) {
            return !Files.exists(source) && source.toString().matches(".*[*?\\[{].*") ? PARQUET : NONE;
        }
        try (InputStream in = Files.newInputStream(source)) {
            byte[] head = in.readNBytes(ARROW_MAGIC.length);
            if (Arrays.equals(head, ARROW_MAGIC)) {
                return ARROW;
            }
            return Arrays.equals(Arrays.copyOf(head, PARQUET_MAGIC.length), PARQUET_MAGIC) ? PARQUET : NONE;
        }
    }
}
