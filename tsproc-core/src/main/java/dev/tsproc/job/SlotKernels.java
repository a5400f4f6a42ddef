package dev.tsproc.job;

/**
 * The loops of {@link QueryJob}'s scatter and contiguous kernels over one block of rows copied to
 * the heap, and the bit tricks they share.
 *
 * <p>Every loop is branch-free in the values (see the note on NaN below), reads the block's
 * values {@code v[0, len)} and slots {@code slot[0, len)}, and adds to a {@link SlotTable}'s
 * {@code long[]} of {@value #STRIDE} longs per slot laid out as {@link #ROWS} … {@link #LAST}.
 */
final class SlotKernels {
    private SlotKernels() {}

    /** Longs per slot: one cache line. */
    static final int STRIDE = 8;
    /** Offsets in a slot: rows, missing, sum and sum of squares (double bits), min and max (order keys), first and last (raw bits). */
    static final int ROWS = 0, MISSING = 1, SUM = 2, SQUARES = 3, MIN = 4, MAX = 5, FIRST = 6, LAST = 7;
    /** Integers up to this magnitude have squares up to 2^32: 2^20 of them sum exactly in a double. */
    static final double FAST_LIMIT = 0x1p16;

    // The kernels handle NaN (missing) without branches: a branch on a value that is
    // missing at random mispredicts about a third of the time, and C2 compiles a conditional
    // choice between doubles to a branch. Instead, nanMask gives all ones for NaN and zero
    // otherwise, and the substitutes for a missing value (-0.0 for sums, ±Infinity for the
    // extremes) are blended in with integer masks. Slots are longs: counts as integers, sums as
    // the bits of doubles, extremes as order keys (see Extremes), first/last as raw bits — so
    // min and max are integer compare-and-move, not Math.min's five-instruction NaN dance.

    static final long ABS_BITS = 0x7FFF_FFFF_FFFF_FFFFL;
    static final long INFINITY_BITS = 0x7FF0_0000_0000_0000L;
    static final long NEGATIVE_ZERO_BITS = 0x8000_0000_0000_0000L;
    static final long NAN_BITS = Double.doubleToRawLongBits(Double.NaN);

