package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Scans numbers in tsproc's strict CSV grammar straight from bytes, without allocating.
 *
 * <pre>
 * decimal  = [sign] ( digits [ "." [digits] ] | "." digits ) [ ("e" | "E") [sign] digits ]
 *          | [sign] ( "inf" | "infinity" )          (letters in any case)
 * integer  = [sign] digits
 * sign     = "+" | "-"
 * </pre>
 *
 * <p>Nothing else is a number: no spaces, no {@code f}/{@code d} suffixes, no hexadecimal, no
 * digit separators, no {@code NaN} (missing values are spelled by the caller's list). This is
 * deliberately stricter than {@link Double#parseDouble}, which accepts {@code " 2 "},
 * {@code "1.5f"}, {@code "1d"} and {@code "0x1p3"}.
 *
 * <p>A scan stops at the first byte that cannot continue the number and returns its position;
 * the caller decides whether that byte may end the field. So {@code 1.5f} scans as {@code 1.5}
 * ending before {@code f}, which the caller rejects because {@code f} is not a delimiter.
 *
 * <p><b>Rounding.</b> Decimals are correctly rounded to the nearest double (ties to even), the
 * same bits as {@code Double.parseDouble} of the same text. Up to 19 significant digits are
 * gathered into a 64-bit integer {@code w} with a decimal exponent {@code q}. Then:
 * <ol>
 * <li>Clinger's fast path: {@code w <= 2^53} and {@code |q| <= 22}; both {@code w} and
 *     {@code 10^|q|} are exact doubles, so one IEEE multiplication or division rounds
 *     correctly.</li>
 * <li>Eisel-Lemire: multiply {@code w} by a 128-bit truncation of {@code 5^q} and read the
 *     result's top 54 bits; when the truncation might matter (the bits below are all ones, or a
 *     tie could be hidden) it gives up. This is simdjson's {@code compute_float_64} (D. Lemire,
 *     "Number Parsing at a Gigabyte per Second", Software: Practice and Experience 51(8), 2021;
 *     N. Tao's original), with its power table rebuilt here from {@link BigInteger}.</li>
 * <li>Otherwise (more than 19 significant digits, subnormal or overflowing results, the rare
 *     give-ups) the already validated text is handed to {@code Double.parseDouble}.</li>
 * </ol>
 *
 * <p>Thread confinement: an instance keeps the last scan's result in fields; use one per thread.
 */
final class NumberScanner {
    /** Returned by a scan that found no number at all. */
    static final long NO_NUMBER = -1;
    /** Returned by an integer scan whose number does not fit in a {@code long}. */
    static final long OUT_OF_RANGE = -2;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long[] LONG_POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};
    private static final double[] POWERS_OF_TEN = new double[23];
    private static final int SMALLEST_POWER = -342;
    private static final int LARGEST_POWER = 308;

    /**
     * Pairs (high, low) of the 128-bit truncated, normalised {@code 5^q}, q from -342 to 308,
     * built on first use: building them with {@code BigInteger} costs about a tenth of a CPU
     * second at start (interpreting the loop, then compiling it), and most files never need them.
     */
    private static final class PowersOfFive {
        static final long[] TABLE = powersOfFive();
    }

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    /** The value of the last successful {@link #scanDouble}. */
    double doubleValue;
    /** The value of the last successful {@link #scanLong}. */
    long longValue;

    /**
     * Scans a decimal starting at {@code from}, reading no byte at or after {@code limit}.
     *
     * @return the position after the number (the value is in {@link #doubleValue}), or
     *         {@link #NO_NUMBER} if no number starts at {@code from}
     */
    long scanDouble(MemorySegment s, long from, long limit) {
        long shortEnd = scanShortDecimal(s, from, limit);
        if (shortEnd != NO_NUMBER) {
            return shortEnd;
        }
        long p = from + signLength(s, from, limit);
        boolean negative = p > from && s.get(BYTE, from) == '-';
        long fast = scanSimpleDecimal(s, p, limit, negative);
        if (fast != NO_NUMBER) {
            return fast;
        }
        long mantissa = 0; // unsigned: up to 19 digits, < 10^19 < 2^64
        int digits = 0;
        int exponent = 0;
        boolean truncated = false;
        long start = p;
        boolean point = false;
        for (; p < limit; p++) {
            byte b = s.get(BYTE, p);
            if (b == '.' && !point) {
                point = true;
                continue;
            }
            int d = b - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (digits < 19) {
                mantissa = mantissa * 10 + d;
                if (mantissa != 0) {
                    digits++;
                }
                if (point) {
                    exponent--;
                }
            } else {
                if (!point) {
                    exponent++;
                }
                truncated |= d != 0;
            }
        }
        if (p - start == (point ? 1 : 0)) { // no digit
            return point ? NO_NUMBER : scanInfinity(s, p, limit, negative);
        }
        if (p < limit && (s.get(BYTE, p) | 0x20) == 'e') {
            long q = p + 1 + signLength(s, p + 1, limit);
            boolean negativeExponent = q > p + 1 && s.get(BYTE, p + 1) == '-';
            long exponentStart = q;
            int e = 0;
            for (; q < limit; q++) {
                int d = s.get(BYTE, q) - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                if (e < 100_000) {
                    e = e * 10 + d;
                }
            }
            if (q > exponentStart) { // else the 'e' is not part of the number and ends it
                exponent += negativeExponent ? -e : e;
                p = q;
            }
        }
        double value = truncated ? Double.NaN : toDouble(negative, mantissa, exponent);
        if (Double.isNaN(value)) {
            value = slowPath(s, from, p);
        }
        doubleValue = value;
        return p;
    }

    /**
     * Scans an integer starting at {@code from}.
     *
     * @return the position after it (the value is in {@link #longValue}), {@link #NO_NUMBER} if
     *         no digits start there, or {@link #OUT_OF_RANGE} if it does not fit in a long
     */
    long scanLong(MemorySegment s, long from, long limit) {
        long p = from + signLength(s, from, limit);
        boolean negative = p > from && s.get(BYTE, from) == '-';
        long start = p;
        int run = digitRun(s, p, limit);
        if (run > 0 && run <= 19
                && Long.compareUnsigned(accumulator, negative ? Long.MIN_VALUE : Long.MAX_VALUE) <= 0) {
            longValue = negative ? -accumulator : accumulator; // -(2^63) wraps to Long.MIN_VALUE, as it should
            return p + run;
        }
        long value = 0; // accumulated negatively: -Long.MIN_VALUE does not fit
        for (; p < limit; p++) {
            int d = s.get(BYTE, p) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (p - start >= 18) { // from the 19th digit on, an overflow is possible
                if (value < Long.MIN_VALUE / 10 || value * 10 < Long.MIN_VALUE + d) {
                    return OUT_OF_RANGE;
                }
            }
            value = value * 10 - d;
        }
        if (p == start) {
            return NO_NUMBER;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return OUT_OF_RANGE;
            }
            value = -value;
        }
        longValue = value;
        return p;
    }

    /**
     * The commonest case of {@link #scanDouble}, without a branch on the number's length: an
     * optional minus and at most seven digits with at most one decimal point, followed by a
     * byte that is neither a digit nor an exponent. The eight bytes at {@code from} (and the
     * ninth, after a minus) are read once; the point is found with SWAR masks, turned into a
     * digit ({@code '.' + 2 == '0'}) to find the end, and squeezed out; the digits, padded
     * with {@code '0'}, become an integer of at most 7 digits, which divided by an exact power
     * of ten is correctly rounded (Clinger). Returns {@link #NO_NUMBER} for anything else.
     */
    private long scanShortDecimal(MemorySegment s, long from, long limit) {
        long size = s.byteSize();
        if (from + 8 > size) {
            return NO_NUMBER;
        }
        // Past the end of the segment, a zero byte ends the number as the end does.
        int length = shortDecimal(s.get(WORD, from), from + 8 < size ? s.get(BYTE, from + 8) : 0);
        return length < 0 || from + length > limit ? NO_NUMBER : from + length;
    }

    /**
     * {@link #scanShortDecimal} on the eight bytes already read into {@code word} (the first in
     * the lowest byte) and the byte after them: the number's length in bytes, its value in
     * {@link #doubleValue}, or -1.
     */
    int shortDecimal(long word, byte ninth) {
        int sign = (word & 0xFF) == '-' ? 1 : 0;
        long w = sign != 0 ? (word >>> 8) | ((long) ninth << 56) : word; // the eight bytes after the sign
        int first = Long.numberOfTrailingZeros(nonDigits(w)) >>> 3;
        int end = first;
        int fractionDigits = 0;
        long digits = w;
        if (first < 7 && ((w >>> (first << 3)) & 0xFF) == '.') {
            long pointAsZero = w + (2L << (first << 3));
            end = Long.numberOfTrailingZeros(nonDigits(pointAsZero)) >>> 3;
            fractionDigits = end - first - 1;
            long below = pointAsZero & ((1L << (first << 3)) - 1);
            long above = pointAsZero & (-1L << ((first + 1) << 3));
            digits = (below << 8) | above | '0'; // the point squeezed out, a leading '0' in its place
        }
        if (end >= 8 || end == fractionDigits + (end > first ? 1 : 0)) {
            return -1; // too long for one word, or no digit at all
        }
        int next = (int) ((w >>> (end << 3)) & 0xFF) | 0x20;
        if (next == 'e' || next == '.') {
            return -1;
        }
        int pad = (8 - end) << 3;
        long mantissa = eightDigits((digits << pad) | (0x3030303030303030L >>> (64 - pad)));
        double value = (double) mantissa / POWERS_OF_TEN[fractionDigits];
        doubleValue = sign != 0 ? -value : value;
        return sign + end;
    }

    /** Marks the high bit of the lowest byte of {@code w} that is not an ASCII digit (higher marks may be wrong). */
    static long nonDigits(long w) {
        return ((w + 0x4646464646464646L) | (w - 0x3030303030303030L)) & 0x8080808080808080L;
    }

    /**
     * The common case of {@link #scanDouble} after the sign: at most 19 digits in all, no
     * exponent or a short one. Returns {@link #NO_NUMBER} to leave any other case to the
     * general loop, which rescans from the start.
     */
    private long scanSimpleDecimal(MemorySegment s, long p, long limit, boolean negative) {
        int integerDigits = digitRun(s, p, limit);
        long mantissa = accumulator;
        p += integerDigits;
        int fractionDigits = 0;
        if (p < limit && s.get(BYTE, p) == '.') {
            accumulator = mantissa;
            fractionDigits = continueDigitRun(s, p + 1, limit);
            mantissa = accumulator;
            p += 1 + fractionDigits;
        }
        if (integerDigits + fractionDigits == 0 || integerDigits + fractionDigits > 19) {
            return NO_NUMBER;
        }
        int exponent = -fractionDigits;
        if (p < limit && (s.get(BYTE, p) | 0x20) == 'e') {
            return NO_NUMBER;
        }
        double value = toDouble(negative, mantissa, exponent);
        if (Double.isNaN(value)) {
            return NO_NUMBER;
        }
        doubleValue = value;
        return p;
    }

    private long accumulator;

    /**
     * Counts the decimal digits starting at {@code p} (stopping at {@code limit}) and leaves
     * their value in {@link #accumulator} (meaningful for up to 19 digits, as an unsigned
     * number). Eight bytes at a time where the segment allows (SWAR: the lowest non-digit byte
     * of a word is found exactly because digits neither carry nor borrow).
     */
    private int digitRun(MemorySegment s, long p, long limit) {
        accumulator = 0;
        return continueDigitRun(s, p, limit);
    }

    /** As {@link #digitRun}, appending to the digits already in {@link #accumulator}. */
    private int continueDigitRun(MemorySegment s, long p, long limit) {
        long acc = accumulator;
        long start = p;
        long size = s.byteSize();
        while (p + 8 <= size) {
            long word = s.get(WORD, p);
            long nonDigits = ((word + 0x4646464646464646L) | (word - 0x3030303030303030L)) & 0x8080808080808080L;
            int n = (int) Math.min(Long.numberOfTrailingZeros(nonDigits) >>> 3, limit - p);
            if (n == 8) {
                acc = acc * 100_000_000L + eightDigits(word);
                p += 8;
                continue;
            }
            if (n > 0) {
                int pad = (8 - n) * 8; // move the n digits to the top, fill below with '0'
                acc = acc * LONG_POWERS_OF_TEN[n] + eightDigits((word << pad) | (0x3030303030303030L >>> (64 - pad)));
                p += n;
            }
            accumulator = acc;
            return (int) (p - start);
        }
        for (; p < limit; p++) {
            int d = s.get(BYTE, p) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            acc = acc * 10 + d;
        }
        accumulator = acc;
        return (int) (p - start);
    }

    /** The value of eight ASCII digits, the first in the lowest byte (simdjson's parse_eight_digits_unrolled). */
    static long eightDigits(long word) {
        long v = word - 0x3030303030303030L;
        v = v * 10 + (v >>> 8);
        return ((v & 0x000000FF000000FFL) * (100 + (1_000_000L << 32))
                + ((v >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32))) >>> 32;
    }

    /** 1 if a sign ({@code +} or {@code -}) is at {@code p}, else 0. */
    private static int signLength(MemorySegment s, long p, long limit) {
        if (p >= limit) {
            return 0;
        }
        byte b = s.get(BYTE, p);
        return b == '-' || b == '+' ? 1 : 0;
    }

    /** Parses all of {@code text} as a decimal; for tests and slow paths. */
    static double parseDouble(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        NumberScanner scanner = new NumberScanner();
        if (scanner.scanDouble(MemorySegment.ofArray(bytes), 0, bytes.length) != bytes.length) {
            throw new NumberFormatException("'" + text + "' is not a number");
        }
        return scanner.doubleValue;
    }

    private long scanInfinity(MemorySegment s, long p, long limit, boolean negative) {
        long end = matchIgnoringCase(s, p, limit, "infinity");
        if (end < 0) {
            end = matchIgnoringCase(s, p, limit, "inf");
        }
        if (end < 0) {
            return NO_NUMBER;
        }
        doubleValue = negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        return end;
    }

    private static long matchIgnoringCase(MemorySegment s, long p, long limit, String lowerCaseWord) {
        if (limit - p < lowerCaseWord.length()) {
            return -1;
        }
        for (int i = 0; i < lowerCaseWord.length(); i++) {
            if ((s.get(BYTE, p + i) | 0x20) != lowerCaseWord.charAt(i)) {
                return -1;
            }
        }
        return p + lowerCaseWord.length();
    }

    private static double slowPath(MemorySegment s, long from, long to) {
        byte[] text = new byte[(int) (to - from)];
        MemorySegment.copy(s, BYTE, from, text, 0, text.length);
        // The grammar above is a subset of Java's, so this cannot throw.
        return Double.parseDouble(new String(text, StandardCharsets.ISO_8859_1));
    }

    /**
     * The double nearest to {@code ±w × 10^q} ({@code w} unsigned), or NaN when the fast
     * algorithms cannot decide it.
     */
    static double toDouble(boolean negative, long w, int q) {
        if (w == 0) {
            return negative ? -0.0 : 0.0;
        }
        if (q >= -22 && q <= 22 && Long.compareUnsigned(w, 1L << 53) <= 0) {
            double d = (double) w; // exact: w <= 2^53
            d = q < 0 ? d / POWERS_OF_TEN[-q] : d * POWERS_OF_TEN[q];
            return negative ? -d : d;
        }
        if (q < SMALLEST_POWER || q > LARGEST_POWER) {
            return Double.NaN;
        }
        long exponent = (((152170L + 65536L) * q) >> 16) + 1024 + 63;
        int lz = Long.numberOfLeadingZeros(w);
        long i = w << lz;
        int index = 2 * (q - SMALLEST_POWER);
        long[] powersOfFive = PowersOfFive.TABLE;
        long high = Math.unsignedMultiplyHigh(i, powersOfFive[index]);
        long low = i * powersOfFive[index];
        if ((high & 0x1FF) == 0x1FF) {
            long secondHigh = Math.unsignedMultiplyHigh(i, powersOfFive[index + 1]);
            low += secondHigh;
            if (Long.compareUnsigned(secondHigh, low) > 0) {
                high++;
            }
            if (low == -1L) {
                return Double.NaN;
            }
        }
        long upperBit = high >>> 63;
        long mantissa = high >>> (upperBit + 9);
        lz += (int) (1 ^ upperBit);
        long realExponent = exponent - lz;
        if (realExponent <= 0) {
            return Double.NaN; // subnormal
        }
        if ((low == 0 || low == 1) && q >= -4 && q <= 23 && (mantissa & 3) == 1
                && (mantissa << (upperBit + 9)) == high) {
            mantissa &= ~1L; // exactly halfway: round to even, down
        }
        mantissa += mantissa & 1;
        mantissa >>>= 1;
        if (Long.compareUnsigned(mantissa, 1L << 53) >= 0) {
            mantissa = 1L << 52;
            realExponent++;
        }
        mantissa &= ~(1L << 52);
        if (realExponent > 2046) {
            return Double.NaN; // infinite
        }
        long bits = mantissa | realExponent << 52 | (negative ? 1L << 63 : 0);
        return Double.longBitsToDouble(bits);
    }

    /** The 128-bit table of fast_float/simdjson: 5^q normalised to 128 bits, rounded as they do. */
    private static long[] powersOfFive() {
        long[] table = new long[2 * (LARGEST_POWER - SMALLEST_POWER + 1)];
        BigInteger two128 = BigInteger.ONE.shiftLeft(128);
        for (int q = SMALLEST_POWER; q <= LARGEST_POWER; q++) {
            BigInteger c;
            if (q < 0) {
                BigInteger power5 = BigInteger.valueOf(5).pow(-q);
                int z = power5.subtract(BigInteger.ONE).bitLength(); // smallest z with 2^z >= 5^-q
                int b = q >= -27 ? z + 127 : 2 * z + 2 * 64;
                c = BigInteger.ONE.shiftLeft(b).divide(power5).add(BigInteger.ONE);
                while (c.compareTo(two128) >= 0) {
                    c = c.shiftRight(1);
                }
            } else {
                c = BigInteger.valueOf(5).pow(q);
                int shift = 128 - c.bitLength();
                c = shift >= 0 ? c.shiftLeft(shift) : c.shiftRight(-shift);
            }
            int index = 2 * (q - SMALLEST_POWER);
            table[index] = c.shiftRight(64).longValue();
            table[index + 1] = c.longValue();
        }
        return table;
    }
}
