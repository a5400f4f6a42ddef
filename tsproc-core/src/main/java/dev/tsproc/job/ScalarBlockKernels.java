package dev.tsproc.job;

import dev.tsproc.data.Column;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The block kernels in plain Java: branch-free NaN handling with integer bit masks, so that
 * randomly placed missing values cost no mispredicted branches.
 *
 * <p>For a value's bits {@code b}, {@code ((b & 0x7FFF…) - 0x7FF0_0000_0000_0001) >> 63} is
 * all ones when the value is present (its magnitude's bits are at most those of infinity) and
 * zero when it is NaN; that mask swaps NaN for -0.0 (for sums) or for the order key of
 * ±Infinity (for extremes) without a branch. The fast-path test, "an integer of magnitude at most 2^20", is branch-free
 * too: {@code (x + 1.5·2^52) - 1.5·2^52} rounds {@code x} to an integer whenever
 * {@code |x| < 2^51}, so it equals {@code x} exactly when {@code x} is one, and the magnitude is
 * an integer compare of the bits. Extremes are taken on {@linkplain Extremes#key integer order
 * keys}, whose {@code Math.min}/{@code max} compile to conditional moves. Two to four
 * accumulators keep each chain of adds or compares short.
 *
 * <p>C2 does not vectorise these loops (a double sum must keep its order, and the bit tricks
 * defeat its superword pass), except {@link #countMissing}, which is pure integer work and
 * runs at memory speed. {@link VectorBlockKernels} vectorises the rest by hand.
 */
final class ScalarBlockKernels implements BlockKernels {
    static final ScalarBlockKernels INSTANCE = new ScalarBlockKernels();

    /** The value column read as raw bits, for the integer-only loop of {@link #countMissing}. */
    private static final ValueLayout.OfLong VALUE_BITS = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long MAGNITUDE = 0x7FFF_FFFF_FFFF_FFFFL;
    private static final long INFINITY_BITS = 0x7FF0_0000_0000_0000L;
    private static final long NEGATIVE_ZERO_BITS = Long.MIN_VALUE;
    /** Bits of 2^20, the largest magnitude the fast path takes. */
    private static final long FAST_LIMIT_BITS = Double.doubleToRawLongBits(0x1p20);
    /** Adding and subtracting 1.5·2^52 rounds any |x| < 2^51 to an integer. */
    private static final double ROUNDER = 0x1.8p52;

    private ScalarBlockKernels() {}

    @Override
    public String description() {
        return "scalar";
    }

    @Override
    public long countMissing(MemorySegment values, long from, int len) {
        long missed = 0;
        for (int i = 0; i < len; i++) {
            long bits = values.getAtIndex(VALUE_BITS, from + i);
            missed += (INFINITY_BITS - (bits & MAGNITUDE)) >>> 63;
        }
        return missed;
    }

    @Override
    public void sumBlock(Summary into, MemorySegment values, long from, int len) {
        double s0 = -0.0, s1 = -0.0, s2 = -0.0, s3 = -0.0;
        long present = 0;
        long notFast = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            long a = bits(values, from + i);
            long b = bits(values, from + i + 1);
            long c = bits(values, from + i + 2);
            long d = bits(values, from + i + 3);
            long ka = presentMask(a), kb = presentMask(b), kc = presentMask(c), kd = presentMask(d);
            present -= ka + kb + kc + kd;
            double x = Double.longBitsToDouble(orNegativeZero(a, ka));
            double y = Double.longBitsToDouble(orNegativeZero(b, kb));
            double z = Double.longBitsToDouble(orNegativeZero(c, kc));
            double w = Double.longBitsToDouble(orNegativeZero(d, kd));
            notFast |= notFast(x) | notFast(y) | notFast(z) | notFast(w);
            s0 += x;
            s1 += y;
            s2 += z;
            s3 += w;
        }
        for (; i < len; i++) {
            long a = bits(values, from + i);
            long ka = presentMask(a);
            present -= ka;
            double x = Double.longBitsToDouble(orNegativeZero(a, ka));
            notFast |= notFast(x);
            s0 += x;
        }
        if (notFast == 0) {
            into.addSumBlock(len - present, present, (s0 + s1) + (s2 + s3));
        } else {
            into.depositValues(values, from, len);
        }
    }

    @Override
    public void fullBlock(Summary into, MemorySegment values, long from, int len) {
        double s0 = -0.0, s1 = -0.0, q0 = 0.0, q1 = 0.0;
        long lo0 = Extremes.NO_LOW, lo1 = Extremes.NO_LOW, hi0 = Extremes.NO_HIGH, hi1 = Extremes.NO_HIGH;
        long present = 0;
        long notFast = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            long a = bits(values, from + i);
            long b = bits(values, from + i + 1);
            long ka = presentMask(a), kb = presentMask(b);
            present -= ka + kb;
            long keyA = Extremes.key(a), keyB = Extremes.key(b);
            lo0 = Math.min(lo0, (keyA & ka) | (~ka & Extremes.NO_LOW));
            lo1 = Math.min(lo1, (keyB & kb) | (~kb & Extremes.NO_LOW));
            hi0 = Math.max(hi0, (keyA & ka) | (~ka & Extremes.NO_HIGH));
            hi1 = Math.max(hi1, (keyB & kb) | (~kb & Extremes.NO_HIGH));
            double x = Double.longBitsToDouble(orNegativeZero(a, ka));
            double y = Double.longBitsToDouble(orNegativeZero(b, kb));
            notFast |= notFast(x) | notFast(y);
            s0 += x;
            s1 += y;
            q0 += x * x;
            q1 += y * y;
        }
        for (; i < len; i++) {
            long a = bits(values, from + i);
            long ka = presentMask(a);
            present -= ka;
            long keyA = Extremes.key(a);
            lo0 = Math.min(lo0, (keyA & ka) | (~ka & Extremes.NO_LOW));
            hi0 = Math.max(hi0, (keyA & ka) | (~ka & Extremes.NO_HIGH));
            double x = Double.longBitsToDouble(orNegativeZero(a, ka));
            notFast |= notFast(x);
            s0 += x;
            q0 += x * x;
        }
        double lo = Extremes.value(Math.min(lo0, lo1));
        double hi = Extremes.value(Math.max(hi0, hi1));
        into.addExtremes(lo, hi);
        if (notFast == 0) {
            into.addFullBlock(len - present, present, s0 + s1, q0 + q1);
        } else {
            into.depositValues(values, from, len, FixedPointWindows.Scan.of(lo, hi, present, s0 + s1));
        }
    }

    private static long bits(MemorySegment values, long index) {
        return Double.doubleToRawLongBits(values.getAtIndex(Column.VALUE_LAYOUT, index));
    }

    /** All ones if {@code bits} are those of a present value (not NaN), else zero. */
    private static long presentMask(long bits) {
        return ((bits & MAGNITUDE) - (INFINITY_BITS + 1)) >> 63;
    }

    /** {@code bits} where {@code present} is all ones, the bits of -0.0 where it is zero. */
    private static long orNegativeZero(long bits, long present) {
        return (bits & present) | (~present & NEGATIVE_ZERO_BITS);
    }

    /**
     * Zero if {@code x} is an integer of magnitude at most 2^20, the fast path's condition;
     * nonzero otherwise (fractions, larger values, infinities). {@code x} is not NaN.
     */
    static long notFast(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long rounded = Double.doubleToRawLongBits((x + ROUNDER) - ROUNDER);
        // Compare ignoring the sign bit: -0.0 rounds to +0.0.
        return ((rounded ^ bits) & MAGNITUDE) | ((FAST_LIMIT_BITS - (bits & MAGNITUDE)) >>> 63);
    }
}
