package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Scans timestamps of one {@link TimestampFormat} straight from bytes into epoch nanoseconds.
 *
 * <p>Like {@link NumberScanner}, a scan stops at the first byte that cannot continue the
 * timestamp and returns its position; the caller checks that the field ends there. ISO-8601
 * text is read at fixed positions (no {@code java.time} objects); days since the epoch come
 * from H. Hinnant's {@code days_from_civil}.
 *
 * <p>Thread confinement: one instance per thread.
 */
public final class TimestampScanner {
    /** Returned when the bytes are not a timestamp of the format. */
    public static final long NO_TIMESTAMP = -1;
    /** Returned when the timestamp is valid but outside the int64-nanosecond range. */
    public static final long OUT_OF_RANGE = -2;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    /** Returned by the fast ISO path for text it leaves to the general one. */
    private static final long FALLBACK = -3;
    private static final long DATE_SEPARATORS = 0x2D00002D00000000L; // "YYYY-MM-": '-' in bytes 4 and 7
    private static final long DATE_SEPARATOR_MASK = 0xFF0000FF00000000L;
    private static final long TIME_SEPARATORS = 0x00003A0000540000L; // "DDThh:mm": 'T' in byte 2, ':' in byte 5
    private static final long TIME_SEPARATOR_MASK = 0x0000FF0000FF0000L;
    private static final long ZEROS = 0x3030303030303030L;
    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000};
    /** Nanoseconds per unit of the last digit of a fraction of {@code n} digits: 10^(9 - n). */
    private static final long[] FRACTION_SCALE = {1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000,
            1_000, 100, 10, 1};
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long MAX_SECONDS = Long.MAX_VALUE / NANOS_PER_SECOND;

    private final TimestampFormat format;
    private final byte delimiter;
    private final int fractionDigits;
    private final long nanosPerUnit;
    private final long maxWhole;
    private final long minWhole;
    private final NumberScanner numbers = new NumberScanner();

    /** The value of the last successful scan, epoch nanoseconds. */
    long value;

    public TimestampScanner(TimestampFormat format, byte delimiter) {
        this.format = format;
        this.delimiter = delimiter;
        this.fractionDigits = Long.toString(format.nanosPerUnit()).length() - 1;
        this.nanosPerUnit = format.nanosPerUnit();
        this.maxWhole = Long.MAX_VALUE / nanosPerUnit; // divisions are slow: once, not per row
        this.minWhole = Long.MIN_VALUE / nanosPerUnit;
    }

    /** The value of the last successful scan, epoch nanoseconds. */
    public long value() {
        return value;
    }

    /** Scans a timestamp at {@code from}; see the class comment for the result. */
    public long scan(MemorySegment s, long from, long limit) {
        return switch (format.kind()) {
            case EPOCH -> scanEpoch(s, from, limit);
            case ISO -> iso(s, from, limit);
            case AUTO -> limit - from >= 5 && s.get(BYTE, from + 4) == '-' && digits(s, from, 4) >= 0
                    ? iso(s, from, limit) : scanEpoch(s, from, limit);
            case PATTERN -> scanPattern(s, from, limit);
        };
    }

    private long scanEpoch(MemorySegment s, long from, long limit) {
        long p = numbers.scanLong(s, from, limit);
        if (p < 0) {
            return p == NumberScanner.OUT_OF_RANGE ? OUT_OF_RANGE : NO_TIMESTAMP;
        }
        long whole = numbers.longValue;
        long fraction = 0;
        if (fractionDigits > 0 && p < limit && s.get(BYTE, p) == '.') {
            long q = p + 1;
            int n = 0;
            for (; q < limit && isDigit(s.get(BYTE, q)) && n < fractionDigits; q++, n++) {
                fraction = fraction * 10 + (s.get(BYTE, q) - '0');
            }
            if (n == 0) {
                return p; // "12." : the '.' ends the number and the caller rejects it
            }
            for (; n < fractionDigits; n++) {
                fraction *= 10;
            }
            p = q; // a further digit (finer than a nanosecond) is left for the caller to reject
        }
        if (whole > maxWhole || whole < minWhole) {
            return OUT_OF_RANGE;
        }
        long nanos = whole * nanosPerUnit;
        boolean negative = s.get(BYTE, from) == '-';
        long result = negative ? nanos - fraction : nanos + fraction;
        if (negative ? result > nanos : result < nanos) {
            return OUT_OF_RANGE;
        }
        value = result;
        return p;
    }

    /**
     * The common forms only, for a parser's fast path: an epoch integer of 1 to 19 digits
     * without sign or fraction (formats {@code epoch-*} and {@code auto}), read as up to three
     * words without a loop, or the ISO form of {@link #scanIsoFast}. Returns the position after the
     * timestamp (its value in {@link #value}), or a negative number for anything that
     * {@link #scan} must judge. Reads up to 28 bytes at {@code from}, which must exist.
     */
    long scanCommon(MemorySegment s, long from, long limit) {
        TimestampFormat.Kind kind = format.kind();
        long first = s.get(WORD, from);
        if (kind == TimestampFormat.Kind.ISO || kind == TimestampFormat.Kind.AUTO && ((first >>> 32) & 0xFF) == '-') {
            return scanIsoFast(s, from, limit);
        }
        if (kind != TimestampFormat.Kind.EPOCH && kind != TimestampFormat.Kind.AUTO) {
            return FALLBACK;
        }
        long nonDigits = NumberScanner.nonDigits(first);
        long whole;
        int length;
        if (nonDigits != 0) {
            length = Long.numberOfTrailingZeros(nonDigits) >>> 3;
            if (length == 0) {
                return FALLBACK;
            }
            whole = NumberScanner.eightDigits(padDigits(first, length));
        } else {
            long second = s.get(WORD, from + 8);
            int more = Long.numberOfTrailingZeros(NumberScanner.nonDigits(second)) >>> 3;
            whole = NumberScanner.eightDigits(first);
            if (more == 8) { // 16 to 19 digits, as epoch nanoseconds have: at most 10^19 - 1 < 2^64, unsigned
                long third = s.get(WORD, from + 16);
                int last = Long.numberOfTrailingZeros(NumberScanner.nonDigits(third)) >>> 3;
                if (last > 3) {
                    return FALLBACK;
                }
                whole = whole * 100_000_000L + NumberScanner.eightDigits(second);
                if (last > 0) {
                    whole = whole * POWERS_OF_TEN[last] + NumberScanner.eightDigits(padDigits(third, last));
                }
                more += last;
            } else if (more > 0) {
                whole = whole * POWERS_OF_TEN[more] + NumberScanner.eightDigits(padDigits(second, more));
            }
            length = 8 + more;
        }
        if (Long.compareUnsigned(whole, maxWhole) > 0 || from + length > limit) {
            return FALLBACK;
        }
        value = whole * nanosPerUnit;
        return from + length;
    }

    /** The low {@code n} (1 to 7) digit bytes of {@code word} moved to its top, with '0' below. */
    private static long padDigits(long word, int n) {
        int pad = (8 - n) << 3;
        return (word << pad) | (ZEROS >>> (64 - pad));
    }

    private long iso(MemorySegment s, long from, long limit) {
        long end = scanIsoFast(s, from, limit);
        return end != FALLBACK ? end : scanIso(s, from, limit);
    }

    // The last date-and-minute prefix read, "YYYY-MM-DDThh:mm" as two words, and its epoch second.
    private long cachedDate = -1;
    private long cachedTime = -1;
    private long cachedMinuteSecond;

    /**
     * The common ISO form {@code YYYY-MM-DDThh:mm:ss[.f…][Z]} read a word at a time. Rows in time
     * order mostly share their date and minute with the previous row, so the first 16 bytes
     * are compared with the last ones read and their epoch second reused. Anything else
     * (offsets, a space or lowercase separator or zone, no seconds, a short or invalid date, a
     * comma or more than 7 digits for the fraction, fewer than 28 bytes left in the segment) returns
     * {@link #FALLBACK} for {@link #scanIso}, which reads every form and reports errors.
     */
    private long scanIsoFast(MemorySegment s, long from, long limit) {
        if (from + 28 > s.byteSize() || limit - from < 19) {
            return FALLBACK;
        }
        long date = s.get(WORD, from);
        long time = s.get(WORD, from + 8);
        long minuteSecond;
        if (date == cachedDate && time == cachedTime) {
            minuteSecond = cachedMinuteSecond;
        } else {
            long dateDigits = (date & ~DATE_SEPARATOR_MASK) | (ZEROS & DATE_SEPARATOR_MASK);
            long timeDigits = (time & ~TIME_SEPARATOR_MASK) | (ZEROS & TIME_SEPARATOR_MASK);
            if ((date & DATE_SEPARATOR_MASK) != DATE_SEPARATORS || (time & TIME_SEPARATOR_MASK) != TIME_SEPARATORS
                    || NumberScanner.nonDigits(dateDigits) != 0 || NumberScanner.nonDigits(timeDigits) != 0) {
                return FALLBACK;
            }
            int year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
            int month = digit(date, 5) * 10 + digit(date, 6);
            int day = digit(time, 0) * 10 + digit(time, 1);
            int hour = digit(time, 3) * 10 + digit(time, 4);
            int minute = digit(time, 6) * 10 + digit(time, 7);
            if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) {
                return FALLBACK;
            }
            minuteSecond = daysFromCivil(year, month, day) * 86_400L + hour * 3600L + minute * 60L;
            cachedDate = date;
            cachedTime = time;
            cachedMinuteSecond = minuteSecond;
        }
        long tail = s.get(WORD, from + 16); // ":ss", then maybe ".f…" and "Z"
        int tens = (int) ((tail >>> 8) & 0xFF) - '0';
        int ones = (int) ((tail >>> 16) & 0xFF) - '0';
        if ((tail & 0xFF) != ':' || tens < 0 || tens > 5 || ones < 0 || ones > 9) {
            return FALLBACK;
        }
        long p = from + 19;
        long nanos = 0;
        int next = (int) ((tail >>> 24) & 0xFF); // the byte at p
        if (p < limit && next == ',' && delimiter != ',') {
            return FALLBACK; // a comma fraction
        }
        if (p < limit && next == '.') {
            long fraction = s.get(WORD, p + 1);
            int n = (int) Math.min(Long.numberOfTrailingZeros(NumberScanner.nonDigits(fraction)) >>> 3, limit - p - 1);
            if (n == 0 || n == 8) {
                return FALLBACK; // no digit, or 8 or more: scanIso reads those
            }
            nanos = NumberScanner.eightDigits(padDigits(fraction, n)) * FRACTION_SCALE[n];
            p += 1 + n;
            next = (int) ((fraction >>> (n << 3)) & 0xFF);
        }
        if (p < limit) {
            if (next == 'Z') {
                p++;
            } else if (next == '+' || next == '-' || next == 'z') {
                return FALLBACK;
            }
        }
        return toNanos(minuteSecond + tens * 10 + ones, nanos) ? p : OUT_OF_RANGE;
    }

    private static int digit(long word, int index) {
        return (int) ((word >>> (index << 3)) & 0xFF) - '0';
    }

    private long scanIso(MemorySegment s, long from, long limit) {
        if (limit - from < 10 || s.get(BYTE, from + 4) != '-' || s.get(BYTE, from + 7) != '-') {
            return NO_TIMESTAMP;
        }
        int year = digits(s, from, 4);
        int month = digits(s, from + 5, 2);
        int day = digits(s, from + 8, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
            return NO_TIMESTAMP;
        }
        long p = from + 10;
        long secondOfDay = 0;
        long nanos = 0;
        long offsetSeconds = 0;
        if (p < limit) {
            byte t = s.get(BYTE, p);
            // A space may separate date and time, unless it is the delimiter.
            if (t == 'T' || t == 't' || (t == ' ' && delimiter != ' ')) {
                if (limit - p < 6 || s.get(BYTE, p + 3) != ':') {
                    return NO_TIMESTAMP;
                }
                int hour = digits(s, p + 1, 2);
                int minute = digits(s, p + 4, 2);
                int second = 0;
                p += 6;
                if (limit - p >= 3 && s.get(BYTE, p) == ':') {
                    second = digits(s, p + 1, 2);
                    p += 3;
                    // A comma may start the fraction, unless it is the delimiter.
                    if (p < limit && (s.get(BYTE, p) == '.' || (s.get(BYTE, p) == ',' && delimiter != ','))) {
                        long q = p + 1;
                        int n = 0;
                        for (; q < limit && n < 9 && isDigit(s.get(BYTE, q)); q++, n++) {
                            nanos = nanos * 10 + (s.get(BYTE, q) - '0');
                        }
                        if (n == 0) {
                            return NO_TIMESTAMP;
                        }
                        for (; n < 9; n++) {
                            nanos *= 10;
                        }
                        p = q;
                    }
                }
                if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
                    return NO_TIMESTAMP;
                }
                secondOfDay = hour * 3600L + minute * 60L + second;
                if (p < limit) {
                    byte z = s.get(BYTE, p);
                    if (z == 'Z' || z == 'z') {
                        p++;
                    } else if (z == '+' || z == '-') {
                        long q = scanOffset(s, p + 1, limit);
                        if (q < 0) {
                            return NO_TIMESTAMP;
                        }
                        offsetSeconds = z == '-' ? -parsedOffset : parsedOffset;
                        p = q;
                    }
                }
            }
        }
        long epochSecond = daysFromCivil(year, month, day) * 86_400L + secondOfDay - offsetSeconds;
        return toNanos(epochSecond, nanos) ? p : OUT_OF_RANGE;
    }

    private long parsedOffset;

    /** Sets {@link #value} to {@code epochSecond} s + {@code nanos} ns; false if that is outside a long. */
    private boolean toNanos(long epochSecond, long nanos) {
        if (epochSecond > MAX_SECONDS || epochSecond < -MAX_SECONDS - 1) {
            return false;
        }
        // Near the lower end, epochSecond × 10^9 alone overflows although the sum fits: borrow a second.
        long result = epochSecond >= 0
                ? epochSecond * NANOS_PER_SECOND + nanos
                : (epochSecond + 1) * NANOS_PER_SECOND + (nanos - NANOS_PER_SECOND);
        if (epochSecond >= 0 ? result < 0 : result >= 0) {
            return false;
        }
        value = result;
        return true;
    }

    /** Reads {@code hh}, {@code hh:mm} or {@code hhmm} into {@link #parsedOffset} seconds. */
    private long scanOffset(MemorySegment s, long p, long limit) {
        if (limit - p < 2) {
            return -1;
        }
        int hours = digits(s, p, 2);
        int minutes = 0;
        p += 2;
        if (limit - p >= 3 && s.get(BYTE, p) == ':') {
            minutes = digits(s, p + 1, 2);
            p += 3;
        } else if (limit - p >= 2 && isDigit(s.get(BYTE, p))) {
            minutes = digits(s, p, 2);
            p += 2;
        }
        if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59) {
            return -1;
        }
        parsedOffset = hours * 3600L + minutes * 60L;
        return p;
    }

    private long scanPattern(MemorySegment s, long from, long limit) {
        long end = from;
        while (end < limit) {
            byte b = s.get(BYTE, end);
            if (b == delimiter || b == '\n' || b == '\r' || b == '"') {
                break;
            }
            end++;
        }
        byte[] bytes = new byte[(int) Math.min(end - from, 1 << 16)];
        MemorySegment.copy(s, BYTE, from, bytes, 0, bytes.length);
        try {
            TemporalAccessor parsed = format.formatter().parse(new String(bytes, StandardCharsets.UTF_8));
            Instant instant;
            if (parsed.isSupported(ChronoField.INSTANT_SECONDS)) {
                instant = Instant.from(parsed);
            } else if (parsed.isSupported(ChronoField.HOUR_OF_DAY)) {
                instant = LocalDateTime.of(LocalDate.from(parsed), LocalTime.from(parsed)).toInstant(ZoneOffset.UTC);
            } else {
                instant = LocalDate.from(parsed).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return toNanos(instant.getEpochSecond(), instant.getNano()) ? end : OUT_OF_RANGE;
        } catch (DateTimeException | ArithmeticException e) {
            return NO_TIMESTAMP;
        }
    }

    /** The {@code n} decimal digits at {@code p} as a number, or -1 if one is not a digit. */
    private static int digits(MemorySegment s, long p, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int d = s.get(BYTE, p + i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant). */
    static long daysFromCivil(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
