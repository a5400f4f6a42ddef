package dev.tsproc.ingest;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Parquet or Arrow file could not be imported because of what it holds, or fails to hold: it
 * is not such a file, it is damaged, it lacks a named column, a column has a type tsproc cannot
 * read, a timestamp is missing. Nothing was written.
 *
 * <p>The message is one sentence naming the file (and the column, row group and row where
 * they are known), fit to show a user as is.
 */
public final class BadInputException extends IOException {
    private static final long serialVersionUID = 1L;

    public BadInputException(Path file, String problem) {
        this(file.toString(), problem);
    }

    /** A problem of {@code where}: a file, or a part of one ({@code x.parquet: row group 3}). */
    public BadInputException(String where, String problem) {
        super(where + ": " + problem);
    }

    public BadInputException(Path file, String problem, Throwable cause) {
        this(file.toString(), problem, cause);
    }

    public BadInputException(String where, String problem, Throwable cause) {
        super(where + ": " + problem, cause);
    }
}
