package dev.tsproc.ingest;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.csv.ColumnBuffers;
import dev.tsproc.ingest.csv.SeriesTable;
import dev.tsproc.ingest.csv.TimeOrder;
import dev.tsproc.store.StoreWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes a store from a columnar source cut into parts whose row counts are known before they
 * are read — Parquet row groups, Arrow record batches — in parallel over the parts.
 *
 * <p>Each part's rows have their place in the store reserved from the row counts. Threads take
 * parts in source order; a part reads its rows into a buffer the thread reuses, with series ids
 * in a table of its own, is sorted by time if it is not in order, and is written at its place.
 * The parts' series tables are then merged into one dictionary sorted by the names' UTF-8 bytes
 * (so ids depend neither on the order of files nor of rows) and each part's ids are rewritten
 * in the store. If each part starts no earlier than the one before it ends, the store is then
 * complete; otherwise the parts are merged by time into a second store ({@link TimeOrder}: rows
 * with equal timestamps keep source order), which needs room for both until the first is
 * deleted. Memory: one buffer per thread, 20 bytes a row of the largest part (16 without series).
 *
 * <p>Failure: whatever a part throws, or an interrupt, ends the import with it once every
 * thread has ended, and leaves nothing at the target nor beside it.
 */
public final class ColumnarImport {
    /** One piece of the source, read on one thread. */
    public interface Part {
        /** Rows the part holds, as its source's metadata says. */
        long rowCount();

        /**
         * Appends the part's rows to {@code rows} (which has a series column if the store has),
         * with series ids from {@code series}, adding names to it as they are met.
         */
        void read(ColumnBuffers rows, SeriesTable series) throws IOException, InterruptedException;

        /** Names the part in messages: {@code data.parquet, row group 3}. */
        String describe();
    }

    /**
     * What was written.
     *
     * @param sorted whether rows had to be put into time order
     */
    public record Result(long rows, int series, boolean sorted) {}

    /** A part, its place in the store and what reading it found. */
    private static final class Placed {
        final Part part;
        final long firstRow;
        SeriesTable series;
        boolean sorted;
        long firstTs;
        long lastTs;

        Placed(Part part, long firstRow) {
            this.part = part;
            this.firstRow = firstRow;
        }
    }

    /**
     * Rows a loop over a column takes at a time through a heap array, copied in bulk: element by
     * element, a native segment's accesses were a third of an import's CPU (alignment and
     * liveness checks the JIT did not hoist).
     */
    private static final int CHUNK_ROWS = 8192;

    private final List<Placed> parts = new ArrayList<>();
    private final boolean withSeries;
    private final int threads;
    private final ConcurrentLinkedQueue<ColumnBuffers> buffers = new ConcurrentLinkedQueue<>();

    private ColumnarImport(List<? extends Part> parts, boolean withSeries, int threads) {
        long row = 0;
        for (Part part : parts) {
            this.parts.add(new Placed(part, row));
            row = Math.addExact(row, part.rowCount());
        }
        this.withSeries = withSeries;
        this.threads = threads;
    }

    /**
     * Writes the rows of {@code parts}, in this order, as a new store at {@code target}.
     *
     * @param source what the user named, for messages about the source as a whole
     * @throws BadInputException if the parts hold no rows, or more series than a store can
     */
    public static Result write(Path source, List<? extends Part> parts, boolean withSeries, Path target, int threads)
            throws IOException, InterruptedException {
        ColumnarImport writer = new ColumnarImport(parts, withSeries, threads);
        try {
            return writer.run(source, target);
        } finally {
            for (ColumnBuffers rows; (rows = writer.buffers.poll()) != null; ) {
                rows.close();
            }
        }
    }

    private Result run(Path source, Path target) throws IOException, InterruptedException {
        long rows = 0;
        for (Placed p : parts) {
            rows += p.part.rowCount();
        }
        if (rows == 0) {
            throw new BadInputException(source, "it holds no rows");
        }
        try (StoreWriter first = StoreWriter.create(target, rows, withSeries)) {
            each(parts.size(), k -> read(parts.get((int) k), first));
            SeriesDictionary dictionary = SeriesDictionary.empty();
            if (withSeries) {
                SeriesTable.Merged merged = SeriesTable.merge(parts.stream().map(p -> p.series).toList(),
                        SeriesDictionary.MAX_SERIES);
                if (merged == null) {
                    throw new BadInputException(source, String.format(Locale.ROOT,
                            "there are more than %,d distinct series, the most a store can hold", SeriesDictionary.MAX_SERIES));
                }
                dictionary = merged.dictionary();
                each(parts.size(), k -> toGlobalIds(parts.get((int) k), merged.globalIds().get((int) k), first));
            }
            boolean inOrder = true;
            boolean sorted = false;
            long previousLast = Long.MIN_VALUE;
            for (Placed p : parts) {
                if (p.part.rowCount() > 0) {
                    inOrder &= p.firstTs >= previousLast;
                    sorted |= !p.sorted;
                    previousLast = p.lastTs;
                }
            }
            if (inOrder) {
                first.commit(dictionary);
            } else {
                merge(first, target, rows, dictionary);
            }
            return new Result(rows, dictionary.size(), sorted || !inOrder);
        }
    }

