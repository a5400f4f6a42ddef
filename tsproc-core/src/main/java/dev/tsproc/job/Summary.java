package dev.tsproc.job;

import dev.tsproc.data.Column;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.concurrent.CancellationException;

/**
 * The partial result of the built-in jobs: counts, exact sums of values and of their squares,
 * and extremes of a run of consecutive rows.
 *
 * <p>Kernels work in blocks of {@value #BLOCK} rows. Each block first takes a fast path that
 * sums in plain doubles with four independent accumulators (so the loop is not bound by the
 * latency of one add chain) and checks on the way that every value is an integer of magnitude
 * at most 2^20: then every partial sum, and every sum of squares, is an integer below 2^53,
 * hence computed exactly whatever the order, and the block's sum enters the {@link ExactSum}
 * as one deposit. Any other block — fractions, huge values, infinities — is summed again value
 * by value into the {@link ExactSum}. Both paths yield the same exact sums, so the answer does
 * not depend on which path a block took or on where the batches were cut. Missing values enter
 * as -0.0, which changes no sum and keeps the sign rule of IEEE sums of zeros.
 *
 * <p>Squares are summed exactly too: {@code x*x} is split into its rounded product and the
 * rounding error ({@code Math.fma}), both deposited; this is exact unless the square
 * underflows (|x| below 2^-511), where it is only reproducible.
 *
 * <p>Not thread-safe: one batch fills one summary on one thread.
 */
public final class Summary {
    /** Rows per block of the kernels; also the cancellation-check granularity unit. */
    static final int BLOCK = 2048;
    /** Blocks between two checks for cancellation: 64K rows. */
    private static final int BLOCKS_PER_CHECK = 32;
    private static final double FAST_LIMIT = 0x1p20;

    long rows;
    long missing;
    final ExactSum sum = new ExactSum();
    final ExactSum squares = new ExactSum();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;

    /** The kernels a job needs; a count needs no sums, a sum no squares or extremes. */
    enum Kernel { COUNT, SUM, FULL }

