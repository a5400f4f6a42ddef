package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * An exact sum of doubles: a fixed-point accumulator wide enough for every finite double,
 * so the result does not depend on the order of additions or on where the data was cut.
 *
 * <p>Why exact: tsproc promises bit-identical answers for any worker count and batch size.
 * Plain and Kahan summation both give results that depend on the association order, so
 * they cannot keep that promise; an exact sum, rounded once at the end, can. (ReproBLAS's
 * binned sums would also do; exactness is simpler to reason about and to test.)
 *
 * <p>Layout: {@code chunks[i]} holds a signed multiple of {@code 2^(32*i - 1074)}, the weight
 * of the smallest subnormal being {@code 2^-1074}. A double's 53-bit significand lands in
 * at most three adjacent chunks as three non-negative pieces below {@code 2^32}, so a chunk
 * can absorb more than {@code 2^30} deposits before it could overflow; {@link #normalize()}
 * then propagates carries so that every chunk but the top one lies in {@code [0, 2^32)}.
 * 70 chunks cover {@code 2^-1074 .. 2^1166}: all finite doubles with 2^63 of them summed.
 * Infinities are counted apart; NaN (a missing value) must not be deposited.
 *
 * <p>Rounding: {@link #toDouble()} rounds the exact value to the nearest double, ties to
 * even, in one step; {@link #quotient} does the same for the exact quotient used by means and
 * variances. Neal (2015), "Fast exact summation using small and large superaccumulators",
 * arXiv:1505.05571, describes the same construction.
 *
 * <p>Not thread-safe: each batch fills its own accumulator; the coordinator merges them.
 */
public final class ExactSum {
    static final int CHUNKS = 70;
    private static final int CHUNK_BITS = 32;
    private static final long LOW_MASK = 0xFFFF_FFFFL;
    private static final int MIN_EXPONENT = -1074;
    private static final int DEPOSITS_BEFORE_NORMALIZE = 1 << 30;
    private static final long NEGATIVE_ZERO_BITS = Long.MIN_VALUE;

    private final long[] chunks = new long[CHUNKS];
    private int pending;
    private long positiveInfinities;
    private long negativeInfinities;
    private long deposits;
    /** Whether anything but -0.0 was added: an IEEE sum of only -0.0 values is -0.0. */
    private boolean sawNonNegativeZero;

    /** An exact sum of no values yet: zero. */
    public ExactSum() {}

    /** Adds {@code x}, which must not be NaN. */
    public void add(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int exponent = (int) (bits >>> 52) & 0x7FF;
        deposits++;
        sawNonNegativeZero |= bits != NEGATIVE_ZERO_BITS;
        if (exponent == 0x7FF) {
            if (bits < 0) {
                negativeInfinities++;
            } else {
                positiveInfinities++;
            }
            return;
        }
        long significand = bits & 0x000F_FFFF_FFFF_FFFFL;
        if (exponent == 0) {
            exponent = 1;
            if (significand == 0) {
                return;
            }
        } else {
            significand |= 1L << 52;
        }
        int shift = exponent - 1;
        int index = shift >>> 5;
        int offset = shift & 31;
        long p0 = (significand << offset) & LOW_MASK;
        long p1 = (significand >>> (32 - offset)) & LOW_MASK;
        long p2 = (significand >>> 1) >>> (63 - offset);
        long sign = bits >> 63;
        chunks[index] += (p0 ^ sign) - sign;
        chunks[index + 1] += (p1 ^ sign) - sign;
        chunks[index + 2] += (p2 ^ sign) - sign;
        if (++pending == DEPOSITS_BEFORE_NORMALIZE) {
            normalize();
        }
    }

    /**
     * Adds the sum of {@code count} finite values that the caller computed exactly in a double,
     * such as a block of small integers. The caller must start its sum at -0.0, so that
     * {@code blockSum} is -0.0 exactly when every value was -0.0.
     */
    void addExactBlock(double blockSum, long count) {
        if (count == 0) {
            return;
        }
        add(blockSum);
        deposits += count - 1;
    }

    /**
     * Adds {@code a · 2^exponent} exactly: a fixed-point window's integer sum, which may exceed
     * what a double holds. Needs {@code exponent >= -1074} and {@code |a| < 2^63}; counts as one
     * deposit towards {@link #normalize()}, not as a value (see {@link #countValues}).
     */
    void addScaled(long a, int exponent) {
        if (a == 0) {
            return;
        }
        int shift = exponent - MIN_EXPONENT;
        int index = shift >>> 5;
        int offset = shift & 31;
        long magnitude = Math.abs(a);
        long low = magnitude << offset;
        long high = offset == 0 ? 0 : magnitude >>> (64 - offset);
        long sign = a >> 63;
        chunks[index] += ((low & LOW_MASK) ^ sign) - sign;
        chunks[index + 1] += ((low >>> CHUNK_BITS) ^ sign) - sign;
        chunks[index + 2] += (high ^ sign) - sign;
        if (++pending == DEPOSITS_BEFORE_NORMALIZE) {
            normalize();
        }
    }

    /**
     * Records {@code count} values whose sum entered through {@link #addScaled}; {@code
     * nonNegativeZero} if any of them was not -0.0 (the sign rule of zero sums).
     */
    void countValues(long count, boolean nonNegativeZero) {
        deposits += count;
        sawNonNegativeZero |= nonNegativeZero;
    }

    /** Adds everything {@code other} holds; {@code other} is left unchanged. */
    public void addAll(ExactSum other) {
        for (int i = 0; i < CHUNKS; i++) {
            chunks[i] += other.chunks[i];
        }
        positiveInfinities += other.positiveInfinities;
        negativeInfinities += other.negativeInfinities;
        deposits += other.deposits;
        sawNonNegativeZero |= other.sawNonNegativeZero;
        pending = DEPOSITS_BEFORE_NORMALIZE - 1;
        normalize();
    }

    /** Propagates carries so that every chunk but the top one lies in {@code [0, 2^32)}. */
    void normalize() {
        long carry = 0;
        for (int i = 0; i < CHUNKS - 1; i++) {
            long v = chunks[i] + carry;
            carry = v >> CHUNK_BITS;
            chunks[i] = v & LOW_MASK;
        }
        chunks[CHUNKS - 1] += carry;
        pending = 0;
    }

    /** The exact finite part as an integer multiple of {@code 2^-1074}. */
    BigInteger scaledValue() {
        normalize();
        BigInteger v = BigInteger.valueOf(chunks[CHUNKS - 1]);
        for (int i = CHUNKS - 2; i >= 0; i--) {
            v = v.shiftLeft(CHUNK_BITS).or(BigInteger.valueOf(chunks[i]));
        }
        return v;
    }

    /**
     * The exact finite part as {@code mantissa · 2^-scale}, the mantissa built from the nonzero
     * chunks only: a few words for the sums of typical data rather than a 2,240-bit integer,
     * which made rounding dearer than summing for small groups (thousands of time buckets).
     */
    private record Scaled(BigInteger mantissa, int scale) {
        Scaled rescaled(int to) {
            return new Scaled(mantissa.shiftLeft(to - scale), to);
        }
    }

    private Scaled scaled() {
        normalize();
        int low = 0;
        while (low < CHUNKS - 1 && chunks[low] == 0) {
            low++;
        }
        int high = CHUNKS - 1;
        long top = chunks[high];
        // Leading chunks that only extend the sign (0 above a chunk, or -1 above all ones) are dropped.
        while (high > low && (top == 0 || (top == -1 && chunks[high - 1] == LOW_MASK))) {
            high--;
            top = top == 0 ? chunks[high] : -1;
        }
        BigInteger v = BigInteger.valueOf(top);
        for (int i = high - 1; i >= low; i--) {
            v = v.shiftLeft(CHUNK_BITS).or(BigInteger.valueOf(chunks[i]));
        }
        return new Scaled(v, -MIN_EXPONENT - CHUNK_BITS * low);
    }

    /** Number of values added. */
    public long count() {
        return deposits;
    }

    /** Whether the sum is NaN (both infinities were added) or infinite, and which. */
    double nonFinite() {
        if (positiveInfinities > 0 && negativeInfinities > 0) {
            return Double.NaN;
        }
        if (positiveInfinities > 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (negativeInfinities > 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return 0;
    }

    /** The sum rounded once to the nearest double; the sum of no values is +0.0. */
    public double toDouble() {
        double special = nonFinite();
        if (special != 0) {
            return special;
        }
        if (deposits > 0 && !sawNonNegativeZero) {
            return -0.0;
        }
        Scaled v = scaled();
        return quotient(v.mantissa(), BigInteger.ONE, -v.scale());
    }

    /** The mean of {@code count > 0} values summed in {@code sum}, rounded once; ±∞ or NaN if infinities were added. */
    static double mean(ExactSum sum, long count) {
        double special = sum.nonFinite();
        if (special != 0) {
            return special;
        }
        Scaled v = sum.scaled();
        return quotient(v.mantissa(), BigInteger.valueOf(count), -v.scale());
    }

    /**
     * The sample standard deviation of {@code count >= 2} finite values from their exact
     * {@code sum} and sum of {@code squares} (see {@link #sampleStddev(BigInteger, BigInteger, int, long)}).
     */
    static double sampleStddev(ExactSum sum, ExactSum squares, long count) {
        Scaled a = sum.scaled();
        Scaled b = squares.scaled();
        int scale = Math.max(a.scale(), b.scale());
        return sampleStddev(a.rescaled(scale).mantissa(), b.rescaled(scale).mantissa(), scale, count);
    }

    /**
     * The sample standard deviation of {@code count >= 2} values from their exact sum
     * {@code S1 = a·2^-scale} and sum of squares {@code S2 = b·2^-scale}:
     * {@code var = (n·b·2^scale − a²) / (n(n−1)) · 2^(-2·scale)}, rounded once, then {@code sqrt}.
     * No cancellation error, whatever the mean.
     */
    static double sampleStddev(BigInteger a, BigInteger b, int scale, long count) {
        BigInteger n = BigInteger.valueOf(count);
        BigInteger numerator = n.multiply(b).shiftLeft(scale).subtract(a.multiply(a));
        if (numerator.signum() <= 0) {
            return 0.0;
        }
        return Math.sqrt(quotient(numerator, n.multiply(BigInteger.valueOf(count - 1)), -2 * scale));
    }

    /**
     * {@code numerator / denominator * 2^exponent}, rounded once to the nearest double, ties to
     * even, with IEEE overflow to infinity and gradual underflow.
     */
    static double quotient(BigInteger numerator, BigInteger denominator, int exponent) {
        if (denominator.signum() <= 0) {
            throw new IllegalArgumentException("denominator=" + denominator);
        }
        int sign = numerator.signum();
        if (sign == 0) {
            return 0.0;
        }
        BigInteger magnitude = numerator.abs();
        // Scale so the integer quotient carries at least 55 significant bits.
        int scale = Math.max(0, 55 + denominator.bitLength() - magnitude.bitLength());
        BigInteger[] qr = magnitude.shiftLeft(scale).divideAndRemainder(denominator);
        double r = round(qr[0], qr[1].signum() != 0, exponent - scale);
        return sign < 0 ? -r : r;
    }

    /** {@code (q + sticky*epsilon) * 2^exponent} rounded to nearest even; q has at least 55 bits. */
    private static double round(BigInteger q, boolean sticky, int exponent) {
        int length = q.bitLength();
        int lsb = Math.max(length - 53 + exponent, MIN_EXPONENT);
        int drop = lsb - exponent; // at least 2, since q has at least 55 bits
        BigInteger kept = q.shiftRight(drop);
        BigInteger rest = q.subtract(kept.shiftLeft(drop));
        int vsHalf = rest.compareTo(BigInteger.ONE.shiftLeft(drop - 1));
        boolean up = vsHalf > 0 || (vsHalf == 0 && (sticky || kept.testBit(0)));
        if (up) {
            kept = kept.add(BigInteger.ONE);
        }
        // kept <= 2^53 converts exactly; scalb is exact, or overflows to infinity as IEEE does.
        return Math.scalb(kept.doubleValue(), lsb);
    }

    /**
     * Writes the exact state for another process, normalised first, so that every chunk but
     * the top one lies in {@code [0, 2^32)}: the top chunk, then only the chunks that differ from
     * what surrounds them — zeros below, and above them up to the top either zeros or, for a
     * negative sum, {@code 2^32 - 1} — then the two infinity counts, the number of values and the
     * zero-sign flag (0 or 1).
     *
     * <pre>
     *   top i32 | low u8 | high u8 | chunk[low .. high) u32 each | positiveInfinities i64
     *   | negativeInfinities i64 | deposits i64 | sawNonNegativeZero u8
     * </pre>
     *
     * A sum of typical data spans a few chunks, so this is some 40 bytes instead of the 585 of all
     * 70: a grouped partial of a thousand series crosses a worker's pipe in a tenth of the bytes,
     * and its encoding and decoding cost as much less (docs/BENCHMARKS.md).
     */
    void writeTo(DataOutput out) throws IOException {
        normalize();
        long top = chunks[CHUNKS - 1];
        if (top != (int) top) {
            throw new IllegalStateException("exact sum top chunk=" + top + " does not fit 32 bits");
        }
        long fill = top < 0 ? LOW_MASK : 0;
        int high = CHUNKS - 1;
        while (high > 0 && chunks[high - 1] == fill) {
            high--;
        }
        int low = 0;
        while (low < high && chunks[low] == 0) {
            low++;
        }
        out.writeInt((int) top);
        out.writeByte(low);
        out.writeByte(high);
        for (int i = low; i < high; i++) {
            out.writeInt((int) chunks[i]);
        }
        out.writeLong(positiveInfinities);
        out.writeLong(negativeInfinities);
        out.writeLong(deposits);
        out.writeByte(sawNonNegativeZero ? 1 : 0);
    }

    /**
     * Replaces this sum by one {@link #writeTo} wrote, rejecting any state it cannot have
     * written (chunks out of place, a negative count), so no later addition can overflow.
     */
    void readFrom(DataInput in) throws IOException {
        long top = in.readInt();
        int low = in.readUnsignedByte();
        int high = in.readUnsignedByte();
        if (low > high || high > CHUNKS - 1) {
            throw new IOException("exact sum chunks low=" + low + " high=" + high + " are not a range below the top chunk, "
                    + (CHUNKS - 1));
        }
        long[] read = new long[CHUNKS];
        for (int i = low; i < high; i++) {
            read[i] = in.readInt() & LOW_MASK;
        }
        Arrays.fill(read, high, CHUNKS - 1, top < 0 ? LOW_MASK : 0);
        read[CHUNKS - 1] = top;
        long positive = nonNegative(in.readLong(), "positiveInfinities");
        long negative = nonNegative(in.readLong(), "negativeInfinities");
        long count = nonNegative(in.readLong(), "deposits");
        int flag = in.readByte();
        if (flag != 0 && flag != 1) {
            throw new IOException("exact sum sawNonNegativeZero=" + flag + " is not 0 or 1");
        }
        System.arraycopy(read, 0, chunks, 0, CHUNKS);
        positiveInfinities = positive;
        negativeInfinities = negative;
        deposits = count;
        sawNonNegativeZero = flag == 1;
        pending = 0;
    }

    private static long nonNegative(long value, String field) throws IOException {
        if (value < 0) {
            throw new IOException("exact sum " + field + "=" + value + " is negative");
        }
        return value;
    }
}
