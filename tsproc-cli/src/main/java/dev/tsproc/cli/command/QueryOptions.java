package dev.tsproc.cli.command;

import dev.tsproc.job.Aggregate;
import dev.tsproc.job.Percentiles;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.job.TimeBuckets;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The options of {@code tsproc run} that turn it into a query: {@code --agg --by --every --tz --offset --from --to --series}. */
final class QueryOptions {
    private static final Pattern AMOUNT = Pattern.compile("(-?\\d+)(ns|us|µs|ms|s|m|h|d)?");
    /** Calendar widths: weeks (from Monday), months, years. */
    private static final Pattern CALENDAR = Pattern.compile("(\\d+)(w|mo|y)");

    @Option(names = "--agg", paramLabel = "LIST",
            description = "Aggregates per group, comma-separated: count, missing, sum, mean, min, max, stddev, first, last, "
                    + "pNN (p50, p90, p99, p99.9), or stats for the first seven. Makes 'run' a query (instead of --job).")
    String aggregates;

    @Option(names = "--by", paramLabel = "series", description = "Group by series.")
    String by;

    @Option(names = "--every", paramLabel = "WIDTH",
            description = "Group by tumbling time buckets: 100ms, 1s, 1m, 5m, 1h, 1d, … or ISO-8601 (PT15M), aligned to the epoch; "
                    + "or calendar weeks (1w, from Monday), months (1mo), years (1y).")
    String every;

    @Option(names = "--tz", paramLabel = "ZONE",
            description = "With --every in days, weeks, months or years: buckets of this zone's local calendar (Europe/Berlin: a day "
                    + "across a change of daylight saving time is 23 or 25 hours); bucket starts and --from/--to without an offset "
                    + "are in this zone. Default: UTC.")
    String tz;

    @Option(names = "--offset", paramLabel = "DURATION",
            description = "With --every: buckets start this long after their aligned start (--every 1h --offset 15m: 00:15, 01:15, …; "
                    + "--every 1d --offset 6h: days from 06:00).")
    String offset;

