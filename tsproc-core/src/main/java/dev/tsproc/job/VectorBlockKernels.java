package dev.tsproc.job;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The block kernels on the Vector API ({@code jdk.incubator.vector}): one accumulator per SIMD
 * lane, NaNs found with a lane compare ({@code x != x}) and swapped for -0.0 (sums) or for the
 * order keys of ±Infinity (extremes) with a blend, missing values counted from the mask's bits.
 * Extremes are taken on {@linkplain Extremes#key integer order keys} with long-lane min/max,
 * which takes less than half the time of double min/max with {@code Math.min} semantics.
 *
 * <p>Lane accumulators reorder the additions, which is harmless only because the fast path
 * makes every partial sum exact (see {@link Summary}); the fast-path test is the same as the
 * scalar kernels': {@code (x + 1.5·2^52) - 1.5·2^52 == x} and {@code |x| <= 2^20}, lane-wise,
 * with the failing lanes' mask bits OR-ed together. Loops take two vectors per step, with two
 * sets of accumulators; rows after the last such pair go to {@link ScalarBlockKernels} as a
 * block of their own: any cut of the rows into blocks gives the same exact sums.
 *
 * <p>Two shapes matter to C2 (JDK 25), each worth a factor of two to three here:
 * <ul>
 *   <li>vector constants are created inside each kernel rather than held in static fields: an
 *       accumulator that starts from a constant object is kept boxed in the loop, allocating
 *       on every iteration;</li>
 *   <li>the loops step an {@code int} byte offset added to a {@code long} base; a {@code long}
 *       offset computed from a row index defeats the hoisting of the segment's bounds checks.</li>
 * </ul>
 *
 * <p>Loaded only by {@link BlockKernels#select()}, by name, when the module is resolved.
 */
final class VectorBlockKernels implements BlockKernels {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Long lanes of the same shape, for the extremes' order keys. */
    private static final VectorSpecies<Long> KEY_SPECIES = SPECIES.withLanes(long.class);
    private static final long MAGNITUDE = 0x7FFF_FFFF_FFFF_FFFFL;
    private static final int VECTOR_BYTES = SPECIES.vectorByteSize();
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
        int bytes = len * Double.BYTES;
        long missed = 0;
        int offset = 0;
        for (; offset <= bytes - 2 * VECTOR_BYTES; offset += 2 * VECTOR_BYTES) {
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, base + offset, ORDER);
            DoubleVector b = DoubleVector.fromMemorySegment(SPECIES, values, base + offset + VECTOR_BYTES, ORDER);
            missed += a.compare(VectorOperators.NE, a).trueCount() + b.compare(VectorOperators.NE, b).trueCount();
        }
        int done = offset / Double.BYTES;
        return missed + ScalarBlockKernels.INSTANCE.countMissing(values, from + done, len - done);
    }

    @Override
    public void sumBlock(Summary into, MemorySegment values, long from, int len) {
        DoubleVector negativeZero = DoubleVector.broadcast(SPECIES, -0.0);
        DoubleVector rounder = DoubleVector.broadcast(SPECIES, ROUNDER);
        DoubleVector limit = DoubleVector.broadcast(SPECIES, FAST_LIMIT);
        DoubleVector s0 = negativeZero, s1 = negativeZero;
        long base = from * Double.BYTES;
        int bytes = len * Double.BYTES;
        long missed = 0;
        long notFast = 0;
        int offset = 0;
        for (; offset <= bytes - 2 * VECTOR_BYTES; offset += 2 * VECTOR_BYTES) {
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, base + offset, ORDER);
            DoubleVector b = DoubleVector.fromMemorySegment(SPECIES, values, base + offset + VECTOR_BYTES, ORDER);
            VectorMask<Double> nanA = a.compare(VectorOperators.NE, a);
            VectorMask<Double> nanB = b.compare(VectorOperators.NE, b);
            missed += nanA.trueCount() + nanB.trueCount();
            a = a.blend(negativeZero, nanA);
            b = b.blend(negativeZero, nanB);
            notFast |= notFast(a, rounder, limit).toLong() | notFast(b, rounder, limit).toLong();
            s0 = s0.add(a);
            s1 = s1.add(b);
        }
        int done = offset / Double.BYTES;
        if (done > 0) {
            if (notFast == 0) {
                into.addSumBlock(missed, done - missed, laneSum(s0.add(s1)));
            } else {
                into.depositValues(values, from, done, false);
            }
        }
        if (done < len) {
            ScalarBlockKernels.INSTANCE.sumBlock(into, values, from + done, len - done);
        }
    }

    @Override
    public void fullBlock(Summary into, MemorySegment values, long from, int len) {
        DoubleVector negativeZero = DoubleVector.broadcast(SPECIES, -0.0);
        DoubleVector rounder = DoubleVector.broadcast(SPECIES, ROUNDER);
        DoubleVector limit = DoubleVector.broadcast(SPECIES, FAST_LIMIT);
        LongVector magnitude = LongVector.broadcast(KEY_SPECIES, MAGNITUDE);
        LongVector noLow = LongVector.broadcast(KEY_SPECIES, Extremes.NO_LOW);
        LongVector noHigh = LongVector.broadcast(KEY_SPECIES, Extremes.NO_HIGH);
        DoubleVector s0 = negativeZero, s1 = negativeZero;
        DoubleVector q0 = DoubleVector.zero(SPECIES), q1 = q0;
        LongVector lo0 = noLow, lo1 = noLow, hi0 = noHigh, hi1 = noHigh;
        long base = from * Double.BYTES;
        int bytes = len * Double.BYTES;
        long missed = 0;
        long notFast = 0;
        int offset = 0;
        for (; offset <= bytes - 2 * VECTOR_BYTES; offset += 2 * VECTOR_BYTES) {
            DoubleVector a = DoubleVector.fromMemorySegment(SPECIES, values, base + offset, ORDER);
            DoubleVector b = DoubleVector.fromMemorySegment(SPECIES, values, base + offset + VECTOR_BYTES, ORDER);
            VectorMask<Double> nanA = a.compare(VectorOperators.NE, a);
            VectorMask<Double> nanB = b.compare(VectorOperators.NE, b);
            missed += nanA.trueCount() + nanB.trueCount();
            LongVector keyA = key(a, magnitude);
            LongVector keyB = key(b, magnitude);
            VectorMask<Long> nanKeyA = nanA.cast(KEY_SPECIES);
            VectorMask<Long> nanKeyB = nanB.cast(KEY_SPECIES);
            lo0 = lo0.min(keyA.blend(noLow, nanKeyA));
            lo1 = lo1.min(keyB.blend(noLow, nanKeyB));
            hi0 = hi0.max(keyA.blend(noHigh, nanKeyA));
            hi1 = hi1.max(keyB.blend(noHigh, nanKeyB));
            a = a.blend(negativeZero, nanA);
            b = b.blend(negativeZero, nanB);
            notFast |= notFast(a, rounder, limit).toLong() | notFast(b, rounder, limit).toLong();
            s0 = s0.add(a);
            s1 = s1.add(b);
            q0 = a.fma(a, q0);
            q1 = b.fma(b, q1);
        }
        int done = offset / Double.BYTES;
        if (done > 0) {
            into.addExtremes(Extremes.value(lo0.min(lo1).reduceLanes(VectorOperators.MIN)),
                    Extremes.value(hi0.max(hi1).reduceLanes(VectorOperators.MAX)));
            if (notFast == 0) {
                into.addFullBlock(missed, done - missed, laneSum(s0.add(s1)), q0.add(q1).reduceLanes(VectorOperators.ADD));
            } else {
                into.depositValues(values, from, done, true);
            }
        }
        if (done < len) {
            ScalarBlockKernels.INSTANCE.fullBlock(into, values, from + done, len - done);
        }
    }

    /** The lanes' {@linkplain Extremes#key order keys}. */
    private static LongVector key(DoubleVector x, LongVector magnitude) {
        LongVector bits = x.reinterpretAsLongs();
        return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 63).and(magnitude));
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
