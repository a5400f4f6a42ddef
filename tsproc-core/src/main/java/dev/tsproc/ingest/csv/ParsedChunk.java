package dev.tsproc.ingest.csv;

import java.util.ArrayList;
import java.util.List;

/**
 * What parsing one chunk of a CSV file produced: its rows, the series names it met, its line
 * count and its bad lines.
 *
 * <p>Where the rows are depends on the input. From a gzip stream they stay in {@link #rows}, off
 * heap, until the row count is known. From a plain file they go to the store as soon as they
 * are parsed, at {@link #firstRow}, with chunk-local series ids that are rewritten once the
 * dictionary is known.
 *
 * <p>Filled by one parser thread, then handed (with a happens-before edge) to the importer.
 */
final class ParsedChunk implements AutoCloseable {
    /** A bad line, numbered within the chunk until the importer knows where the chunk starts. */
    record LocalError(long lineInChunk, long byteOffset, int fieldNumber, CsvError.Reason reason, String detail) {}

    final int index;
    /** The columns the parser appends to; for a plain file, a reused buffer, detached once written. */
    ColumnBuffers rows;
    /** Rows parsed. */
    long rowCount;
    /** For a plain file: the store row the chunk's rows were written from; -1 until then. */
    long firstRow = -1;
    final SeriesTable series = new SeriesTable();
    final List<LocalError> errors = new ArrayList<>();
    long errorCount;
    /** Lines parsed, counting blank and bad ones and a last line without a line end. */
    long lineCount;
    /** Whether {@link #lineCount} counts every line of the chunk, false if parsing stopped early. */
    boolean allLinesCounted;
    /** Whether the chunk's timestamps never decrease. */
    boolean sorted = true;
    long firstTs;
    long lastTs;
    /** Global ids of the chunk's local series ids, once the dictionary is merged. */
    int[] globalIds;

    ParsedChunk(int index, ColumnBuffers rows) {
        this.index = index;
        this.rows = rows;
    }

    @Override
    public void close() {
        if (rows != null) {
            rows.close();
        }
    }
}
