package dev.tsproc.ingest.csv;

import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;
import java.util.Objects;

/**
 * How the timestamp column of a CSV file is written. Every format yields int64 epoch
 * nanoseconds (UTC); a timestamp outside the range of that type (1677-09-21 to 2262-04-11) is
 * an error, never a wrapped value.
 *
 * <table>
 * <caption>Formats, by the name {@link #parse} accepts</caption>
 * <tr><th>name</th><th>reads</th></tr>
 * <tr><td>{@code auto}</td><td>integers as epoch seconds, milliseconds, microseconds or
 *     nanoseconds, the unit told by the first data line's magnitude ({@link #epochUnitOf});
 *     anything starting {@code dddd-} as ISO-8601; the default</td></tr>
 * <tr><td>{@code epoch-s}, {@code epoch-ms}, {@code epoch-us}, {@code epoch-ns}</td>
 *     <td>an integer count of seconds, milliseconds, microseconds or nanoseconds since
 *     1970-01-01T00:00Z, optionally with a decimal fraction down to the nanosecond
 *     ({@code 1700000000.25} in {@code epoch-s})</td></tr>
 * <tr><td>{@code iso}</td><td>ISO-8601 {@code YYYY-MM-DD}, optionally followed by
 *     {@code T} (or a space) and {@code hh:mm:ss}, a fraction of 1 to 9 digits, and an offset
 *     {@code Z}, {@code ±hh:mm}, {@code ±hhmm} or {@code ±hh}; without an offset the time is
 *     UTC</td></tr>
 * <tr><td>{@code pattern:P}</td><td>a {@link DateTimeFormatter} pattern such as
 *     {@code pattern:dd/MM/yyyy HH:mm:ss}; UTC unless the pattern has an offset or zone;
 *     much slower than the others (one {@code String} per row)</td></tr>
 * </table>
 */
public final class TimestampFormat {
    /** The kinds of format. */
    public enum Kind { AUTO, EPOCH, ISO, PATTERN }

    private final Kind kind;
    private final String name;
    private final long nanosPerUnit;
    private final DateTimeFormatter formatter;

    private TimestampFormat(Kind kind, String name, long nanosPerUnit, DateTimeFormatter formatter) {
        this.kind = kind;
        this.name = name;
        this.nanosPerUnit = nanosPerUnit;
        this.formatter = formatter;
    }

    /** Integers as epoch nanoseconds, ISO-8601 text as such. */
    public static final TimestampFormat AUTO = new TimestampFormat(Kind.AUTO, "auto", 1, null);
    /** ISO-8601 only. */
    public static final TimestampFormat ISO = new TimestampFormat(Kind.ISO, "iso", 1, null);

    /** Epoch time in units of {@code nanosPerUnit} nanoseconds (1, 10^3, 10^6 or 10^9). */
    public static TimestampFormat epoch(long nanosPerUnit) {
        String unit = switch ((int) Math.min(nanosPerUnit, Integer.MAX_VALUE)) {
            case 1 -> "ns";
            case 1_000 -> "us";
            case 1_000_000 -> "ms";
            case 1_000_000_000 -> "s";
            default -> throw new IllegalArgumentException("nanosPerUnit=" + nanosPerUnit + " is not 1, 10^3, 10^6 or 10^9");
        };
        return new TimestampFormat(Kind.EPOCH, "epoch-" + unit, nanosPerUnit, null);
    }

