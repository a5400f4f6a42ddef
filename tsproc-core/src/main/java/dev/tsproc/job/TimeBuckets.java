package dev.tsproc.job;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Objects;

/**
 * How a query's timestamps fall into time buckets ({@code --every}, {@code --tz}, {@code --offset}).
 *
 * <p>{@link Fixed} buckets are {@code [k·w + offset, (k+1)·w + offset)} in epoch nanoseconds, in
 * UTC, as DuckDB's {@code time_bucket} without a zone; a bucket's id is {@code k}. {@link Calendar}
 * buckets are days, ISO weeks (from Monday), months or years of a zone's local calendar, each
 * starting {@code offset} after local midnight, so a day in Europe/Berlin is 23 or 25 hours long
 * across a change of daylight saving time; a bucket's id is its first day (epoch day). Either
 * way ids ascend with time, which is all a partial's group order relies on. Several units at once
 * ({@code 2d}, {@code 3mo}) count from 1970-01-01 (weeks from Monday 1970-01-05).
 *
 * <p>A query asks for a bucket's id once per run of rows in it, and for the next bucket's start
 * to gallop to, so calendar arithmetic is per bucket, never per row.
 */
public sealed interface TimeBuckets {
    /** The id of the bucket holding {@code tsNanos}. */
    long bucketOf(long tsNanos);

    /** The start of bucket {@code id} in epoch nanoseconds ({@link Long#MIN_VALUE} if before time began). */
    long start(long id);

    /** The first timestamp after bucket {@code id}, or {@link Long#MAX_VALUE} past the end of time. */
    long nextStart(long id);

    /** The zone bucket starts are shown in. */
    ZoneId zone();

    /** The buckets as the command line writes them: {@code 1h}, {@code 1d offset 6h in Europe/Berlin}. */
    String describe();

    /**
     * Fixed-width buckets aligned to the epoch plus {@code offsetNanos} (taken modulo the width).
     *
     * @throws IllegalArgumentException if the width is not positive
     */
    static TimeBuckets fixed(long widthNanos, long offsetNanos) {
        return new Fixed(widthNanos, offsetNanos);
    }

    /** Fixed-width buckets, as {@code [k·w, (k+1)·w)}. */
    record Fixed(long widthNanos, long offsetNanos) implements TimeBuckets {
        public Fixed {
            if (widthNanos <= 0) {
                throw new IllegalArgumentException("the bucket width " + widthNanos + " ns must be positive");
            }
            offsetNanos = Math.floorMod(offsetNanos, widthNanos);
        }

        @Override
        public long bucketOf(long tsNanos) {
            long k = Math.floorDiv(tsNanos, widthNanos);
            return Math.floorMod(tsNanos, widthNanos) >= offsetNanos ? k : k - 1;
        }

        @Override
        public long start(long id) {
            long high = Math.multiplyHigh(id, widthNanos);
            long low = id * widthNanos;
            if (!((high == 0 && low >= 0) || (high == -1 && low < 0))) {
                return id < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            long start = low + offsetNanos;
            return start < low ? Long.MAX_VALUE : start; // offsetNanos >= 0, so only the top can overflow
        }

        @Override
        public long nextStart(long id) {
            return id == Long.MAX_VALUE ? Long.MAX_VALUE : start(id + 1);
        }

        @Override
        public ZoneId zone() {
            return ZoneOffset.UTC;
        }

        @Override
        public String describe() {
            return width(widthNanos) + (offsetNanos == 0 ? "" : " offset " + width(offsetNanos));
        }
    }

    /**
     * Calendar buckets of {@code amount} {@code unit}s (days, weeks, months or years) of
     * {@code zone}'s local calendar, each starting {@code offset} after local midnight.
     *
     * @throws IllegalArgumentException if the unit is not one of those, the amount not positive,
     *                                  or the offset negative or not shorter than a day
     */
    static TimeBuckets calendar(int amount, ChronoUnit unit, ZoneId zone, Duration offset) {
        return new Calendar(amount, unit, zone, offset);
    }

    /** Days, weeks, months or years of a zone's calendar. */
    record Calendar(int amount, ChronoUnit unit, ZoneId zone, Duration offset) implements TimeBuckets {
        /** Monday 1970-01-05, where weeks are counted from. */
        private static final long FIRST_MONDAY = 4;
        /** The instants a long of epoch nanoseconds can hold. */
        private static final Instant MIN = instant(Long.MIN_VALUE), MAX = instant(Long.MAX_VALUE);