    /** Reads one part, sorts it by time if needed, and writes it at its place in {@code store}. */
    private void read(Placed p, StoreWriter store) throws IOException, InterruptedException {
        long rowCount = p.part.rowCount();
        p.series = new SeriesTable();
        if (rowCount == 0) {
            return;
        }
        ColumnBuffers rows = buffers.poll();
        if (rows == null) {
            rows = new ColumnBuffers(rowCount, withSeries);
        }
        try {
            rows.reset();
            p.part.read(rows, p.series);
            if (rows.rowCount() != rowCount) {
                throw new BadInputException(p.part.describe(), "it holds " + rows.rowCount() + " rows, not the "
                        + rowCount + " its metadata says; the file is damaged");
            }
            p.sorted = inTimeOrder(rows.ts());
            if (!p.sorted) {
                TimeOrder.sortChunk(rows);
            }
            p.firstTs = rows.ts().getAtIndex(Column.TS_LAYOUT, 0);
            p.lastTs = rows.ts().getAtIndex(Column.TS_LAYOUT, rowCount - 1);
            for (Column column : store.columns()) {
                store.write(column, p.firstRow, rows.column(column));
            }
        } finally {
            buffers.add(rows);
        }
    }

    private static boolean inTimeOrder(MemorySegment ts) {
        long[] chunk = new long[CHUNK_ROWS];
        long previous = Long.MIN_VALUE;
        for (long from = 0, n = ts.byteSize() / Long.BYTES; from < n; from += CHUNK_ROWS) {
            int m = (int) Math.min(CHUNK_ROWS, n - from);
            MemorySegment.copy(ts, Column.TS_LAYOUT, Column.TS.byteSize(from), chunk, 0, m);
            for (int i = 0; i < m; i++) {
                if (chunk[i] < previous) {
                    return false;
                }
                previous = chunk[i];
            }
        }
        return true;
    }

    /** Rewrites a part's series ids, as written, to the dictionary's. */
    private void toGlobalIds(Placed p, int[] global, StoreWriter store) throws IOException {
        boolean identity = true;
        for (int i = 0; i < global.length && identity; i++) {
            identity = global[i] == i;
        }
        long rowCount = p.part.rowCount();
        if (identity || rowCount == 0) {
            return;
        }
        ColumnBuffers buffer = buffers.poll();
        if (buffer == null) {
            buffer = new ColumnBuffers(rowCount, true);
        }
        try {
            MemorySegment ids = buffer.scratch(Column.SERIES, rowCount);
            store.read(Column.SERIES, p.firstRow, ids);
            int[] chunk = new int[CHUNK_ROWS];
            for (long from = 0; from < rowCount; from += CHUNK_ROWS) {
                int m = (int) Math.min(CHUNK_ROWS, rowCount - from);
                MemorySegment.copy(ids, Column.SERIES_LAYOUT, Column.SERIES.byteSize(from), chunk, 0, m);
                for (int i = 0; i < m; i++) {
                    chunk[i] = global[chunk[i]];
                }
                MemorySegment.copy(chunk, 0, ids, Column.SERIES_LAYOUT, Column.SERIES.byteSize(from), m);
            }
            store.overwrite(Column.SERIES, p.firstRow, ids);
        } finally {
            buffers.add(buffer);
        }
    }

    /** Merges the parts of {@code first}, each in time order, by time into a new store at {@code target}. */
    private void merge(StoreWriter first, Path target, long rows, SeriesDictionary dictionary)
            throws IOException, InterruptedException {
        try (Arena arena = Arena.ofShared(); StoreWriter second = StoreWriter.create(target, rows, dictionary)) {
            MemorySegment ts = first.mapWritten(Column.TS, arena);
            MemorySegment values = first.mapWritten(Column.VALUE, arena);
            MemorySegment series = withSeries ? first.mapWritten(Column.SERIES, arena) : MemorySegment.NULL;
            List<TimeOrder.Run> runs = new ArrayList<>();
            for (Placed p : parts) {
                if (p.part.rowCount() > 0) {
                    runs.add(new TimeOrder.Run(slice(ts, Column.TS, p), slice(values, Column.VALUE, p),
                            withSeries ? slice(series, Column.SERIES, p) : series, p.part.rowCount()));
                }
            }
            TimeOrder.merge(runs, second, threads);
            second.commit();
        }
    }

    private static MemorySegment slice(MemorySegment column, Column type, Placed p) {
        return column.asSlice(type.byteSize(p.firstRow), type.byteSize(p.part.rowCount()));
    }

    /** Runs {@code item} for {@code 0 .. count-1} on the import's threads, in one task group. */
    private void each(int count, TaskGroup.Item item) throws IOException, InterruptedException {
        try {
            TaskGroup.runEach("tsproc-import", threads, count, item);
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
    }
}
