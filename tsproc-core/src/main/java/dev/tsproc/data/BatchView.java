package dev.tsproc.data;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A zero-copy view of one batch of rows: slices of the store's column segments.
 *
 * <p>Creating a view copies nothing; the segments are slices of the memory-mapped store (or,
 * under {@code --transfer copy}, of the worker's private copy). The view is only valid while
 * the store it came from is open. Row indexes given to the accessors are relative to the
 * batch, {@code 0 <= i < rowCount()}; {@link #rowOffset()} says where the batch starts in the
 * store. Accessors are bounds-checked by the segments themselves, so a job can read only its
 * own slice.
 *
 * <p>A view of a store checks each column's rows the first time the job asks for the column
 * ({@code firstRead}: the store's block checksums), so a job pays only for the columns it
 * reads, and never reads a column unchecked. Views of copies have nothing to check.
 *
 * @param batch      which rows: the plan's one record of the batch
 * @param ts         {@code rowCount} int64 timestamps
 * @param values     {@code rowCount} float64 values
 * @param series     {@code rowCount} int32 series ids, or {@link MemorySegment#NULL} if the
 *                   store has no series column
 * @param dictionary names of the series ids
 * @param firstRead  called before a column is first handed out; throws if its rows are damaged
 */
public record BatchView(
        Batch batch,
        MemorySegment ts,
        MemorySegment values,
        MemorySegment series,
        SeriesDictionary dictionary,
        FirstRead firstRead) {

    /**
     * What a view does before it first hands out a column: check the column's rows of the batch.
     * Called before a column is first handed out by a view (again if it threw); a job that reads
     * one view from several threads may have a column checked more than once, never less.
     */
    @FunctionalInterface
    public interface FirstRead {
        /** Nothing to check: the rows are a copy, or were checked already. */
        FirstRead NONE = column -> {};

        /**
         * Checks {@code column}'s rows of the batch.
         *
         * @throws RuntimeException if they are damaged (the store's one sentence as message)
         */
        void check(Column column);
    }

    /** A view with nothing to check before it is read: of a copy, or of rows checked already. */
    public BatchView(Batch batch, MemorySegment ts, MemorySegment values, MemorySegment series, SeriesDictionary dictionary) {
        this(batch, ts, values, series, dictionary, FirstRead.NONE);
    }

    public BatchView {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(dictionary, "dictionary");
        Objects.requireNonNull(firstRead, "firstRead");
        if (firstRead != FirstRead.NONE) {
            firstRead = new Once(firstRead);
        }
        long rowCount = batch.rowCount();
        if (rowCount < 0 || batch.rowOffset() < 0) {
            throw new IllegalArgumentException("rowOffset=" + batch.rowOffset() + " rowCount=" + rowCount);
        }
        if (ts.byteSize() != Column.TS.byteSize(rowCount)
                || values.byteSize() != Column.VALUE.byteSize(rowCount)
                || (series != MemorySegment.NULL && series.byteSize() != Column.SERIES.byteSize(rowCount))) {
            throw new IllegalArgumentException("column slices do not hold rowCount=" + rowCount + " rows");
        }
    }

    /** {@code rowCount} int64 timestamps, checked first if they come from a store. */
    @Override
    public MemorySegment ts() {
        firstRead.check(Column.TS);
        return ts;
    }

    /** {@code rowCount} float64 values, checked first if they come from a store. */
    @Override
    public MemorySegment values() {
        firstRead.check(Column.VALUE);
        return values;
    }

    /** {@code rowCount} int32 series ids, or {@link MemorySegment#NULL}; checked first if they come from a store. */
    @Override
    public MemorySegment series() {
        if (series != MemorySegment.NULL) {
            firstRead.check(Column.SERIES);
        }
        return series;
    }

    /** Passes each column to its check once; a column whose check failed is checked (and fails) again. */
    private static final class Once implements FirstRead {
        private final FirstRead check;
        private final boolean[] checked = new boolean[Column.values().length];

        Once(FirstRead check) {
            this.check = check;
        }

        @Override
        public void check(Column column) {
            if (!checked[column.ordinal()]) {
                check.check(column);
                checked[column.ordinal()] = true;
            }
        }
    }

    /** Index of the batch in the plan. */
    public long batchIndex() {
        return batch.index();
    }

    /** Index of the batch's first row in the store. */
    public long rowOffset() {
        return batch.rowOffset();
    }

    /** Number of rows in the batch. */
    public long rowCount() {
        return batch.rowCount();
    }

    /** Whether the batch has a series column. */
    public boolean hasSeries() {
        return series != MemorySegment.NULL;
    }

    /** Timestamp of row {@code i} of the batch, epoch nanoseconds. */
    public long ts(long i) {
        return ts().getAtIndex(Column.TS_LAYOUT, i);
    }

    /** Value of row {@code i} of the batch; NaN means missing. */
    public double value(long i) {
        return values().getAtIndex(Column.VALUE_LAYOUT, i);
    }

    /** Series id of row {@code i}, or 0 when the store has no series column. */
    public int seriesId(long i) {
        return hasSeries() ? series().getAtIndex(Column.SERIES_LAYOUT, i) : 0;
    }
}
