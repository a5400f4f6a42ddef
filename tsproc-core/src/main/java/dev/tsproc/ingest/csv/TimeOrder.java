package dev.tsproc.ingest.csv;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.data.Column;
import dev.tsproc.store.StoreWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Puts parsed rows into ascending time order, stably (rows with equal timestamps keep their
 * order in the file), as the store's contract requires.
 *
 * <p>Two steps, both parallel. First each chunk that is out of order is sorted on its own
 * ({@link #sortChunk}: a merge sort of (timestamp, row) pairs, then the columns are permuted).
 * Then the sorted chunks, as runs in file order, are merged straight into the store
 * ({@link #merge}): sampled timestamps cut the time axis into more partitions than threads;
 * each partition takes, from every run, the rows whose timestamps fall in its range (found by
 * binary search), so partitions are independent and know where their rows go; a thread merges
 * a partition's pieces with a binary heap ordered by (timestamp, run index) — the run index
 * keeps equal timestamps in file order — and writes the result in blocks. Equal timestamps
 * always fall in one partition, so stability holds across partitions too.
 */
public final class TimeOrder {
    private static final int BLOCK_ROWS = 1 << 16;
    private static final int SAMPLES_PER_RUN = 256;

    private TimeOrder() {}

    /**
     * A chunk's rows in time order, in columns, wherever they are: in the chunk's own buffers or
     * already in a store. {@code series} is {@link MemorySegment#NULL} without a series column.
     */
    public record Run(MemorySegment ts, MemorySegment values, MemorySegment series, long rowCount) {}

    /** Sorts one chunk's rows by timestamp, stably. Arrays sized by the chunk, not the dataset. */
    public static void sortChunk(ColumnBuffers rows) {
        int n = Math.toIntExact(rows.rowCount());
        MemorySegment ts = rows.ts();
        MemorySegment values = rows.values();
        MemorySegment series = rows.series();
        long[] keys = ts.toArray(Column.TS_LAYOUT);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        mergeSort(keys, order, keys.clone(), order.clone(), 0, n);
        MemorySegment.copy(keys, 0, ts, Column.TS_LAYOUT, 0, n);
        double[] v = values.toArray(Column.VALUE_LAYOUT);
        for (int i = 0; i < n; i++) {
            values.setAtIndex(Column.VALUE_LAYOUT, i, v[order[i]]);
        }
        if (rows.withSeries()) {
            int[] s = series.toArray(Column.SERIES_LAYOUT);
            for (int i = 0; i < n; i++) {
                series.setAtIndex(Column.SERIES_LAYOUT, i, s[order[i]]);
            }
        }
    }

    /** Stable top-down merge sort of {@code keys[from, to)} carrying {@code order}; aux holds copies. */
    private static void mergeSort(long[] keys, int[] order, long[] auxKeys, int[] auxOrder, int from, int to) {
        if (to - from < 32) {
            for (int i = from + 1; i < to; i++) { // insertion sort: stable
                long k = keys[i];
                int o = order[i];
                int j = i - 1;
                while (j >= from && keys[j] > k) {
                    keys[j + 1] = keys[j];
                    order[j + 1] = order[j];
                    j--;
                }
                keys[j + 1] = k;
                order[j + 1] = o;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        // Sort each half in aux (whose contents equal keys here), then merge back into keys.
        mergeSort(auxKeys, auxOrder, keys, order, from, mid);
        mergeSort(auxKeys, auxOrder, keys, order, mid, to);
        if (auxKeys[mid - 1] <= auxKeys[mid]) {
            System.arraycopy(auxKeys, from, keys, from, to - from);
            System.arraycopy(auxOrder, from, order, from, to - from);
            return;
        }
        for (int i = from, a = from, b = mid; i < to; i++) {
            if (b >= to || (a < mid && auxKeys[a] <= auxKeys[b])) {
                keys[i] = auxKeys[a];
                order[i] = auxOrder[a++];
            } else {
                keys[i] = auxKeys[b];
                order[i] = auxOrder[b++];
            }
        }
    }

    /** Merges sorted {@code runs} (in file order) into rows {@code [0, Σ sizes)} of {@code writer}. */
    public static void merge(List<Run> runs, StoreWriter writer, int threads)
            throws IOException, InterruptedException {
        long[] splitters = splitters(runs, threads * 8);
        int partitions = splitters.length + 1;
        long[][] bounds = new long[partitions + 1][runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            MemorySegment ts = runs.get(r).ts();
            for (int j = 1; j < partitions; j++) {
                bounds[j][r] = lowerBound(ts, splitters[j - 1]);
            }
            bounds[partitions][r] = runs.get(r).rowCount();
        }
        long[] firstRow = new long[partitions + 1];
        for (int j = 0; j < partitions; j++) {
            long rows = 0;
            for (int r = 0; r < runs.size(); r++) {
                rows += bounds[j + 1][r] - bounds[j][r];
            }
            firstRow[j + 1] = firstRow[j] + rows;
        }
        try {
            TaskGroup.runEach("tsproc-merge", threads, partitions,
                    index -> {
                        int j = (int) index;
                        mergePartition(runs, bounds[j], bounds[j + 1], firstRow[j], writer);
                    });
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
    }

    private static void mergePartition(List<Run> runs, long[] from, long[] to, long firstRow,
                                       StoreWriter writer) throws IOException {
        int k = runs.size();
        long[] position = from.clone();
        long[] head = new long[k];
        int[] heap = new int[k];
        int size = 0;
        for (int r = 0; r < k; r++) {
            if (position[r] < to[r]) {
                head[r] = runs.get(r).ts().getAtIndex(Column.TS_LAYOUT, position[r]);
                heap[size++] = r;
                siftUp(heap, head, size - 1);
            }
        }
        boolean withSeries = writer.hasSeries();
        MemorySegment[] tsRuns = new MemorySegment[k];
        MemorySegment[] valueRuns = new MemorySegment[k];
        MemorySegment[] seriesRuns = new MemorySegment[k];
        for (int r = 0; r < k; r++) {
            tsRuns[r] = runs.get(r).ts();
            valueRuns[r] = runs.get(r).values();
            seriesRuns[r] = runs.get(r).series();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = StoreWriter.allocateChunk(arena, Column.TS, BLOCK_ROWS);
            MemorySegment values = StoreWriter.allocateChunk(arena, Column.VALUE, BLOCK_ROWS);
            MemorySegment series = StoreWriter.allocateChunk(arena, Column.SERIES, BLOCK_ROWS);
            long row = firstRow;
            int filled = 0;
            while (size > 0) {
                int r = heap[0];
                long p = position[r];
                ts.setAtIndex(Column.TS_LAYOUT, filled, head[r]);
                values.setAtIndex(Column.VALUE_LAYOUT, filled, valueRuns[r].getAtIndex(Column.VALUE_LAYOUT, p));
                if (withSeries) {
                    series.setAtIndex(Column.SERIES_LAYOUT, filled, seriesRuns[r].getAtIndex(Column.SERIES_LAYOUT, p));
                }
                position[r] = ++p;
                if (p < to[r]) {
                    head[r] = tsRuns[r].getAtIndex(Column.TS_LAYOUT, p);
                } else {
                    heap[0] = heap[--size];
                }
                siftDown(heap, head, size);
                if (++filled == BLOCK_ROWS || size == 0) {
                    writer.write(Column.TS, row, ts.asSlice(0, Column.TS.byteSize(filled)));
                    writer.write(Column.VALUE, row, values.asSlice(0, Column.VALUE.byteSize(filled)));
                    if (withSeries) {
                        writer.write(Column.SERIES, row, series.asSlice(0, Column.SERIES.byteSize(filled)));
                    }
                    row += filled;
                    filled = 0;
                    if (Thread.currentThread().isInterrupted()) {
                        return; // the group was cancelled
                    }
                }
            }
        }
    }

    /** Whether run {@code a} must come before run {@code b}: earlier timestamp, then earlier run. */
    private static boolean before(long[] head, int a, int b) {
        return head[a] < head[b] || (head[a] == head[b] && a < b);
    }

    private static void siftUp(int[] heap, long[] head, int i) {
        int r = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(head, r, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = r;
    }

    private static void siftDown(int[] heap, long[] head, int size) {
        if (size == 0) {
            return;
        }
        int i = 0;
        int r = heap[0];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(head, heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(head, heap[child], r)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = r;
    }

    /** Up to {@code partitions - 1} distinct, increasing timestamps sampled evenly from the runs. */
    private static long[] splitters(List<Run> runs, int partitions) {
        long[] samples = new long[runs.size() * SAMPLES_PER_RUN];
        int n = 0;
        for (Run run : runs) {
            MemorySegment ts = run.ts();
            long rows = run.rowCount();
            int take = (int) Math.min(SAMPLES_PER_RUN, rows);
            for (int i = 0; i < take; i++) {
                samples[n++] = ts.getAtIndex(Column.TS_LAYOUT, i * rows / take);
            }
        }
        Arrays.sort(samples, 0, n);
        long[] splitters = new long[Math.max(0, partitions - 1)];
        int count = 0;
        for (int j = 1; j < partitions && n > 0; j++) {
            long s = samples[(int) ((long) j * n / partitions)];
            if (count == 0 || s > splitters[count - 1]) {
                splitters[count++] = s;
            }
        }
        return Arrays.copyOf(splitters, count);
    }

    /** The first index of sorted {@code ts} whose value is {@code >= key}. */
    private static long lowerBound(MemorySegment ts, long key) {
        long lo = 0;
        long hi = ts.byteSize() / Column.TS.byteWidth();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (ts.getAtIndex(Column.TS_LAYOUT, mid) < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
