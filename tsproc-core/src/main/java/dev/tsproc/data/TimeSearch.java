package dev.tsproc.data;

import java.lang.foreign.MemorySegment;

/**
 * Searches on a sorted {@code ts} column: the first row at or after a time, by binary search
 * (about log2(rows) reads of the mapped column, no scan) or by galloping outward from a row
 * when the answer is likely near it.
 */
public final class TimeSearch {
    private TimeSearch() {}

    /** The first row in {@code [from, to)} of {@code ts} whose timestamp is at least {@code t}, or {@code to}. */
    public static long firstAtOrAfter(MemorySegment ts, long from, long to, long t) {
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
    public static long gallop(MemorySegment ts, long from, long to, long t) {
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
