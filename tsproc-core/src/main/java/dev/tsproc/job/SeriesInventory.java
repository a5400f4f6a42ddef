package dev.tsproc.job;

import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * The series of a store, each with its rows, missing values and first and last time: what
 * {@code tsproc info} lists. A job, so that it reads the store once, on every core, as any
 * query does; a store without a series column is one series without a name.
 *
 * <p>Each batch's partial holds four numbers per series of the dictionary; the combine adds the
 * counts and keeps the earlier batch's first time and the later batch's last (batches arrive in
 * row order, and rows in time order).
 */
public final class SeriesInventory implements Job<SeriesInventory.Partial, List<SeriesInventory.Series>> {
    /**
     * One series.
     *
     * @param name       its name, {@code null} for the one series of a store without a series column
     * @param rows       its rows
     * @param missing    its rows whose value is missing (NaN)
     * @param firstNanos the time of its first row, epoch nanoseconds (meaningless without rows)
     * @param lastNanos  the time of its last row
     */
    public record Series(String name, long rows, long missing, long firstNanos, long lastNanos) {}

    /** Per series (by id): rows, missing values, first and last time. */
    public static final class Partial {
        final long[] rows;
        final long[] missing;
        final long[] first;
        final long[] last;

        Partial(int series) {
            rows = new long[series];
            missing = new long[series];
            first = new long[series];
            last = new long[series];
        }
    }

    private final SeriesDictionary dictionary;
    private final int series;

    /** The inventory of a store whose series are {@code dictionary} (empty when it has no series column). */
    public SeriesInventory(SeriesDictionary dictionary) {
        this.dictionary = dictionary;
        this.series = Math.max(1, dictionary.size());
    }

    @Override
    public String name() {
        return "series";
    }

    @Override
    public Partial empty() {
        return new Partial(series);
    }

    /**
     * Counts a batch block by block ({@link BlockKernels#BLOCK} rows copied from the mapping to
     * the heap, as the query kernels do, so the loop runs over arrays), noting each series' first
     * and last row and reading only those rows' times.
     */
    @Override
    public Partial map(BatchView batch) {
        Partial p = new Partial(series);
        long[] firstRow = new long[series];
        long[] lastRow = new long[series];
        Arrays.fill(firstRow, -1);
        double[] values = new double[BlockKernels.BLOCK];
        int[] ids = new int[BlockKernels.BLOCK];
        long n = batch.rowCount();
        for (long start = 0; start < n; start += BlockKernels.BLOCK) {
            int len = (int) Math.min(BlockKernels.BLOCK, n - start);
            MemorySegment.copy(batch.values(), Column.VALUE_LAYOUT, start * Double.BYTES, values, 0, len);
            if (batch.hasSeries()) {
                MemorySegment.copy(batch.series(), Column.SERIES_LAYOUT, start * Integer.BYTES, ids, 0, len);
            }
            for (int i = 0; i < len; i++) {
                int s = ids[i];
                if (s < 0 || s >= series) {
                    throw new IllegalStateException("series id " + s + " is not in the store's dictionary of " + series + " series");
                }
                p.rows[s]++;
                p.missing[s] += values[i] != values[i] ? 1 : 0;
                if (firstRow[s] < 0) {
                    firstRow[s] = start + i;
                }
                lastRow[s] = start + i;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("cancelled");
            }
        }
        for (int s = 0; s < series; s++) {
            if (firstRow[s] >= 0) {
                p.first[s] = batch.ts(firstRow[s]);
                p.last[s] = batch.ts(lastRow[s]);
            }
        }
        return p;
    }

    @Override
    public Partial combine(Partial earlier, Partial later) {
        for (int s = 0; s < series; s++) {
            if (later.rows[s] > 0) {
                if (earlier.rows[s] == 0) {
                    earlier.first[s] = later.first[s];
                }
                earlier.last[s] = later.last[s];
                earlier.rows[s] += later.rows[s];
                earlier.missing[s] += later.missing[s];
            }
        }
        return earlier;
    }

    /** Every series of the dictionary in id order, those without rows too; the one unnamed series of a store without. */
    @Override
    public List<Series> finish(Partial p) {
        List<Series> list = new ArrayList<>(series);
        for (int s = 0; s < series; s++) {
            list.add(new Series(dictionary.size() == 0 ? null : dictionary.name(s), p.rows[s], p.missing[s], p.first[s], p.last[s]));
        }
        return list;
    }
}
