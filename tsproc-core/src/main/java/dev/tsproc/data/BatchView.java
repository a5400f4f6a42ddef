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
 * @param batch      which rows: the plan's one record of the batch
 * @param ts         {@code rowCount} int64 timestamps
 * @param values     {@code rowCount} float64 values
 * @param series     {@code rowCount} int32 series ids, or {@link MemorySegment#NULL} if the
 *                   store has no series column
 * @param dictionary names of the series ids
 */
public record BatchView(
        Batch batch,
        MemorySegment ts,
        MemorySegment values,
        MemorySegment series,
        SeriesDictionary dictionary) {

    public BatchView {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(dictionary, "dictionary");
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
        return ts.getAtIndex(Column.TS_LAYOUT, i);
    }

    /** Value of row {@code i} of the batch; NaN means missing. */
    public double value(long i) {
        return values.getAtIndex(Column.VALUE_LAYOUT, i);
    }

    /** Series id of row {@code i}, or 0 when the store has no series column. */
    public int seriesId(long i) {
        return hasSeries() ? series.getAtIndex(Column.SERIES_LAYOUT, i) : 0;
    }
}
