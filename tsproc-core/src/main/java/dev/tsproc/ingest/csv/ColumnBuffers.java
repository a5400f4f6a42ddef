package dev.tsproc.ingest.csv;

import dev.tsproc.data.Column;
import dev.tsproc.store.StoreWriter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap columns of the rows parsed from one chunk: ts, value and (optionally) series ids,
 * growing as rows are appended.
 *
 * <p>Memory comes from a shared arena, because one thread parses a chunk and others sort and
 * write it; growing allocates from a new arena, copies, and closes the old one.
 *
 * <p>Thread confinement: one thread at a time; hand-offs between threads must happen-before
 * (the importer's thread joins and task hand-offs do).
 */
public final class ColumnBuffers implements AutoCloseable {
    private final boolean withSeries;
    private Arena arena;
    private MemorySegment ts;
    private MemorySegment values;
    private MemorySegment series;
    private long capacity;
    private long rowCount;

    public ColumnBuffers(long initialCapacity, boolean withSeries) {
        this.withSeries = withSeries;
        allocate(Math.max(16, initialCapacity));
    }

    /** Appends one row. */
    public void append(long timestamp, double value, int seriesId) {
        if (rowCount == capacity) {
            grow();
        }
        ts.setAtIndex(Column.TS_LAYOUT, rowCount, timestamp);
        values.setAtIndex(Column.VALUE_LAYOUT, rowCount, value);
        if (withSeries) {
            series.setAtIndex(Column.SERIES_LAYOUT, rowCount, seriesId);
        }
        rowCount++;
    }

    /**
     * Appends the first {@code n} rows of the arrays ({@code seriesIds} is ignored without a
     * series column), copied in bulk: a columnar reader's batch.
     */
    public void append(long[] timestamps, double[] values, int[] seriesIds, int n) {
        while (capacity - rowCount < n) {
            grow();
        }
        MemorySegment.copy(timestamps, 0, ts, Column.TS_LAYOUT, Column.TS.byteSize(rowCount), n);
        MemorySegment.copy(values, 0, this.values, Column.VALUE_LAYOUT, Column.VALUE.byteSize(rowCount), n);
        if (withSeries) {
            MemorySegment.copy(seriesIds, 0, series, Column.SERIES_LAYOUT, Column.SERIES.byteSize(rowCount), n);
        }
        rowCount += n;
    }

    /** Forgets the rows, keeping the memory, to parse the next chunk into it. */
    public void reset() {
        rowCount = 0;
    }

    public long rowCount() {
        return rowCount;
    }

    public boolean withSeries() {
        return withSeries;
    }

    /** The rows' timestamps: exactly {@link #rowCount()} elements. */
    public MemorySegment ts() {
        return ts.asSlice(0, Column.TS.byteSize(rowCount));
    }

    /** The rows' values. */
    public MemorySegment values() {
        return values.asSlice(0, Column.VALUE.byteSize(rowCount));
    }

    /** The rows' series ids; empty without a series column. */
    public MemorySegment series() {
        return withSeries ? series.asSlice(0, Column.SERIES.byteSize(rowCount)) : MemorySegment.NULL;
    }

    /** The rows' elements of {@code column}. */
    public MemorySegment column(Column column) {
        return scratch(column, rowCount);
    }

    /** The first {@code rows} elements of {@code column}'s buffer, grown to hold them, as scratch space. */
    public MemorySegment scratch(Column column, long rows) {
        while (capacity < rows) {
            grow();
        }
        MemorySegment buffer = switch (column) {
            case TS -> ts;
            case VALUE -> values;
            case SERIES -> series;
        };
        return buffer.asSlice(0, column.byteSize(rows));
    }

    /** The rows as a run for {@link TimeOrder#merge}; they must be in time order. */
    public TimeOrder.Run asRun() {
        return new TimeOrder.Run(ts(), values(), series(), rowCount);
    }

    private void grow() {
        Arena old = arena;
        MemorySegment oldTs = ts;
        MemorySegment oldValues = values;
        MemorySegment oldSeries = series;
        allocate(capacity + (capacity >> 1) + 16);
        MemorySegment.copy(oldTs, 0, ts, 0, Column.TS.byteSize(rowCount));
        MemorySegment.copy(oldValues, 0, values, 0, Column.VALUE.byteSize(rowCount));
        if (withSeries) {
            MemorySegment.copy(oldSeries, 0, series, 0, Column.SERIES.byteSize(rowCount));
        }
        old.close();
    }

    private void allocate(long rows) {
        arena = Arena.ofShared();
        capacity = rows;
        ts = StoreWriter.allocateChunk(arena, Column.TS, rows);
        values = StoreWriter.allocateChunk(arena, Column.VALUE, rows);
        series = withSeries ? StoreWriter.allocateChunk(arena, Column.SERIES, rows) : MemorySegment.NULL;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
