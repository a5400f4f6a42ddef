package dev.tsproc.spark;

import dev.tsproc.data.Batch;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.job.Job;
import dev.tsproc.plan.JobRequest;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

import java.io.IOException;
import java.io.Serial;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What an executor does with one partition of a Parquet dataset, sorted or in file order
 * ({@link ParquetDataset}): packs its rows into tsproc's columns — timestamps as epoch
 * nanoseconds, values as doubles (null and every NaN as the missing value), series as ids of the
 * one dictionary the driver fixed — cuts them into batches of {@code batchRows} rows, maps each
 * from a view of those columns and returns each batch's encoded partial with its position in the
 * partition. The driver combines sorted partitions in order, so batches arrive in time order.
 *
 * <p>Rows are those of {@link ParquetDataset#COLUMNS}: the timestamp as a whole number of units
 * of {@code nanosPerUnit} ns, the value as a double, the series name ({@code ""} for null), the
 * file's index and the row's index in its file — to name a bad row, and when the rows are read
 * in file order, not sorted ({@code inFileOrder}), to say where each batch lies: a batch then
 * holds consecutive rows of one file whose times never decrease, and its partial carries its
 * file, first row and first and last times ({@link EncodedPartial.InFile}) for the driver to put
 * the batches in file order and check the times across them. Rows whose times decrease are not
 * mapped: the partition returns one partial of no rows whose last time is less than its first,
 * and the driver reads the files again sorted.
 */
final class MapRows implements FlatMapFunction<Iterator<InternalRow>, EncodedPartial> {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Rows a partition's columns hold at first; they grow to a batch's rows as needed. */
    private static final int FIRST_CAPACITY = 1 << 16;

    private final byte[] request;
    private final Broadcast<List<String>> seriesNames;
    private final boolean hasSeries;
    private final long nanosPerUnit;
    private final long batchRows;
    private final long fromNanos;
    private final long toNanos;
    private final List<String> files;
    private final boolean inFileOrder;

    MapRows(JobRequest request, Broadcast<List<String>> seriesNames, boolean hasSeries, long nanosPerUnit, long batchRows,
            long fromNanos, long toNanos, List<String> files, boolean inFileOrder) {
        this.request = request.encode();
        this.seriesNames = seriesNames;
        this.hasSeries = hasSeries;
        this.nanosPerUnit = nanosPerUnit;
        this.batchRows = batchRows;
        this.fromNanos = fromNanos;
        this.toNanos = toNanos;
        this.files = List.copyOf(files);
        this.inFileOrder = inFileOrder;
    }

    @Override
    public Iterator<EncodedPartial> call(Iterator<InternalRow> rows) throws IOException {
        SeriesDictionary dictionary = hasSeries ? SeriesDictionary.of(seriesNames.value()) : SeriesDictionary.empty();
        Map<UTF8String, Integer> ids = new HashMap<>(Math.max(16, dictionary.size() * 2));
        for (int id = 0; id < dictionary.size(); id++) {
            ids.put(UTF8String.fromString(dictionary.name(id)), id);
        }
        List<EncodedPartial> partials = new ArrayList<>();
        try (MapBatches.Where where = MapBatches.Where.take();
             Arena arena = Arena.ofConfined();
             JobRequest.Resolved resolved = JobRequest.decode(ByteBuffer.wrap(request)).resolve(dictionary, hasSeries)) {
            Columns columns = new Columns(arena, Math.min(batchRows, FIRST_CAPACITY));
            long rowOffset = 0;
            int file = -1;
            long nextRow = -1; // the row in the file that continues the rows read
            long batchRow = 0;
            long firstTs = 0;
            long lastTs = 0;
            while (rows.hasNext()) {
                InternalRow row = rows.next();
                long ts = nanos(row);
                if (inFileOrder && (row.getInt(3) != file || row.getLong(4) != nextRow)) {
                    if (columns.rows > 0) { // a batch never spans two runs of rows: the driver orders batches by where they begin
                        partials.add(inFile(map(resolved.job(), columns, partials.size(), rowOffset, dictionary, where),
                                file, batchRow, firstTs, lastTs));
                        rowOffset += columns.rows;
                        columns.rows = 0;
                    }
                    file = row.getInt(3);
                }
                nextRow = row.getLong(4) + 1;
                if (ts < fromNanos || ts >= toNanos) {
                    continue;
                }
                if (inFileOrder) {
                    if (columns.rows == 0) {
                        batchRow = row.getLong(4);
                        firstTs = ts;
                    } else if (ts < lastTs) { // the rows are not in time order: no answer from them, the driver sorts them
                        return List.of(new EncodedPartial(partials.size(), 0, where.executor(), where.worker(), where.attempt(),
                                where.taskStart(), 0, 0, new byte[0], new EncodedPartial.InFile(file, row.getLong(4), lastTs, ts)))
                                .iterator();
                    }
                    lastTs = ts;
                }
                double value = row.isNullAt(1) ? Double.NaN : row.getDouble(1);
                int series = 0;
                if (hasSeries) {
                    Integer id = ids.get(row.getUTF8String(2));
                    if (id == null) {
                        throw new BadInputException(where(row), "its series '" + row.getUTF8String(2)
                                + "' was not there when the series were listed: the files changed while being read");
                    }
                    series = id;
                }
                columns = columns.append(arena, ts, value, series, batchRows);
                if (columns.rows == batchRows) {
                    partials.add(inFile(map(resolved.job(), columns, partials.size(), rowOffset, dictionary, where),
                            file, batchRow, firstTs, lastTs));
                    rowOffset += columns.rows;
                    columns.rows = 0;
                }
            }
            if (columns.rows > 0) {
                partials.add(inFile(map(resolved.job(), columns, partials.size(), rowOffset, dictionary, where),
                        file, batchRow, firstTs, lastTs));
            }
        }
        return partials.iterator();
    }

    /** {@code partial} with where its batch lies when the rows are read in file order; as it is when they are sorted. */
    private EncodedPartial inFile(EncodedPartial partial, int file, long row, long firstTs, long lastTs) {
        return inFileOrder ? partial.at(new EncodedPartial.InFile(file, row, firstTs, lastTs)) : partial;
    }

    /** The row's time in epoch nanoseconds, refusing a null or one beyond int64 nanoseconds. */
    private long nanos(InternalRow row) throws BadInputException {
        if (row.isNullAt(0)) {
            throw new BadInputException(where(row), "the timestamp is null");
        }
        long raw = row.getLong(0);
        try {
            return Math.multiplyExact(raw, nanosPerUnit);
        } catch (ArithmeticException e) {
            throw new BadInputException(where(row), "the timestamp " + raw + " (" + nanosPerUnit
                    + " ns a unit) is outside the range of int64 nanoseconds");
        }
    }

    /** {@code FILE: row N}: where a row came from, for a message. */
    private String where(InternalRow row) {
        return files.get(row.getInt(3)) + ": row " + row.getLong(4);
    }

    private <P> EncodedPartial map(Job<P, ?> job, Columns columns, int position, long rowOffset, SeriesDictionary dictionary,
                                   MapBatches.Where where) {
        TaskContext.get().killTaskIfInterrupted();
        long n = columns.rows;
        Batch batch = new Batch(position, rowOffset, n);
        BatchView view = new BatchView(batch, columns.ts.asSlice(0, Column.TS.byteSize(n)),
                columns.values.asSlice(0, Column.VALUE.byteSize(n)),
                hasSeries ? columns.series.asSlice(0, Column.SERIES.byteSize(n)) : MemorySegment.NULL, dictionary);
        return MapBatches.map(job, batch, _ -> view, where);
    }

    /**
     * The partition's rows of the batch being filled, off the heap as a store's columns are (the
     * vector kernels read native segments).
     */
    private static final class Columns {
        final MemorySegment ts;
        final MemorySegment values;
        final MemorySegment series;
        final long capacity;
        long rows;

        Columns(Arena arena, long capacity) {
            this.capacity = capacity;
            this.ts = arena.allocate(Column.TS.byteSize(capacity), Long.BYTES);
            this.values = arena.allocate(Column.VALUE.byteSize(capacity), Long.BYTES);
            this.series = arena.allocate(Column.SERIES.byteSize(capacity), Long.BYTES);
        }

        /** Appends one row, to these columns or to larger ones holding these rows too (at most {@code batchRows}). */
        Columns append(Arena arena, long t, double value, int id, long batchRows) {
            Columns to = this;
            if (rows == capacity) {
                to = new Columns(arena, Math.min(batchRows, 2 * capacity));
                MemorySegment.copy(ts, 0, to.ts, 0, Column.TS.byteSize(rows));
                MemorySegment.copy(values, 0, to.values, 0, Column.VALUE.byteSize(rows));
                MemorySegment.copy(series, 0, to.series, 0, Column.SERIES.byteSize(rows));
                to.rows = rows;
            }
            to.ts.setAtIndex(Column.TS_LAYOUT, to.rows, t);
            to.values.setAtIndex(Column.VALUE_LAYOUT, to.rows, value != value ? Double.NaN : value); // one missing value
            to.series.setAtIndex(Column.SERIES_LAYOUT, to.rows, id);
            to.rows++;
            return to;
        }
    }
}