    /**
     * Folds the extremes of {@code v[0, len)} into group g's: branch-free integer order keys
     * ({@link Extremes#key}) in four independent chains (min and max are exact and order-free, so
     * splitting them changes nothing).
     */
    static void extremes(double[] v, int len, QueryPartial out, int g) {
        long lo0 = Extremes.key(Double.doubleToRawLongBits(out.min[g])), lo1 = lo0, lo2 = lo0, lo3 = lo0;
        long hi0 = Extremes.key(Double.doubleToRawLongBits(out.max[g])), hi1 = hi0, hi2 = hi0, hi3 = hi0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            lo0 = Math.min(lo0, minKey(v[i]));
            lo1 = Math.min(lo1, minKey(v[i + 1]));
            lo2 = Math.min(lo2, minKey(v[i + 2]));
            lo3 = Math.min(lo3, minKey(v[i + 3]));
            hi0 = Math.max(hi0, maxKey(v[i]));
            hi1 = Math.max(hi1, maxKey(v[i + 1]));
            hi2 = Math.max(hi2, maxKey(v[i + 2]));
            hi3 = Math.max(hi3, maxKey(v[i + 3]));
        }
        for (; i < len; i++) {
            lo0 = Math.min(lo0, minKey(v[i]));
            hi0 = Math.max(hi0, maxKey(v[i]));
        }
        out.min[g] = Double.longBitsToDouble(Extremes.key(Math.min(Math.min(lo0, lo1), Math.min(lo2, lo3))));
        out.max[g] = Double.longBitsToDouble(Extremes.key(Math.max(Math.max(hi0, hi1), Math.max(hi2, hi3))));
    }

    /** The order key of {@code x}, or of +Infinity if {@code x} is NaN. */
    static long minKey(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long m = nanMask(bits);
        return (~m & Extremes.key(bits)) | (m & Extremes.NO_LOW);
    }

    /** The order key of {@code x}, or of -Infinity if {@code x} is NaN. */
    static long maxKey(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long m = nanMask(bits);
        return (~m & Extremes.key(bits)) | (m & Extremes.NO_HIGH);
    }

    /**
     * Whether every value of the block is NaN or an integer in [-8, 7] — flags, states, small
     * counts, the talk's 0/1 — with each one's {@link Percentiles#smallIndex} left in {@code index}.
     * Branch-free within a stretch of {@value #STRETCH} values; a float block fails in its first.
     */
    static boolean smallDomain(double[] v, int[] index, int len) {
        for (int from = 0; from < len; from += STRETCH) {
            int negative = 0;
            for (int i = from, to = Math.min(len, from + STRETCH); i < to; i++) {
                int k = Percentiles.smallIndex(v[i]);
                index[i] = k;
                negative |= k;
            }
            if (negative < 0) {
                return false;
            }
        }
        return true;
    }

    /** Values the block tests check without a branch before they may give up on a block. */
    static final int STRETCH = 64;

    /**
     * The small-domain kernel: one counter increment per row, into the row's slot's histogram of
     * the 16 small integers and NaN; counts, sums, squares, extremes (and the sketch's counts)
     * all follow from the histogram when the run is emitted, exactly.
     */
    static void domainBlock(SlotTable slots, int[] slot, int len) {
        long[] domain = slots.domain;
        byte[] touched = slots.touched;
        int[] index = slots.blockIndex;
        for (int i = 0; i < len; i++) {
            int s = slot[i];
            domain[s * Percentiles.SMALL_SLOTS + index[i]]++;
            touched[s] = 1;
        }
    }

    /**
     * Whether every value of the block is missing or an integer of magnitude at most 2^16;
     * branch-free within a stretch of {@value #STRETCH} values.
     */
    static boolean fastBlock(double[] v, int len) {
        for (int from = 0; from < len; from += STRETCH) {
            boolean ok = true;
            for (int i = from, to = Math.min(len, from + STRETCH); i < to; i++) {
                double x = v[i];
                ok &= (x != x) | (Math.abs(x) <= FAST_LIMIT & x == Math.rint(x));
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** All ones if {@code bits} is a NaN, else zero. */
    static long nanMask(long bits) {
        return (INFINITY_BITS - (bits & ABS_BITS)) >> 63;
    }

    static void countBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long m = nanMask(Double.doubleToRawLongBits(v[i]));
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
        }
    }

    /** Counts, plain double sums, extremes and first/last of a block whose sums are exact in doubles. */
    static void fullBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long keep = ~m & bits;
            double z = Double.longBitsToDouble(keep | (m & NEGATIVE_ZERO_BITS));
            long key = Extremes.key(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + SUM] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SUM]) + z);
            acc[o + SQUARES] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SQUARES]) + z * z);
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & Extremes.NO_LOW));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & Extremes.NO_HIGH));
            long first = acc[o + FIRST];
            long unset = nanMask(first);
            acc[o + FIRST] = (first & ~unset) | (bits & unset);
            acc[o + LAST] = (acc[o + LAST] & m) | keep;
        }
    }

    /** As {@link #fullBlock} without first and last. */
    static void statsBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long keep = ~m & bits;
            double z = Double.longBitsToDouble(keep | (m & NEGATIVE_ZERO_BITS));
            long key = Extremes.key(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + SUM] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SUM]) + z);
            acc[o + SQUARES] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SQUARES]) + z * z);
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & Extremes.NO_LOW));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & Extremes.NO_HIGH));
        }
    }

    /** Counts and extremes only: for percentiles (clamped to the extremes) without sums. */
    static void minMaxBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long key = Extremes.key(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & Extremes.NO_LOW));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & Extremes.NO_HIGH));
        }
    }

    /** As {@link #fullBlock} without the sums. */
    static void extremesBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long keep = ~m & bits;
            long key = Extremes.key(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & Extremes.NO_LOW));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & Extremes.NO_HIGH));
            long first = acc[o + FIRST];
            long unset = nanMask(first);
            acc[o + FIRST] = (first & ~unset) | (bits & unset);
            acc[o + LAST] = (acc[o + LAST] & m) | keep;
        }
    }

    /** First and last only, for a block whose other aggregates {@link SlotTable#addFloats} takes. */
    static void endsBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long first = acc[o + FIRST];
            long unset = nanMask(first);
            acc[o + FIRST] = (first & ~unset) | (bits & unset);
            acc[o + LAST] = (acc[o + LAST] & m) | (~m & bits);
        }
    }
}
