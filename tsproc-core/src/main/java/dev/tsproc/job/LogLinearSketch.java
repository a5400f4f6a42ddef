package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A count of values per log-linear bin, from which any rank's value is read within a fixed
 * relative error: a DDSketch (Masson, Rim, Lee, VLDB 2019) with the bit-wise index mapping and
 * paged counts, written for the one thing tsproc does with it — many values into one sketch at
 * a time.
 *
 * <p><b>Bins.</b> A value's bin is its {@linkplain Extremes#key order key} shifted right by
 * {@value #SHIFT} bits: the sign, the 11 exponent bits and the top {@value #MANTISSA_BITS}
 * mantissa bits, as one signed integer that ascends with the value. A positive normal value's
 * bin is [a, b) with {@code b = a·(1 + 2^-7/(1 + k/128))} for its top mantissa bits {@code k};
 * a negative value's bin mirrors its magnitude's. Both zeros and the subnormals smaller than
 * 2^-1029 share a bin per sign, and each infinity has a bin of its own. Computing a bin takes
 * three integer operations and no logarithm, which is why this and not DDSketch's library,
 * whose generic mapping and store cost several times as much per value (docs/BENCHMARKS.md).
 *
 * <p><b>Error bound.</b> A bin reports the harmonic mean {@code v = 2ab/(a + b)} of its bounds,
 * which is off from any value {@code x} of the bin by at most {@code |x|·(b − a)/(a + b) ≤
 * |x|/257}; with the one rounding of {@code v}, at most {@code |x|·}{@value #RELATIVE_ACCURACY}.
 * Subnormal values (below 2^-1022 ≈ 2.2e-308) are off by less than 2^-1029 instead, and a zero
 * or an infinity is reported exactly.
 *
 * <p><b>Pages.</b> Counts live in pages of {@value #PAGE_SIZE} {@code long}s, one binade of one
 * sign each, allocated only where values fall; the page directory spans the binades seen. A
 * sketch of data from 1e-300 to 1e300 costs at most 4,096 pages (4 MB), one of a random walk's
 * values a few dozen.
 *
 * <p><b>Determinism.</b> The counts depend only on the multiset of values added — not on their
 * order, how they were split between sketches, or the order of merges — so every value read
 * from them does too.
 *
 * <p>Not thread-safe.
 */
final class LogLinearSketch {
    /** Mantissa bits in a bin's index: 128 bins per binade. */
    static final int MANTISSA_BITS = 7;
    /** A bound on the relative error of a value read, for values of at least 2^-1022 in magnitude (see above). */
    static final double RELATIVE_ACCURACY = 0x1p-8;
    private static final int SHIFT = 52 - MANTISSA_BITS;
    private static final int PAGE_SIZE = 1 << MANTISSA_BITS;
    private static final int PAGE_MASK = PAGE_SIZE - 1;
    /** Index of the bin of +Infinity, the highest; -Infinity's, the lowest, mirrors it. */
    static final int MAX_INDEX = (int) (Double.doubleToRawLongBits(Double.POSITIVE_INFINITY) >> SHIFT);
    static final int MIN_INDEX = -1 - MAX_INDEX;
    private static final int EXPONENT_MASK = 0x7FF;

    /** {@code pages[p - firstPage]} counts the bins of page {@code p} (bin index {@code >> 7}); null where none fell. */
    private long[][] pages;
    private int firstPage;
    private long count;

    /** The bin of {@code x}, which must not be NaN. */
    static int index(double x) {
        return (int) (Extremes.key(Double.doubleToRawLongBits(x)) >> SHIFT);
    }

    /** The value a bin reports: within {@link #RELATIVE_ACCURACY} of every value in it (see the class). */
    static double value(int index) {
        if (index < 0) {
            return -value(-1 - index);
        }
        int exponent = index >>> MANTISSA_BITS;
        int k = index & PAGE_MASK;
        if (exponent == EXPONENT_MASK) {
            return Double.POSITIVE_INFINITY;
        }
        if (exponent == 0) { // subnormal: the bin is [k, k + 1)·2^-1029, and 0 for k = 0
            return Math.scalb(2.0 * k * (k + 1) / (2 * k + 1), -1022 - MANTISSA_BITS);
        }
        double a = 1 + k / (double) PAGE_SIZE;
        double b = 1 + (k + 1) / (double) PAGE_SIZE;
        return Math.scalb(2 * a * b / (a + b), exponent - 1023);
    }

    /** Values counted. */
    long count() {
        return count;
    }

    /** Counts {@code x}, which must not be NaN, {@code times} times. */
    void add(double x, long times) {
        int index = index(x);
        cover(index >> MANTISSA_BITS, index >> MANTISSA_BITS);
        page(index)[index & PAGE_MASK] += times;
        count += times;
    }

    /** Counts {@code values[from, to)}, none of which may be NaN. */
    void addAll(double[] values, int from, int to) {
        if (from >= to) {
            return;
        }
        // the pages' range first, so that the loop below only ever finds a page missing, never the directory short
        int low = Integer.MAX_VALUE;
        int high = Integer.MIN_VALUE;
        for (int i = from; i < to; i++) {
            int page = index(values[i]) >> MANTISSA_BITS;
            low = Math.min(low, page);
            high = Math.max(high, page);
        }
        cover(low, high);
        long[][] directory = pages;
        int first = firstPage;
        for (int i = from; i < to; i++) {
            int index = index(values[i]);
            long[] page = directory[(index >> MANTISSA_BITS) - first];
            if (page == null) {
                page = directory[(index >> MANTISSA_BITS) - first] = new long[PAGE_SIZE];
            }
            page[index & PAGE_MASK]++;
        }
        count += to - from;
    }

    /** Adds every count of {@code other}. */
    void addAll(LogLinearSketch other) {
        if (other.pages == null) {
            return;
        }
        cover(other.firstPage, other.firstPage + other.pages.length - 1);
        for (int p = 0; p < other.pages.length; p++) {
            long[] from = other.pages[p];
            if (from != null) {
                int at = other.firstPage + p - firstPage;
                if (pages[at] == null) {
                    pages[at] = from.clone();
                } else {
                    long[] to = pages[at];
                    for (int k = 0; k < PAGE_SIZE; k++) {
                        to[k] += from[k];
                    }
                }
            }
        }
        count += other.count;
    }

    /** The value of the bin holding rank {@code r} (0-based, below {@link #count()}) in ascending order. */
    double valueAt(long r) {
        long left = r;
        for (int p = 0; p < pages.length; p++) {
            long[] page = pages[p];
            if (page == null) {
                continue;
            }
            for (int k = 0; k < PAGE_SIZE; k++) {
                left -= page[k];
                if (left < 0) {
                    return value(((firstPage + p) << MANTISSA_BITS) | k);
                }
            }
        }
        throw new IllegalArgumentException("rank " + r + " is not below the count " + count);
    }

    /** Makes the page directory span pages {@code [low, high]} as well as those it spans. */
    private void cover(int low, int high) {
        if (pages == null) {
            pages = new long[high - low + 1][];
            firstPage = low;
            return;
        }
        int last = firstPage + pages.length - 1;
        if (low >= firstPage && high <= last) {
            return;
        }
        int from = Math.min(low, firstPage);
        long[][] wider = new long[Math.max(high, last) - from + 1][];
        System.arraycopy(pages, 0, wider, firstPage - from, pages.length);
        pages = wider;
        firstPage = from;
    }

    private long[] page(int index) {
        int at = (index >> MANTISSA_BITS) - firstPage;
        long[] page = pages[at];
        return page != null ? page : (pages[at] = new long[PAGE_SIZE]);
    }

    /**
     * Writes the counts: the number of bins that hold any, then each as (index i32, count i64)
     * in ascending index order.
     */
    void writeTo(DataOutput out) throws IOException {
        int bins = 0;
        for (long[] page : pages == null ? new long[0][] : pages) {
            for (int k = 0; page != null && k < PAGE_SIZE; k++) {
                bins += page[k] != 0 ? 1 : 0;
            }
        }
        out.writeInt(bins);
        for (int p = 0; pages != null && p < pages.length; p++) {
            for (int k = 0; pages[p] != null && k < PAGE_SIZE; k++) {
                if (pages[p][k] != 0) {
                    out.writeInt(((firstPage + p) << MANTISSA_BITS) | k);
                    out.writeLong(pages[p][k]);
                }
            }
        }
    }

    /**
     * Reads what {@link #writeTo} wrote, refusing what it cannot have written: a bin no value
     * maps to, bins out of order, a count below 1 or above 2^53 each or 2^62 in all.
     */
    static LogLinearSketch readFrom(DataInput in) throws IOException {
        LogLinearSketch sketch = new LogLinearSketch();
        int n = in.readInt();
        if (n < 0 || n > MAX_INDEX - MIN_INDEX + 1) {
            throw new IOException("sketch bins count=" + n + " is outside [0, " + (MAX_INDEX - MIN_INDEX + 1) + "]");
        }
        long previous = Long.MIN_VALUE;
        for (int b = 0; b < n; b++) {
            int index = in.readInt();
            if (index < MIN_INDEX || index > MAX_INDEX || index <= previous) {
                throw new IOException("sketch bin[" + b + "] index=" + index + " is out of order or outside ["
                        + MIN_INDEX + ", " + MAX_INDEX + "]");
            }
            long c = in.readLong();
            if (c <= 0 || c > 1L << 53 || sketch.count + c > 1L << 62) {
                throw new IOException("sketch bin[" + b + "] count=" + c + " is outside [1, 2^53] or makes the total pass 2^62");
            }
            sketch.cover(index >> MANTISSA_BITS, index >> MANTISSA_BITS);
            sketch.page(index)[index & PAGE_MASK] = c;
            sketch.count += c;
            previous = index;
        }
        return sketch;
    }
}