        public Calendar {
            Objects.requireNonNull(zone, "zone");
            Objects.requireNonNull(offset, "offset");
            if (unit != ChronoUnit.DAYS && unit != ChronoUnit.WEEKS && unit != ChronoUnit.MONTHS && unit != ChronoUnit.YEARS) {
                throw new IllegalArgumentException("calendar buckets are days, weeks, months or years, not " + unit);
            }
            if (amount <= 0) {
                throw new IllegalArgumentException("the bucket width " + amount + " " + unit + " must be positive");
            }
            if (offset.isNegative() || offset.compareTo(Duration.ofDays(1)) >= 0) {
                throw new IllegalArgumentException("the offset " + offset + " of calendar buckets must be within a day");
            }
        }

        /**
         * The bucket whose start is the last at or before {@code tsNanos}: found from the local
         * date less the offset, then moved by one where an offset that falls into a gap of a
         * change to daylight saving time moved the start (so a row's bucket never depends on
         * where a batch begins).
         */
        @Override
        public long bucketOf(long tsNanos) {
            LocalDate first = firstDay(LocalDateTime.ofInstant(instant(tsNanos), zone).minus(offset).toLocalDate());
            if (startOf(first) > tsNanos) {
                first = firstDay(first.minusDays(1));
            } else if (startOf(first.plus(amount, unit)) <= tsNanos) {
                first = first.plus(amount, unit);
            }
            return first.toEpochDay();
        }

        @Override
        public long start(long id) {
            return startOf(LocalDate.ofEpochDay(id));
        }

        @Override
        public long nextStart(long id) {
            return startOf(LocalDate.ofEpochDay(id).plus(amount, unit));
        }

        /** The first day of the bucket holding {@code day}. */
        private LocalDate firstDay(LocalDate day) {
            return switch (unit) {
                case DAYS -> LocalDate.ofEpochDay(Math.floorDiv(day.toEpochDay(), amount) * amount);
                case WEEKS -> {
                    long monday = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toEpochDay();
                    long weeks = Math.floorDiv(monday - FIRST_MONDAY, 7);
                    yield LocalDate.ofEpochDay(FIRST_MONDAY + Math.floorDiv(weeks, amount) * amount * 7);
                }
                case MONTHS -> {
                    long months = Math.floorDiv((day.getYear() - 1970L) * 12 + day.getMonthValue() - 1, amount) * amount;
                    yield LocalDate.of((int) (1970 + Math.floorDiv(months, 12)), Math.floorMod(months, 12) + 1, 1);
                }
                default -> LocalDate.of((int) (1970 + Math.floorDiv(day.getYear() - 1970L, amount) * amount), 1, 1);
            };
        }

        /**
         * When {@code firstDay}'s bucket starts, in epoch nanoseconds: local midnight plus the
         * offset, moved forward past a gap of a change to daylight saving time; saturated at the
         * ends of the range a long of nanoseconds holds.
         */
        private long startOf(LocalDate firstDay) {
            Instant start = firstDay.atStartOfDay().plus(offset).atZone(zone).toInstant();
            if (start.isBefore(MIN)) {
                return Long.MIN_VALUE;
            }
            if (start.isAfter(MAX)) {
                return Long.MAX_VALUE;
            }
            return Math.addExact(Math.multiplyExact(start.getEpochSecond(), 1_000_000_000L), start.getNano());
        }

        @Override
        public String describe() {
            String suffix = switch (unit) {
                case DAYS -> "d";
                case WEEKS -> "w";
                case MONTHS -> "mo";
                default -> "y";
            };
            return amount + suffix + (offset.isZero() ? "" : " offset " + width(offset.toNanos()))
                    + (zone.equals(ZoneOffset.UTC) ? "" : " in " + zone.getId());
        }
    }

    /** Epoch nanoseconds as an instant. */
    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** A bucket start as shown to users: ISO-8601, in UTC as {@code …Z}, in another zone with its offset. */
    static String format(long startNanos, ZoneId zone) {
        Instant start = instant(startNanos);
        return zone.equals(ZoneOffset.UTC) ? start.toString()
                : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(start.atZone(zone));
    }

    /** A width in the command line's units: the largest that divides it. */
    private static String width(long nanos) {
        String[] units = {"d", "h", "m", "s", "ms", "us", "ns"};
        long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
        for (int i = 0; i < units.length; i++) {
            if (nanos % sizes[i] == 0) {
                return String.format(Locale.ROOT, "%d%s", nanos / sizes[i], units[i]);
            }
        }
        throw new AssertionError(nanos);
    }
}
