package dev.tsproc.plan;

import dev.tsproc.data.Column;
import dev.tsproc.data.TimeSearch;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.store.Store;

import java.lang.foreign.MemorySegment;

/**
 * Turns a store and a job request into a {@link Plan}: the one place that decides which rows a
 * run covers and how they are cut into batches.
 *
 * <p>A query's time range ({@code --from}, {@code --to}) selects the rows {@code [firstRow,
 * rowEnd)} whose timestamps lie in it, found by binary search on the sorted {@code ts} column,
 * so batches outside the range are never planned; every other request covers every row.
 * Batches of {@code batchRows} rows are cut from the first row covered, never depending on the
 * number of workers: that is what makes the answer the same on any executor.
 */
public final class Planner {
    private Planner() {}

    /** The plan of {@code request} over {@code store} in batches of {@code batchRows} rows. */
    public static Plan plan(Store store, JobRequest request, long batchRows) {
        if (request instanceof JobRequest.Query(QuerySpec spec)) {
            return between(store, spec.fromNanos(), spec.toNanos(), batchRows);
        }
        return everyRow(store, batchRows);
    }

    /** Every row of {@code store} in batches of {@code batchRows} rows: the plan of a job given as an object. */
    public static Plan everyRow(Store store, long batchRows) {
        return new Plan(0, store.rowCount(), batchRows);
    }

    /** The rows of {@code store} with {@code fromNanos <= ts < toNanos}, in batches of {@code batchRows} rows. */
    public static Plan between(Store store, long fromNanos, long toNanos, long batchRows) {
        long n = store.rowCount();
        if (n == 0) {
            return new Plan(0, 0, batchRows);
        }
        MemorySegment ts = store.column(Column.TS);
        long first = fromNanos == Long.MIN_VALUE ? 0 : TimeSearch.firstAtOrAfter(ts, 0, n, fromNanos);
        long end = toNanos == Long.MAX_VALUE ? n : TimeSearch.firstAtOrAfter(ts, first, n, toNanos);
        return new Plan(first, Math.max(first, end) - first, batchRows);
    }
}