    @Option(names = "--from", paramLabel = "T",
            description = "Keep rows with ts >= T: ISO-8601 (2023-11-14T22:13:20Z, 2023-11-14T22:13, 2023-11-14; UTC unless an offset is given) "
                    + "or epoch seconds, or epoch with a unit (1700000000000ms, …ns).")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "Keep rows with ts < T; same forms as --from.")
    String to;

    @Option(names = "--series", paramLabel = "NAMES",
            description = "Keep only these series: comma-separated, a name with a comma or quote in double quotes as in CSV "
                    + "('\"boiler, north\",pump'); may be repeated.")
    List<String> series;

    @Option(names = "--exact-percentiles",
            description = "Compute every group's percentiles exactly by keeping and sorting its values (8 bytes per value in"
                    + " memory). Without it, only groups of up to " + Percentiles.EXACT_LIMIT + " values are exact; larger ones"
                    + " are sketched (within 0.4%%) and their columns labelled p99~.")
    boolean exactPercentiles;

    /** Whether any query option was given. */
    boolean isQuery() {
        return aggregates != null || by != null || every != null || tz != null || offset != null || from != null || to != null
                || series != null || exactPercentiles;
    }

    /**
     * The query these options describe.
     *
     * @throws IllegalArgumentException with a message naming the bad option
     */
    QuerySpec spec() {
        List<Aggregate> aggs = aggregates == null ? Aggregate.STATS : option("--agg", () -> Aggregate.parseList(aggregates));
        boolean bySeries = false;
        if (by != null) {
            if (!by.strip().equalsIgnoreCase("series")) {
                throw new IllegalArgumentException("--by takes 'series' (for time buckets use --every), got '" + by + "'");
            }
            bySeries = true;
        }
        ZoneId zone = tz == null ? ZoneOffset.UTC : option("--tz", () -> zone(tz));
        if (every == null && (tz != null || offset != null)) {
            throw new IllegalArgumentException((tz != null ? "--tz" : "--offset") + " applies to time buckets; add --every");
        }
        TimeBuckets buckets = every == null ? null : option("--every", () -> buckets(every, zone,
                offset == null ? 0 : option("--offset", () -> parseWidth(offset))));
        long fromNanos = from == null ? Long.MIN_VALUE : option("--from", () -> parseTime(from, zone));
        long toNanos = to == null ? Long.MAX_VALUE : option("--to", () -> parseTime(to, zone));
        List<String> names = series == null ? List.of() : option("--series", () -> seriesNames(series));
        return new QuerySpec(aggs, bySeries, buckets, fromNanos, toNanos, names, exactPercentiles);
    }

    /** A time zone by its region id (Europe/Berlin) or offset (+05:30, UTC). */
    private static ZoneId zone(String text) {
        try {
            return ZoneId.of(text.strip()).normalized();
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time zone; write a region such as Europe/Berlin or"
                    + " America/New_York, or an offset such as +05:30");
        }
    }

    /**
     * The buckets {@code --every} asks for: fixed widths in UTC (days included, which are the
     * same there), calendar weeks, months and years, and calendar days in another zone.
     */
    static TimeBuckets buckets(String every, ZoneId zone, long offsetNanos) {
        String t = every.strip();
        Matcher calendar = CALENDAR.matcher(t);
        boolean utc = zone.equals(ZoneOffset.UTC);
        if (calendar.matches() || (!utc && AMOUNT.matcher(t).matches() && t.endsWith("d"))) {
            int amount;
            try {
                amount = Integer.parseInt(calendar.matches() ? calendar.group(1) : t.substring(0, t.length() - 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + every + "' is more than --every can count");
            }
            ChronoUnit unit = !calendar.matches() ? ChronoUnit.DAYS : switch (calendar.group(2)) {
                case "w" -> ChronoUnit.WEEKS;
                case "mo" -> ChronoUnit.MONTHS;
                default -> ChronoUnit.YEARS;
            };
            return TimeBuckets.calendar(amount, unit, zone, Duration.ofNanos(offsetNanos));
        }
        long width = parseWidth(every);
        if (!utc) {
            throw new IllegalArgumentException("'" + every + "' is not a calendar width; with --tz, --every takes days, weeks,"
                    + " months or years (1d, 1w, 1mo, 1y); widths of a day or less are the same in every zone with a whole-hour"
                    + " offset, and --offset aligns them otherwise");
        }
        return TimeBuckets.fixed(width, offsetNanos);
    }

    /**
     * The names in {@code --series} values, each split at commas by CSV's quoting rules (RFC 4180):
     * a field in double quotes may hold commas, and a doubled quote stands for one; so a series
     * whose name has a comma, as an import of quoted names gives, can be chosen (issue 14.2).
     */
    static List<String> seriesNames(List<String> values) {
        List<String> names = new java.util.ArrayList<>();
        for (String value : values) {
            StringBuilder name = new StringBuilder();
            int i = 0;
            while (true) {
                if (i < value.length() && value.charAt(i) == '"') {
                    int start = i;
                    for (i++; ; i++) {
                        if (i >= value.length()) {
                            throw new IllegalArgumentException("the quote at " + (start + 1) + " in '" + value + "' is not closed");
                        }
                        if (value.charAt(i) == '"') {
                            if (i + 1 < value.length() && value.charAt(i + 1) == '"') {
                                i++;
                            } else {
                                i++;
                                break;
                            }
                        }
                        name.append(value.charAt(i));
                    }
                    if (i < value.length() && value.charAt(i) != ',') {
                        throw new IllegalArgumentException("text after the closing quote in '" + value + "'");
                    }
                } else {
                    for (; i < value.length() && value.charAt(i) != ','; i++) {
                        name.append(value.charAt(i));
                    }
                }
                names.add(name.toString());
                name.setLength(0);
                if (i >= value.length()) {
                    break;
                }
                i++; // the comma
            }
        }
        return names;
    }

    private static <T> T option(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException | ArithmeticException | DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** A bucket width in nanoseconds: {@code 100ms}, {@code 1s}, {@code 5m}, {@code 1h}, {@code 1d}, or ISO-8601 {@code PT1M}. */
    static long parseWidth(String text) {
        String t = text.strip();
        long nanos;
        try {
            if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
                nanos = Duration.parse(t).toNanos();
            } else {
                Matcher m = AMOUNT.matcher(t);
                if (!m.matches() || m.group(2) == null) {
                    throw new IllegalArgumentException("'" + text + "' is not a width; write e.g. 100ms, 1s, 1m, 5m, 1h, 1d, 1w,"
                            + " 1mo, 1y or PT15M");
                }
                nanos = Math.multiplyExact(Long.parseLong(m.group(1)), unitNanos(m.group(2)));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw beyondNanos(text);
        }
        if (nanos <= 0) {
            throw new IllegalArgumentException("the width '" + text + "' must be positive");
        }
        return nanos;
    }

    /**
     * A point in time as epoch nanoseconds: ISO-8601 with offset or {@code Z}, a local date-time
     * or date (read in {@code zone}), or an integer: epoch seconds, or epoch in the unit it carries.
     */
    static long parseTime(String text, ZoneId zone) {
        String t = text.strip();
        Matcher m = AMOUNT.matcher(t);
        if (m.matches()) {
            String unit = m.group(2) == null ? "s" : m.group(2);
            if (unit.equals("m") || unit.equals("h") || unit.equals("d")) {
                throw new IllegalArgumentException("'" + text + "': epoch times take s, ms, us or ns");
            }
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unitNanos(unit));
            } catch (ArithmeticException | NumberFormatException e) {
                throw beyondNanos(text);
            }
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e1) {
            try {
                instant = LocalDateTime.parse(t).atZone(zone).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    instant = LocalDate.parse(t).atStartOfDay(zone).toInstant();
                } catch (DateTimeParseException e3) {
                    throw new IllegalArgumentException("'" + text + "' is not a time; write ISO-8601 (2023-11-14T22:13:20Z, "
                            + "2023-11-14) or epoch seconds (1700000000) or epoch with a unit (1700000000000ms)");
                }
            }
        }
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        } catch (ArithmeticException e) {
            throw beyondNanos(text);
        }
    }

    /** For a time or width that a {@code long} of nanoseconds cannot hold. */
    private static IllegalArgumentException beyondNanos(String text) {
        return new IllegalArgumentException("'" + text + "' is beyond the ~292 years that nanosecond timestamps span (1677 to 2262)");
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