    /** Summarises {@code values}, a segment of float64 values, with the given kernel. */
    static Summary of(MemorySegment values, Kernel kernel) {
        Summary s = new Summary();
        long n = values.byteSize() / Double.BYTES;
        s.rows = n;
        int blocksSinceCheck = 0;
        for (long from = 0; from < n; from += BLOCK) {
            int len = (int) Math.min(BLOCK, n - from);
            switch (kernel) {
                case COUNT -> s.missing += countMissing(values, from, len);
                case SUM -> s.sumBlock(values, from, len);
                case FULL -> s.fullBlock(values, from, len);
            }
            if (++blocksSinceCheck == BLOCKS_PER_CHECK) {
                blocksSinceCheck = 0;
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("cancelled");
                }
            }
        }
        return s;
    }

    private static long countMissing(MemorySegment values, long from, int len) {
        long missing = 0;
        for (int i = 0; i < len; i++) {
            double v = values.getAtIndex(Column.VALUE_LAYOUT, from + i);
            missing += v != v ? 1 : 0;
        }
        return missing;
    }

    private void sumBlock(MemorySegment values, long from, int len) {
        double s0 = -0.0, s1 = -0.0, s2 = -0.0, s3 = -0.0;
        int missed = 0;
        boolean exact = true;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            double a = values.getAtIndex(Column.VALUE_LAYOUT, from + i);
            double b = values.getAtIndex(Column.VALUE_LAYOUT, from + i + 1);
            double c = values.getAtIndex(Column.VALUE_LAYOUT, from + i + 2);
            double d = values.getAtIndex(Column.VALUE_LAYOUT, from + i + 3);
            missed += (a != a ? 1 : 0) + (b != b ? 1 : 0) + (c != c ? 1 : 0) + (d != d ? 1 : 0);
            a = a == a ? a : -0.0;
            b = b == b ? b : -0.0;
            c = c == c ? c : -0.0;
            d = d == d ? d : -0.0;
            exact &= small(a) & small(b) & small(c) & small(d);
            s0 += a;
            s1 += b;
            s2 += c;
            s3 += d;
        }
        for (; i < len; i++) {
            double a = values.getAtIndex(Column.VALUE_LAYOUT, from + i);
            missed += a != a ? 1 : 0;
            a = a == a ? a : -0.0;
            exact &= small(a);
            s0 += a;
        }
        missing += missed;
        if (exact) {
            sum.addExactBlock((s0 + s1) + (s2 + s3), len - missed);
        } else {
            for (int j = 0; j < len; j++) {
                double v = values.getAtIndex(Column.VALUE_LAYOUT, from + j);
                if (v == v) {
                    sum.add(v);
                }
            }
        }
    }

    private void fullBlock(MemorySegment values, long from, int len) {
        double s0 = -0.0, s1 = -0.0, q0 = 0.0, q1 = 0.0;
        double lo = min, hi = max;
        int missed = 0;
        boolean exact = true;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            double a = values.getAtIndex(Column.VALUE_LAYOUT, from + i);
            double b = values.getAtIndex(Column.VALUE_LAYOUT, from + i + 1);
            missed += (a != a ? 1 : 0) + (b != b ? 1 : 0);
            lo = a == a ? Math.min(lo, a) : lo;
            hi = a == a ? Math.max(hi, a) : hi;
            lo = b == b ? Math.min(lo, b) : lo;
            hi = b == b ? Math.max(hi, b) : hi;
            a = a == a ? a : -0.0;
            b = b == b ? b : -0.0;
            exact &= small(a) & small(b);
            s0 += a;
            s1 += b;
            q0 += a * a;
            q1 += b * b;
        }
        for (; i < len; i++) {
            double a = values.getAtIndex(Column.VALUE_LAYOUT, from + i);
            missed += a != a ? 1 : 0;
            lo = a == a ? Math.min(lo, a) : lo;
            hi = a == a ? Math.max(hi, a) : hi;
            a = a == a ? a : -0.0;
            exact &= small(a);
            s0 += a;
            q0 += a * a;
        }
        missing += missed;
        min = lo;
        max = hi;
        if (exact) {
            sum.addExactBlock(s0 + s1, len - missed);
            squares.addExactBlock(q0 + q1, len - missed);
        } else {
            for (int j = 0; j < len; j++) {
                double v = values.getAtIndex(Column.VALUE_LAYOUT, from + j);
                if (v == v) {
                    sum.add(v);
                    double square = v * v;
                    squares.add(square);
                    if (Double.isFinite(square)) {
                        squares.add(Math.fma(v, v, -square));
                    }
                }
            }
        }
    }

    /** Whether {@code x} is an integer of magnitude at most 2^20 (false for NaN and infinities). */
    private static boolean small(double x) {
        return Math.abs(x) <= FAST_LIMIT & x == Math.rint(x);
    }

    /** Adds the rows after this summary's, held in {@code later}. */
    Summary combine(Summary later) {
        rows += later.rows;
        missing += later.missing;
        sum.addAll(later.sum);
        squares.addAll(later.squares);
        min = Math.min(min, later.min);
        max = Math.max(max, later.max);
        return this;
    }

    /** Rows summarised. */
    public long rows() {
        return rows;
    }

    /** Missing values among them. */
    public long missing() {
        return missing;
    }

    /** Values present. */
    public long count() {
        return rows - missing;
    }

    /** The finished statistics, with {@code requested} marked for display. */
    Stats toStats(java.util.List<Stat> requested) {
        long count = count();
        double total = sum.toDouble();
        double mean = count == 0 ? Double.NaN : mean(count);
        return new Stats(requested, rows, count, missing, total, mean,
                count == 0 ? Double.NaN : min, count == 0 ? Double.NaN : max, stddev(count));
    }

    private double mean(long count) {
        double special = sum.nonFinite();
        if (special != 0) {
            return special;
        }
        return ExactSum.quotient(sum.scaledValue(), BigInteger.valueOf(count), -1074);
    }

    /**
     * Sample standard deviation from the exact sums: with {@code S1 = A·2^-1074} and
     * {@code S2 = B·2^-1074}, {@code var = (n·B·2^1074 − A²) / (n(n−1)) · 2^-2148}, one rounding,
     * then {@code sqrt}. No cancellation error, whatever the mean.
     */
    private double stddev(long count) {
        if (count < 2) {
            return Double.NaN;
        }
        if (sum.nonFinite() != 0 || squares.nonFinite() != 0) {
            return Double.NaN;
        }
        BigInteger a = sum.scaledValue();
        BigInteger b = squares.scaledValue();
        BigInteger n = BigInteger.valueOf(count);
        BigInteger numerator = n.multiply(b).shiftLeft(1074).subtract(a.multiply(a));
        if (numerator.signum() <= 0) {
            return 0.0;
        }
        BigInteger denominator = n.multiply(BigInteger.valueOf(count - 1));
        return Math.sqrt(ExactSum.quotient(numerator, denominator, -2148));
    }
}