    /**
     * The format named {@code spec}: {@code auto}, {@code iso}, {@code epoch-s},
     * {@code epoch-ms}, {@code epoch-us}, {@code epoch-ns} or {@code pattern:P}.
     *
     * @throws IllegalArgumentException naming the accepted formats, or the pattern's mistake
     */
    public static TimestampFormat parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String lower = spec.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "auto": return AUTO;
            case "iso": return ISO;
            case "epoch-s": return epoch(1_000_000_000L);
            case "epoch-ms": return epoch(1_000_000L);
            case "epoch-us": return epoch(1_000L);
            case "epoch-ns": return epoch(1L);
            default: break;
        }
        if (lower.startsWith("pattern:")) {
            String pattern = spec.substring("pattern:".length());
            try {
                DateTimeFormatter formatter = new DateTimeFormatterBuilder().parseCaseInsensitive()
                        .appendPattern(pattern).toFormatter(Locale.ROOT);
                return new TimestampFormat(Kind.PATTERN, spec, 1, formatter);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("timestamp pattern '" + pattern + "' is not valid: " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("unknown timestamp format '" + spec
                + "'; choose auto, iso, epoch-s, epoch-ms, epoch-us, epoch-ns or pattern:<DateTimeFormatter pattern>");
    }

    /**
     * The epoch unit in which {@code timestamp}, an unsigned decimal (a fraction allowed), is a
     * time from 1973-03-03 to 2286-11-20: seconds below 10^10 (from 10^8), milliseconds below
     * 10^13 (from 10^11), microseconds below 10^16 (from 10^14). Otherwise null, and integers
     * stay nanoseconds, as {@code tsproc export} writes them: from 10^17 they are, below 10^8
     * (small counters, as in tests) no unit is a date since 1973, and between the ranges
     * ({@link #epochUnitUnclear}) the import is refused. How {@link #AUTO} reads a file's
     * integers, judged from its first data line as DuckDB's sniffer judges from a sample,
     * because an import in milliseconds read as nanoseconds lands in 1970 without a bad line
     * (issue 14.4).
     */
    static TimestampFormat epochUnitOf(String timestamp) {
        return unitOfDigits(integerDigits(timestamp));
    }

    /**
     * {@link #epochUnitOf(String)} for an integer timestamp of a typed column (Parquet): how
     * {@link #AUTO} reads a file's integers, judged from its first time. Null for a negative one.
     */
    public static TimestampFormat epochUnitOf(long timestamp) {
        return unitOfDigits(integerDigits(timestamp));
    }

    /** {@link #epochUnitUnclear(String)} for an integer timestamp of a typed column. */
    public static boolean epochUnitUnclear(long timestamp) {
        return unclearDigits(integerDigits(timestamp));
    }

    private static TimestampFormat unitOfDigits(int digits) {
        return switch (digits) {
            case 9, 10 -> epoch(1_000_000_000L);
            case 12, 13 -> epoch(1_000_000L);
            case 15, 16 -> epoch(1_000L);
            default -> null; // nanoseconds among them: auto reads those, and ISO lines too
        };
    }

    /**
     * Whether {@code timestamp} is an unsigned decimal of 11, 14 or 17 integer digits: in every
     * unit a time before 1973 or after 2286 — seconds after 2286 or milliseconds before 1973, and
     * so on — so that no unit can be told from it, and {@link #AUTO} refuses rather than guess.
     */
    static boolean epochUnitUnclear(String timestamp) {
        return unclearDigits(integerDigits(timestamp));
    }

    /**
     * Why {@link #AUTO} refuses {@code timestamp}, an integer of {@code digits} digits before any
     * fraction for which {@link #epochUnitUnclear} holds, and what to do: one clause for a message.
     */
    public static String noEpochUnit(String timestamp, int digits) {
        return "the timestamp " + timestamp + " has " + digits + " digits, which is a time from 1973 to 2286 in no epoch unit;"
                + " say which it is with --ts-format epoch-s, epoch-ms, epoch-us or epoch-ns";
    }

    private static boolean unclearDigits(int digits) {
        return digits == 11 || digits == 14 || digits == 17;
    }

    /** The decimal digits of {@code timestamp}, or 0 if it is negative. */
    private static int integerDigits(long timestamp) {
        return timestamp < 0 ? 0 : Long.toString(timestamp).length();
    }

    /** The digits before the fraction of an unsigned decimal of at most 19 of them, or 0 if it is not one. */
    private static int integerDigits(String timestamp) {
        if (!timestamp.matches("[0-9]{1,19}(\\.[0-9]+)?")) {
            return 0;
        }
        return timestamp.indexOf('.') < 0 ? timestamp.length() : timestamp.indexOf('.');
    }

    /** The kind of format. */
    public Kind kind() {
        return kind;
    }

    /** Nanoseconds per unit of an {@link Kind#EPOCH} format; 1 otherwise. */
    public long nanosPerUnit() {
        return nanosPerUnit;
    }

    /** The formatter of a {@link Kind#PATTERN} format, else null. */
    DateTimeFormatter formatter() {
        return formatter;
    }

    /** The name {@link #parse} accepts for this format. */
    @Override
    public String toString() {
        return name;
    }
}
