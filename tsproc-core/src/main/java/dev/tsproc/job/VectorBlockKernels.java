package dev.tsproc.job;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The block kernels on the Vector API ({@code jdk.incubator.vector}): one accumulator per SIMD
 * lane, NaNs found with a lane compare ({@code x != x}) and swapped for -0.0 (sums) or
 * ±Infinity (extremes) with a blend, missing values counted from the mask's bits.
 *
 * <p>Lane accumulators reorder the additions, which is harmless only because the fast path
 * makes every partial sum exact (see {@link Summary}); the fast-path test is the same as the
 * scalar kernels': {@code (x + 1.5·2^52) - 1.5·2^52 == x} and {@code |x| <= 2^20}, lane-wise,
 * with the failing lanes' mask bits OR-ed together. Rows after the last whole vector of a
 * block go to {@link ScalarBlockKernels} as a block of their own; any cut of the rows into
 * blocks gives the same exact sums.
 *
 * <p>Vector constants are created inside each kernel rather than held in static fields: an
 * accumulator that starts from a constant object is kept boxed in the loop by C2 (JDK 25),
 * allocating on every iteration and running several times slower.
 *
 * <p>Loaded only by {@link BlockKernels#select()}, by name, when the module is resolved.
 */
final class VectorBlockKernels implements BlockKernels {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final double ROUNDER = 0x1.8p52;
    private static final double FAST_LIMIT = 0x1p20;
    private static final long NEGATIVE_ZERO_BITS = Long.MIN_VALUE;

    /**
     * @throws UnsupportedOperationException if the preferred vectors hold fewer than two
     *                                       doubles: no SIMD to gain from
     */
    VectorBlockKernels() {
        if (LANES < 2) {
            throw new UnsupportedOperationException("preferred vector species " + SPECIES + " has one lane");
        }
    }

    @Override
    public String description() {
        return "vector (" + SPECIES.vectorBitSize() + "-bit, " + LANES + " lanes)";
    }

    @Override
    public long countMissing(MemorySegment values, long from, int len) {
        long base = from * Double.BYTES;
        long missed = 0;
        int i = 0;
        for (; i <= len - 2 * LANES; i += 2 * LANES) {
            long offset = base + (long) i * Double.BYTES;
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, offset, ORDER);
            DoubleVector b = DoubleVector.fromMemorySegment(SPECIES, values, offset + VECTOR_BYTES, ORDER);
            missed += a.compare(VectorOperators.NE, a).trueCount() + b.compare(VectorOperators.NE, b).trueCount();
        }
        return missed + ScalarBlockKernels.INSTANCE.countMissing(values, from + i, len - i);
    }

    @Override
    public void sumBlock(Summary into, MemorySegment values, long from, int len) {
        DoubleVector negativeZero = DoubleVector.broadcast(SPECIES, -0.0);
        DoubleVector rounder = DoubleVector.broadcast(SPECIES, ROUNDER);
        DoubleVector limit = DoubleVector.broadcast(SPECIES, FAST_LIMIT);
        DoubleVector s0 = negativeZero, s1 = negativeZero;
        long base = from * Double.BYTES;
        long missed = 0;
        long notFast = 0;
        int i = 0;
        for (; i <= len - 2 * LANES; i += 2 * LANES) {
            long offset = base + (long) i * Double.BYTES;
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, offset, ORDER);
            DoubleVector b = DoubleVector.fromMemorySegment(SPECIES, values, offset + VECTOR_BYTES, ORDER);
            VectorMask<Double> nanA = a.compare(VectorOperators.NE, a);
            VectorMask<Double> nanB = b.compare(VectorOperators.NE, b);
            missed += nanA.trueCount() + nanB.trueCount();
            a = a.blend(negativeZero, nanA);
            b = b.blend(negativeZero, nanB);
            notFast |= notFast(a, rounder, limit).toLong() | notFast(b, rounder, limit).toLong();
            s0 = s0.add(a);
            s1 = s1.add(b);
        }
        for (; i <= len - LANES; i += LANES) {
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, base + (long) i * Double.BYTES, ORDER);
            VectorMask<Double> nanA = a.compare(VectorOperators.NE, a);
            missed += nanA.trueCount();
            a = a.blend(negativeZero, nanA);
            notFast |= notFast(a, rounder, limit).toLong();
            s0 = s0.add(a);
        }
        if (i > 0) {
            if (notFast == 0) {
                into.addSumBlock(missed, i - missed, laneSum(s0.add(s1)));
            } else {
                into.depositValues(values, from, i, false);
            }
        }
        if (i < len) {
            ScalarBlockKernels.INSTANCE.sumBlock(into, values, from + i, len - i);
        }
    }

    @Override
    public void fullBlock(Summary into, MemorySegment values, long from, int len) {
        DoubleVector negativeZero = DoubleVector.broadcast(SPECIES, -0.0);
        DoubleVector rounder = DoubleVector.broadcast(SPECIES, ROUNDER);
        DoubleVector limit = DoubleVector.broadcast(SPECIES, FAST_LIMIT);
        DoubleVector positiveInfinity = DoubleVector.broadcast(SPECIES, Double.POSITIVE_INFINITY);
        DoubleVector negativeInfinity = DoubleVector.broadcast(SPECIES, Double.NEGATIVE_INFINITY);
        DoubleVector s = negativeZero;
        DoubleVector q = DoubleVector.zero(SPECIES);
        DoubleVector lo = positiveInfinity, hi = negativeInfinity;
        long base = from * Double.BYTES;
        long missed = 0;
        long notFast = 0;
        int i = 0;
        for (; i <= len - LANES; i += LANES) {
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, base + (long) i * Double.BYTES, ORDER);
            VectorMask<Double> nan = a.compare(VectorOperators.NE, a);
            missed += nan.trueCount();
            lo = lo.min(a.blend(positiveInfinity, nan));
            hi = hi.max(a.blend(negativeInfinity, nan));
            a = a.blend(negativeZero, nan);
            notFast |= notFast(a, rounder, limit).toLong();
            s = s.add(a);
            q = a.fma(a, q);
        }
        if (i > 0) {
            into.addExtremes(lo.reduceLanes(VectorOperators.MIN), hi.reduceLanes(VectorOperators.MAX));
            if (notFast == 0) {
                into.addFullBlock(missed, i - missed, laneSum(s), q.reduceLanes(VectorOperators.ADD));
            } else {
                into.depositValues(values, from, i, true);
            }
        }
        if (i < len) {
            ScalarBlockKernels.INSTANCE.fullBlock(into, values, from + i, len - i);
        }
    }

    /** Lanes that fail the fast path: not an integer, or of magnitude above 2^20. */
    private static VectorMask<Double> notFast(DoubleVector x, DoubleVector rounder, DoubleVector limit) {
        return x.add(rounder).sub(rounder).compare(VectorOperators.NE, x)
                .or(x.abs().compare(VectorOperators.GT, limit));
    }

    /**
     * The sum of the lanes of {@code v}, whose lanes are exact integer sums: exact in any order.
     * {@code reduceLanes} may start from +0.0, so the sign of a zero sum is set here: -0.0
     * exactly when every lane is -0.0, as the IEEE sum of the lanes would be.
     */
    private static double laneSum(DoubleVector v) {
        double sum = v.reduceLanes(VectorOperators.ADD);
        if (sum == 0 && v.reinterpretAsLongs().compare(VectorOperators.EQ, NEGATIVE_ZERO_BITS).allTrue()) {
            return -0.0;
        }
        return sum == 0 ? 0.0 : sum;
    }
}
