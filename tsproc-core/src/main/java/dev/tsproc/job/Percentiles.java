package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The values of one group as percentiles need them: every value while the group is small, a
 * mergeable sketch once it is not, or every value whatever the size (exact mode).
 *
 * <p><b>Definition.</b> The percentile at quantile {@code q} of {@code n} values is SQL's
 * {@code percentile_disc(q)}: the smallest value whose cumulative share is at least {@code q},
 * i.e. the value of 0-based rank {@code r = max(1, ⌈q·n⌉) − 1} in ascending order (DuckDB's
 * {@code quantile_disc}, {@code numpy.percentile(..., method="inverted_cdf")}). {@code q} is
 * taken as the decimal the user wrote (0.99, not the double nearest it), so the rank is exact.
 *
 * <p><b>Sketch and its error bound.</b> By default a group's values go into a
 * {@link LogLinearSketch}, a DDSketch (Masson, Rim, Lee, "DDSketch: a fast and fully-mergeable
 * quantile sketch with relative-error guarantees", VLDB 2019) with the bit-wise log-linear
 * mapping — 128 bins per binade, found from a value's exponent and top mantissa bits: the value
 * reported for rank {@code r} differs from the exact value {@code x} of that rank by at most
 * {@code |x|·}{@value #RELATIVE_ACCURACY} (1/256, about 0.4%). The reported value is then clamped
 * to the group's exact [min, max], which can only bring it closer (so an extreme percentile of
 * discrete data such as the talk's {0, 1} comes out exact). Exceptions: subnormal values (below
 * 2.2e-308) are reported within an absolute 2^-1029 instead; zeros and infinities are exact.
 *
 * <p><b>Determinism.</b> The sketch maps each value to a bin by a fixed function of the value and
 * merges by adding integer bin counts, so the sketch — hence every reported percentile — depends
 * only on the multiset of values, not on their order, the batch size or the worker count. No
 * randomness is involved (KLL and t-digest were rejected for this: KLL compacts at random, and
 * both give answers that depend on the order of merges).
 *
 * <p><b>Small integers</b> in [-8, 7] are counted in a tiny exact histogram and enter the sketch
 * as weighted updates when it is read or merged: the sketch's bins end up exactly as if every
 * value had entered one by one, but states, flags and counts — like the talk's 0/1 values — skip
 * the per-value sketch update.
 *
 * <p><b>Small groups are exact.</b> A group holds its values (8 bytes each) until it has more
 * than {@value #EXACT_LIMIT} besides the small integers, which are counted anyway; only then do
 * they go into a sketch, which is created then. Below the limit, holding and sorting the values
 * costs no more memory than the sketch's pages and less time than its updates (BENCHMARKS.md,
 * "Exact percentiles for small groups"), and the answer is exact. Whether a group is sketched
 * depends only on how many values it has — held counts add up across partials, and a partial
 * that passed the limit stays sketched — so the answer stays independent of batching.
 * {@link #exact()} says which a group is, so results can label approximate percentiles.
 *
 * <p><b>Exact mode</b> ({@code --exact-percentiles}) holds every value however many: {@code
 * O(n log n)} time and {@code 8n} bytes per group.
 *
 * <p>Not thread-safe: one batch fills its own instances; the coordinator merges them.
 */
public final class Percentiles {
    /** Relative accuracy of the sketch: a reported percentile is within 1/256 (0.4%) of the exact one. */
    public static final double RELATIVE_ACCURACY = LogLinearSketch.RELATIVE_ACCURACY;
    /**
     * Most values (small integers aside) a group holds before it is sketched: 4 KiB of values,
     * about what a sketch of a group's values takes in pages (BENCHMARKS.md).
     */
    public static final int EXACT_LIMIT = 512;

    /** Values read per step of an exact-mode partial: the array grows only as bytes arrive. */
    private static final int READ_STEP = 1 << 16;
    static final int SMALL_OFFSET = 8;
    /** Counters per group in a small-count array: the integers -8..7, then NaN (ignored). */
    static final int SMALL_SLOTS = 2 * SMALL_OFFSET + 1;

    /** Most values held before the sketch takes over: {@link #EXACT_LIMIT}, or all of them in exact mode. */
    private final int limit;
    /** {@code null} while the values are held. */
    private LogLinearSketch sketch;
    /** Counts of the integers -8..7 (and of NaN, ignored), not in {@link #values} nor yet in the sketch. */
    private final long[] small = new long[SMALL_SLOTS];
    /** The values held (not small integers), {@code values[0, size)}; {@code null} once sketched. */
    private double[] values = new double[16];
    private int size;

    /** @param exact whether every value is held however many (exact mode), not only up to {@link #EXACT_LIMIT} */
    Percentiles(boolean exact) {
        this(exact ? Integer.MAX_VALUE : EXACT_LIMIT);
    }

    /** Holds up to {@code limit} values before sketching them (0: sketches from the start). */
    Percentiles(int limit) {
        this.limit = limit;
        if (limit == 0) {
            startSketch();
        }
    }

    /** Whether the percentiles are exact: the values are held, not sketched. */
    boolean exact() {
        return sketch == null;
    }

    /** Adds {@code v}, which must not be NaN. */
    void accept(double v) {
        int k = smallIndex(v);
        if (k >= 0) {
            small[k]++;
            return;
        }
        acceptLarge(v);
    }

    private void acceptLarge(double v) {
        if (sketch == null && size < limit) {
            if (size == values.length) {
                values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, values.length * 2L));
            }
            values[size++] = v;
            return;
        }
        if (sketch == null) {
            startSketch();
        }
        sketch.add(v, 1);
    }

    /**
     * Adds {@code v[from, to)}, none of which may be NaN or an integer in [-8, 7]: held while the
     * group stays within its limit, else counted by the sketch in one pass.
     */
    void acceptLarge(double[] v, int from, int to) {
        int n = to - from;
        if (sketch == null && (long) size + n <= limit) {
            if (size + n > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(limit, Math.max(2L * values.length, size + n)));
            }
            System.arraycopy(v, from, values, size, n);
            size += n;
            return;
        }
        if (sketch == null) {
            startSketch();
        }
        sketch.addAll(v, from, to);
    }

    /** Moves the values held into a new sketch: the group has passed the limit. */
    private void startSketch() {
        sketch = new LogLinearSketch();
        sketch.addAll(values, 0, size);
        values = null;
        size = 0;
    }

    /**
     * Where {@code x} is counted in a small-count array: {@code x + 8} for an integer in [-8, 7],
     * 16 for a NaN, -1 for any other value (which must go to {@link #accept}; a rare NaN with an
     * unusual payload gets -1 too). Branch-free and without conversions: every such integer, and
     * the usual NaN, has zero low 48 bits, so the top 16 bits index a table — the talk's data is a
     * random mix of 0, 1 and NaN, on which any branch would mispredict.
     */
    static int smallIndex(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long low = bits & 0xFFFF_FFFF_FFFFL;
        int lowNonZero = (int) ((low | -low) >>> 63);
        return SMALL_TABLE[(int) (bits >>> 48) | (lowNonZero << 16)];
    }

    /** {@link #smallIndex} by the top 16 bits of a double whose low 48 bits are zero; -1 in the upper half. */
    private static final byte[] SMALL_TABLE = new byte[1 << 17];

    static {
        java.util.Arrays.fill(SMALL_TABLE, (byte) -1);
        for (int k = -SMALL_OFFSET; k < SMALL_OFFSET; k++) {
            SMALL_TABLE[(int) (Double.doubleToRawLongBits(k) >>> 48)] = (byte) (k + SMALL_OFFSET);
        }
        for (int top = 0x7FF1; top <= 0x7FFF; top++) {
            SMALL_TABLE[top] = (byte) (2 * SMALL_OFFSET);
            SMALL_TABLE[top | 0x8000] = (byte) (2 * SMALL_OFFSET);
        }
    }

    /** Adds the small-integer counts {@code counts[from, from + 16)} (as made by {@link #smallIndex}). */
    void addSmallCounts(long[] counts, int from) {
        for (int k = 0; k < 2 * SMALL_OFFSET; k++) {
            small[k] += counts[from + k];
        }
    }

    /**
     * Adds the values {@code v[0, len)} that are not NaN, overwriting {@code v}: the small
     * integers are counted, the others moved to its front and added as one run.
     */
    void acceptAll(double[] v, int len) {
        long[] counts = small;
        int large = 0;
        for (int i = 0; i < len; i++) {
            double x = v[i];
            int k = smallIndex(x);
            if (k >= 0) {
                counts[k]++;
            } else if (x == x) {
                v[large++] = x;
            }
        }
        acceptLarge(v, 0, large);
    }

    /** Adds everything {@code later} holds. */
    void addAll(Percentiles later) {
        for (int k = 0; k < small.length; k++) {
            small[k] += later.small[k];
        }
        if (later.sketch == null && sketch == null && (long) size + later.size <= limit) {
            if (size + later.size > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + later.size));
            }
            System.arraycopy(later.values, 0, values, size, later.size);
            size += later.size;
            return;
        }
        if (sketch == null) {
            startSketch();
        }
        if (later.sketch == null) {
            sketch.addAll(later.values, 0, later.size);
        } else {
            sketch.addAll(later.sketch);
        }
    }

    /** The 0-based rank of quantile {@code q} among {@code n >= 1} values: {@code max(1, ⌈q·n⌉) − 1}, exactly. */
    static long rank(double q, long n) {
        long ceil = new BigDecimal(Double.toString(q)).multiply(BigDecimal.valueOf(n))
                .setScale(0, RoundingMode.CEILING).longValueExact();
        return Math.max(1, ceil) - 1;
    }

    /**
     * The percentiles at {@code quantiles} of the values held, clamped to {@code [min, max]}; NaN
     * for all when no value is held. Sorts the values in exact mode (once).
     */
    double[] valuesAt(double[] quantiles, double min, double max) {
        double[] out = new double[quantiles.length];
        if (sketch != null) {
            settle();
        }
        long n = count();
        if (n == 0) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        if (sketch == null) {
            Arrays.sort(values, 0, size);
        }
        for (int k = 0; k < quantiles.length; k++) {
            long r = rank(quantiles[k], n);
            double v = sketch == null ? heldValueAt(r) : sketch.valueAt(r);
            out[k] = Math.min(max, Math.max(min, v));
        }
        return out;
    }

    /**
     * The value of rank {@code r} among the sorted values held and the small integers counted:
     * for each small integer in ascending order, first the held values below it (found by binary
     * search), then its copies.
     */
    private double heldValueAt(long r) {
        long left = r;
        int from = 0;
        for (int k = 0; k < 2 * SMALL_OFFSET; k++) {
            double integer = k - SMALL_OFFSET;
            int below = from;
            for (int high = size; below < high; ) { // first held value not below the integer, in Double.compare's order
                int mid = (below + high) >>> 1;
                if (Double.compare(values[mid], integer) < 0) {
                    below = mid + 1;
                } else {
                    high = mid;
                }
            }
            if (left < below - from) {
                return values[from + (int) left];
            }
            left -= below - from;
            from = below;
            if (left < small[k]) {
                return integer;
            }
            left -= small[k];
        }
        return values[from + (int) left];
    }

    /** Moves the small-integer counts into the sketch as weighted updates. */
    private void settle() {
        for (int k = 0; k < 2 * SMALL_OFFSET; k++) {
            if (small[k] > 0) {
                sketch.add(k - SMALL_OFFSET, small[k]);
                small[k] = 0;
            }
        }
    }

    private long count() {
        if (sketch != null) {
            return sketch.count();
        }
        long n = size;
        for (int k = 0; k < 2 * SMALL_OFFSET; k++) {
            n += small[k];
        }
        return n;
    }

    /**
     * Writes the exact state for another process: the small-integer counts, then the number of
     * values held and each of them, or -1 and the sketch's bins ({@link LogLinearSketch#writeTo}):
     * the reader's state answers and merges exactly as this one would.
     */
    void writeTo(DataOutput out) throws IOException {
        for (long c : small) {
            out.writeLong(c);
        }
        if (sketch == null) {
            out.writeInt(size);
            for (int i = 0; i < size; i++) {
                out.writeLong(Double.doubleToRawLongBits(values[i]));
            }
            return;
        }
        out.writeInt(-1);
        sketch.writeTo(out);
    }

    /**
     * Reads what {@link #writeTo} wrote, rejecting any state it cannot have written: a negative
     * count, a NaN value, a sketch's bin no value maps to, bins out of order. Allocates only as
     * data arrives.
     *
     * @param exact whether the job keeps every value (it must match the writer's mode)
     */
    static Percentiles readFrom(DataInput in, boolean exact) throws IOException {
        Percentiles p = new Percentiles(exact);
        for (int k = 0; k < SMALL_SLOTS; k++) {
            p.small[k] = count(in.readLong(), "small[" + k + "]");
        }
        int n = in.readInt();
        if (n < -1 || n > p.limit) {
            throw new IOException("percentile values count=" + n + " is outside [-1, " + p.limit + "]");
        }
        if (n == -1) {
            p.sketch = LogLinearSketch.readFrom(in);
            p.values = null;
            return p;
        }
        for (int read = 0; read < n; ) {
            int step = Math.min(READ_STEP, n - read);
            p.values = Arrays.copyOf(p.values, Math.max(p.values.length, read + step));
            for (int i = 0; i < step; i++) {
                double v = Double.longBitsToDouble(in.readLong());
                if (v != v) {
                    throw new IOException("percentile value[" + (read + i) + "] is NaN");
                }
                p.values[read + i] = v;
            }
            read += step;
            p.size = read;
        }
        return p;
    }

    private static long count(long value, String field) throws IOException {
        if (value < 0) {
            throw new IOException("percentile " + field + "=" + value + " is negative");
        }
        return value;
    }
}
