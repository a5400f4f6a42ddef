package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

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
 * sign each, allocated only where values fall. The page directory is indexed by binade with the
 * signs interleaved (a zigzag of the page number: +x and −x are neighbours), and spans the
 * binades seen: values on both sides of zero, such as a random walk's, need a directory as wide
 * as their magnitudes' range, not one across every binade between them through zero. A sketch
 * of data from 1e-300 to 1e300 costs at most 4,096 pages (4 MB), one of a random walk's values
 * a few dozen.
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

    /**
     * {@code pages[slot - firstSlot]} counts the bins of the page in that {@linkplain #slot slot}
     * of the directory; null where none fell.
     */
    private long[][] pages;
    private int firstSlot;
    private long count;

    /** The bin of {@code x}, which must not be NaN. */
    static int index(double x) {
        return (int) (Extremes.key(Double.doubleToRawLongBits(x)) >> SHIFT);
    }

    /**
     * Where the page of bin {@code index} sits in the directory: its page number ({@code index >> 7},
     * negative for negative values) zigzagged — 0, −1, 1, −2, … to 0, 1, 2, 3, … — so that the
     * pages of x and −x are next to each other.
     */
    private static int slot(int index) {
        int page = index >> MANTISSA_BITS;
        return (page << 1) ^ (page >> 31);
    }

    /** The first bin index of the page in directory slot {@code slot}. */
    private static int firstIndex(int slot) {
        return ((slot >>> 1) ^ -(slot & 1)) << MANTISSA_BITS;
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
        cover(slot(index), slot(index));
        page(index)[index & PAGE_MASK] += times;
        count += times;
    }

    /** Counts {@code values[from, to)}, none of which may be NaN. */
    void addAll(double[] values, int from, int to) {
        if (from >= to) {
            return;
        }
        int start = slot(index(values[from]));
        cover(start, start);
        long[][] directory = pages;
        int first = firstSlot;
        for (int i = from; i < to; i++) {
            int index = index(values[i]);
            int at = slot(index) - first;
            if (at < 0 || at >= directory.length) { // rare: a run stays within a few binades
                cover(at + first, at + first);
                directory = pages;
                first = firstSlot;
                at = slot(index) - first;
            }
            long[] page = directory[at];
            if (page == null) {
                page = directory[at] = new long[PAGE_SIZE];
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
        cover(other.firstSlot, other.firstSlot + other.pages.length - 1);
        for (int p = 0; p < other.pages.length; p++) {
            long[] from = other.pages[p];
            if (from != null) {
                int at = other.firstSlot + p - firstSlot;
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
        for (int p : pagesInOrder()) {
            long[] page = pages[p];
            for (int k = 0; k < PAGE_SIZE; k++) {
                left -= page[k];
                if (left < 0) {
                    return value(firstIndex(firstSlot + p) | k);
                }
            }
        }
        throw new IllegalArgumentException("rank " + r + " is not below the count " + count);
    }

    /**
     * The positions in {@link #pages} of the pages allocated, in ascending order of their bins:
     * the negative pages (odd slots) from the highest slot down, then the others up.
     */
    private int[] pagesInOrder() {
        int[] order = new int[pages == null ? 0 : pages.length];
        int n = 0;
        for (int p = order.length - 1; p >= 0; p--) {
            if (pages[p] != null && ((firstSlot + p) & 1) == 1) {
                order[n++] = p;
            }
        }
        for (int p = 0; p < order.length; p++) {
            if (pages[p] != null && ((firstSlot + p) & 1) == 0) {
                order[n++] = p;
            }
        }
        return Arrays.copyOf(order, n);
    }

    /** Makes the page directory span slots {@code [low, high]} as well as those it spans. */
    private void cover(int low, int high) {
        if (pages == null) {
            pages = new long[high - low + 1][];
            firstSlot = low;
            return;
        }
        int last = firstSlot + pages.length - 1;
        if (low >= firstSlot && high <= last) {
            return;
        }
        int from = Math.min(low, firstSlot);
        long[][] wider = new long[Math.max(high, last) - from + 1][];
        System.arraycopy(pages, 0, wider, firstSlot - from, pages.length);
        pages = wider;
        firstSlot = from;
    }

    private long[] page(int index) {
        int at = slot(index) - firstSlot;
        long[] page = pages[at];
        return page != null ? page : (pages[at] = new long[PAGE_SIZE]);
    }

    /**
     * Writes the counts: the number of bins that hold any, then each as (index i32, count i64)
     * in ascending index order.
     */
    void writeTo(DataOutput out) throws IOException {
        int[] order = pagesInOrder();
        int bins = 0;
        for (int p : order) {
            for (long c : pages[p]) {
                bins += c != 0 ? 1 : 0;
            }
        }
        out.writeInt(bins);
        for (int p : order) {
            for (int k = 0; k < PAGE_SIZE; k++) {
                if (pages[p][k] != 0) {
                    out.writeInt(firstIndex(firstSlot + p) | k);
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
            sketch.cover(slot(index), slot(index));
            sketch.page(index)[index & PAGE_MASK] = c;
            sketch.count += c;
            previous = index;
        }
        return sketch;
    }
}
