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
 * <p>A block that fails the fast path is summed in {@linkplain FixedPointWindows fixed-point
 * windows} lane by lane, straight from the segment: the fast path's pass has already found the
 * block's extremes (hence its largest magnitude), count and sign of zero, so the windows take
 * one pass for the values and one for the squares, both over a block that is still in L1.
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
    private static final long INFINITY_BITS = 0x7FF0_0000_0000_0000L;

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
        LongVector magnitude = LongVector.broadcast(KEY_SPECIES, MAGNITUDE);
        DoubleVector s0 = negativeZero, s1 = negativeZero;
        LongVector top = LongVector.zero(KEY_SPECIES);
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
            top = top.max(a.reinterpretAsLongs().and(magnitude)).max(b.reinterpretAsLongs().and(magnitude));
            s0 = s0.add(a);
            s1 = s1.add(b);
        }
        int done = offset / Double.BYTES;
        if (done > 0) {
            double sum = laneSum(s0.add(s1));
            if (notFast == 0) {
                into.addSumBlock(missed, done - missed, sum);
            } else {
                windows(into, values, from, done, false,
                        FixedPointWindows.Scan.of(top.reduceLanes(VectorOperators.MAX), done - missed, sum));
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
            double lo = Extremes.value(lo0.min(lo1).reduceLanes(VectorOperators.MIN));
            double hi = Extremes.value(hi0.max(hi1).reduceLanes(VectorOperators.MAX));
            into.addExtremes(lo, hi);
            double sum = laneSum(s0.add(s1));
            if (notFast == 0) {
                into.addFullBlock(missed, done - missed, sum, q0.add(q1).reduceLanes(VectorOperators.ADD));
            } else {
                windows(into, values, from, done, true, FixedPointWindows.Scan.of(lo, hi, done - missed, sum));
            }
        }
        if (done < len) {
            ScalarBlockKernels.INSTANCE.fullBlock(into, values, from + done, len - done);
        }
    }

    /**
     * The slow path of a block of {@code len} rows, a whole number of vectors: {@link
     * FixedPointWindows}' loops lane by lane, reading the block where it lies, every lane's
     * windows summed in {@code long} lanes (integer sums: exact in any order). Values and squares
     * below the windows, and blocks the windows do not fit, go one by one from a copy, as there.
     */
    private static void windows(Summary into, MemorySegment values, long from, int len, boolean withSquares,
                                FixedPointWindows.Scan scan) {
        into.missing += len - scan.present();
        ExactSum squares = withSquares ? into.squares : null;
        if (!scan.fits()) {
            FixedPointWindows.oneByOne(into.heapCopy(values, from, len), 0, len, into.sum, squares, 0, 0);
            return;
        }
        int unit = scan.unit();
        long lowValue = FixedPointWindows.lowValue(unit);
        long[] sums = new long[4];
        long base = from * Double.BYTES;
        int bytes = len * Double.BYTES;
        boolean valuesBelow = sumValues(values, base, bytes, unit, sums);
        FixedPointWindows.depositValues(into.sum, sums[0], sums[1], len, unit);
        long oneByOne = valuesBelow
                ? FixedPointWindows.oneByOne(into.heapCopy(values, from, len), 0, len, into.sum, null, lowValue, 0) : 0;
        into.sum.countValues(scan.present() - oneByOne, scan.nonNegativeZero());
        if (!withSquares) {
            return;
        }
        long squareTop = scan.squareTop();
        if (!FixedPointWindows.fits(squareTop)) {
            FixedPointWindows.oneByOne(into.heapCopy(values, from, len), 0, len, null, squares, 0, 0);
            return;
        }
        int squareUnit = FixedPointWindows.unit(squareTop);
        boolean squaresBelow = sumSquares(values, base, bytes, squareUnit, sums);
        FixedPointWindows.depositSquares(squares, sums[0], sums[1], sums[2], sums[3], len, squareUnit);
        squares.countValues(scan.present(), scan.present() > 0);
        if (squaresBelow) {
            FixedPointWindows.oneByOne(into.heapCopy(values, from, len), 0, len, null, squares, 0,
                    FixedPointWindows.lowValue(squareUnit));
        }
    }

    /**
     * {@link FixedPointWindows}' values loop over {@code bytes} from {@code base}: the two windows'
     * sums into {@code sums[0, 2)}; whether a present nonzero value lies below them.
     */
    private static boolean sumValues(MemorySegment values, long base, int bytes, int unit, long[] sums) {
        DoubleVector zero = DoubleVector.zero(SPECIES);
        DoubleVector rounder = DoubleVector.broadcast(SPECIES, FixedPointWindows.ROUNDER);
        DoubleVector window = DoubleVector.broadcast(SPECIES, FixedPointWindows.WINDOW);
        DoubleVector scale = DoubleVector.broadcast(SPECIES, FixedPointWindows.scale(unit));
        LongVector magnitude = LongVector.broadcast(KEY_SPECIES, MAGNITUDE);
        long low = FixedPointWindows.lowValue(unit);
        LongVector w1 = LongVector.zero(KEY_SPECIES), w2 = w1;
        long below = 0;
        for (int offset = 0; offset < bytes; offset += VECTOR_BYTES) {
            DoubleVector x = DoubleVector.fromMemorySegment(SPECIES, values, base + offset, ORDER);
            // magnitude − low as unsigned: in the windows for [low, infinity), not for NaN or what lies below
            LongVector m = x.reinterpretAsLongs().and(magnitude);
            VectorMask<Long> in = m.sub(low).compare(VectorOperators.ULT, INFINITY_BITS - low);
            below |= m.sub(1).compare(VectorOperators.ULT, low - 1).toLong();
            DoubleVector y = zero.blend(x, in.cast(SPECIES)).mul(scale);
            w1 = w1.add(integerPart(y, rounder));
            w2 = w2.add(fractionPart(y, rounder, window));
        }
        sums[0] = lanes(w1);
        sums[1] = lanes(w2);
        return below != 0;
    }

    /**
     * {@link FixedPointWindows}' squares loop: the rounded squares' two windows and their errors'
     * two into {@code sums[0, 4)}; whether a nonzero square lies below them.
     */
    private static boolean sumSquares(MemorySegment values, long base, int bytes, int unit, long[] sums) {
        DoubleVector zero = DoubleVector.zero(SPECIES);
        DoubleVector rounder = DoubleVector.broadcast(SPECIES, FixedPointWindows.ROUNDER);
        DoubleVector window = DoubleVector.broadcast(SPECIES, FixedPointWindows.WINDOW);
        DoubleVector scale = DoubleVector.broadcast(SPECIES, FixedPointWindows.scale(unit));
        DoubleVector errorScale = DoubleVector.broadcast(SPECIES, FixedPointWindows.errorScale(unit));
        LongVector magnitude = LongVector.broadcast(KEY_SPECIES, MAGNITUDE);
        long lowSquare = FixedPointWindows.lowValue(unit);
        long lowError = FixedPointWindows.lowError(unit);
        LongVector w1 = LongVector.zero(KEY_SPECIES), w2 = w1, e2 = w1, e3 = w1;
        long below = 0;
        for (int offset = 0; offset < bytes; offset += VECTOR_BYTES) {
            DoubleVector x = DoubleVector.fromMemorySegment(SPECIES, values, base + offset, ORDER);
            x = x.blend(zero, x.compare(VectorOperators.NE, x));
            DoubleVector p = x.mul(x);
            DoubleVector e = x.fma(x, p.neg());
            LongVector pBits = p.reinterpretAsLongs();
            LongVector eMagnitude = e.reinterpretAsLongs().and(magnitude);
            // a nonzero error below lowError does not fit the third window
            VectorMask<Long> in = pBits.compare(VectorOperators.GE, lowSquare)
                    .and(eMagnitude.sub(1).compare(VectorOperators.UGE, lowError - 1));
            below |= pBits.compare(VectorOperators.NE, 0).and(in.not()).toLong();
            VectorMask<Double> keep = in.cast(SPECIES);
            DoubleVector y = zero.blend(p, keep).mul(scale);
            w1 = w1.add(integerPart(y, rounder));
            w2 = w2.add(fractionPart(y, rounder, window));
            DoubleVector z = zero.blend(e, keep).mul(errorScale);
            e2 = e2.add(integerPart(z, rounder));
            e3 = e3.add(fractionPart(z, rounder, window));
        }
        sums[0] = lanes(w1);
        sums[1] = lanes(w2);
        sums[2] = lanes(e2);
        sums[3] = lanes(e3);
        return below != 0;
    }

    /** {@link FixedPointWindows}' integer part of each lane, with its rounder's bits. */
    private static LongVector integerPart(DoubleVector y, DoubleVector rounder) {
        return y.add(rounder).reinterpretAsLongs();
    }

    /** {@link FixedPointWindows}' fraction part of each lane, times 2^50, with its rounder's bits. */
    private static LongVector fractionPart(DoubleVector y, DoubleVector rounder, DoubleVector window) {
        return y.sub(y.add(rounder).sub(rounder)).mul(window).add(rounder).reinterpretAsLongs();
    }

    /** The lanes' sum, modulo 2^64 as the windows' sums are. */
    private static long lanes(LongVector v) {
        return v.reduceLanes(VectorOperators.ADD);
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
     * The sum of the lanes of {@code v}: exact in any order when its lanes are exact integer sums
     * (the fast path); otherwise only whether it is -0.0 is used ({@link FixedPointWindows.Scan#of}).
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
