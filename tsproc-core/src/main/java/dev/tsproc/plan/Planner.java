package dev.tsproc.plan;

import dev.tsproc.data.Column;
import dev.tsproc.data.TimeSearch;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;

import java.lang.foreign.MemorySegment;

/**
 * Turns a store and a job request into a {@link Plan}: the one place that decides which rows a
 * run covers and how they are cut into batches.
 *
 * <p>A query's time range ({@code --from}, {@code --to}) selects the rows {@code [firstRow,
 * rowEnd)} whose timestamps lie in it, found by binary search on the sorted {@code ts} column,
 * so batches outside the range are never planned; every other request covers every row. The
 * search reads the column where it probes, unchecked; the rows either side of each boundary it
 * finds are then checked ({@link Store#checkRows}), which proves the boundary right: in a store
 * in time order it is the only row with an earlier time before it and no earlier time at it.
 * The rows between are checked as the batches read them.
 * Batches of {@code batchRows} rows are cut from the first row covered, never depending on the
 * number of workers: that is what makes the answer the same on any executor.
 */
public final class Planner {
    private Planner() {}

    /**
     * The plan of {@code request} over {@code store} in batches of {@code batchRows} rows.
     *
     * @throws CorruptStoreException if a time range's boundary lies in a damaged block
     */
    public static Plan plan(Store store, JobRequest request, long batchRows) throws CorruptStoreException {
        if (request instanceof JobRequest.Query(QuerySpec spec)) {
            return between(store, spec.fromNanos(), spec.toNanos(), batchRows);
        }
        return everyRow(store, batchRows);
    }

    /** Every row of {@code store} in batches of {@code batchRows} rows: the plan of a job given as an object. */
    public static Plan everyRow(Store store, long batchRows) {
        return new Plan(0, store.rowCount(), batchRows);
    }

    /**
     * The rows of {@code store} with {@code fromNanos <= ts < toNanos}, in batches of {@code batchRows} rows.
     *
     * @throws CorruptStoreException if a boundary of the range lies in a damaged block
     */
    public static Plan between(Store store, long fromNanos, long toNanos, long batchRows) throws CorruptStoreException {
        long n = store.rowCount();
        if (n == 0) {
            return new Plan(0, 0, batchRows);
        }
        MemorySegment ts = store.column(Column.TS);
        long first = fromNanos == Long.MIN_VALUE ? 0 : TimeSearch.firstAtOrAfter(ts, 0, n, fromNanos);
        long end = toNanos == Long.MAX_VALUE ? n : TimeSearch.firstAtOrAfter(ts, first, n, toNanos);
        if (fromNanos != Long.MIN_VALUE) {
            checkAround(store, first);
        }
        if (toNanos != Long.MAX_VALUE) {
            checkAround(store, end);
        }
        return new Plan(first, Math.max(first, end) - first, batchRows);
    }

    /** Checks the {@code ts} blocks of the rows either side of {@code boundary}, a row a search found. */
    private static void checkAround(Store store, long boundary) throws CorruptStoreException {
        long before = Math.max(0, boundary - 1);
        store.checkRows(Column.TS, before, Math.min(store.rowCount(), boundary + 1) - before);
    }
}
