package dev.tsproc.ingest.csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A CSV file could not be imported because of what it holds: a bad line (with
 * {@code --on-error fail}), no data at all, only bad lines, too many series. Nothing was
 * written.
 *
 * <p>The message is one sentence naming the file and the problem, fit to show a user as is;
 * {@link #errors()} holds the first bad lines, in file order.
 */
public final class CsvFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient List<CsvError> errors;
    private final long errorCount;

    public CsvFormatException(Path file, String problem, List<CsvError> errors, long errorCount) {
        super(file + ": " + problem);
        this.errors = List.copyOf(errors);
        this.errorCount = errorCount;
    }

    /** The first bad lines, in file order (at most {@link CsvImporter#REPORTED_ERRORS}). */
    public List<CsvError> errors() {
        return errors;
    }

    /** How many bad lines were found in all. */
    public long errorCount() {
        return errorCount;
    }
}
