package dev.tsproc.job;

import dev.tsproc.data.Column;
import dev.tsproc.store.Store;

import java.lang.foreign.MemorySegment;

/**
 * The rows {@code [firstRow, rowEnd)} of a store whose timestamps lie in a half-open time range,
 * found by binary search on the sorted {@code ts} column: about 2·log2(rows) reads of the mapped
 * column, no scan, so batches outside the range are never planned.
 *
 * @param firstRow first row in the range
 * @param rowEnd   one past the last row in the range; equal to {@code firstRow} when it is empty
 */
public record RowRange(long firstRow, long rowEnd) {
    public RowRange {
        if (firstRow < 0 || rowEnd < firstRow) {
            throw new IllegalArgumentException("firstRow=" + firstRow + " rowEnd=" + rowEnd);
        }
    }

    /** Number of rows. */
    public long rowCount() {
        return rowEnd - firstRow;
    }

    /** The rows of {@code store} with {@code fromNanos <= ts < toNanos}. */
    public static RowRange of(Store store, long fromNanos, long toNanos) {
        long n = store.rowCount();
        if (n == 0) {
            return new RowRange(0, 0);
        }
        MemorySegment ts = store.column(Column.TS);
        long first = fromNanos == Long.MIN_VALUE ? 0 : firstAtOrAfter(ts, 0, n, fromNanos);
        long end = toNanos == Long.MAX_VALUE ? n : firstAtOrAfter(ts, first, n, toNanos);
        return new RowRange(first, Math.max(first, end));
    }

    /** The first row in {@code [from, to)} whose timestamp is at least {@code t}, or {@code to}. */
    static long firstAtOrAfter(MemorySegment ts, long from, long to, long t) {
        long lo = from;
        long hi = to;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (ts.getAtIndex(Column.TS_LAYOUT, mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * As {@link #firstAtOrAfter} but searching outward from {@code from} first (galloping), so
     * finding the end of a short run costs O(log of its length), not of the whole range.
     */
    static long gallop(MemorySegment ts, long from, long to, long t) {
        long step = 1;
        long lo = from;
        long probe = from;
        while (probe < to && ts.getAtIndex(Column.TS_LAYOUT, probe) < t) {
            lo = probe + 1;
            probe = from + step;
            step <<= 1;
        }
        return firstAtOrAfter(ts, lo, Math.min(probe, to), t);
    }
}
