package dev.tsproc.job;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeBucketsTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static long nanos(String zoned) {
        return nanos(ZonedDateTime.parse(zoned).toInstant());
    }

    @Test
    void berlinDaysAre23And25HoursLongAcrossTheChangesOfDaylightSavingTime() {
        TimeBuckets days = TimeBuckets.calendar(1, ChronoUnit.DAYS, BERLIN, Duration.ZERO);
        List<Long> hours = new ArrayList<>();
        for (String day : new String[] {"2024-03-30", "2024-03-31", "2024-04-01", "2024-10-26", "2024-10-27", "2024-10-28"}) {
            long noon = nanos(LocalDate.parse(day).atTime(12, 0).atZone(BERLIN).toInstant());
            long b = days.bucketOf(noon);
            assertThat(days.start(b)).isEqualTo(nanos(LocalDate.parse(day).atStartOfDay(BERLIN).toInstant()));
            hours.add((days.nextStart(b) - days.start(b)) / 3_600_000_000_000L);
        }
        assertThat(hours).containsExactly(24L, 23L, 24L, 24L, 25L, 24L);
        assertThat(TimeBuckets.format(days.start(days.bucketOf(nanos("2024-03-31T12:00:00+02:00"))), BERLIN))
                .isEqualTo("2024-03-31T00:00:00+01:00");
        assertThat(days.describe()).isEqualTo("1d in Europe/Berlin");
    }

    @Test
    void weeksStartOnMondayMonthsOnTheFirstAndOffsetsShiftEveryStart() {
        TimeBuckets weeks = TimeBuckets.calendar(1, ChronoUnit.WEEKS, ZoneOffset.UTC, Duration.ZERO);
        assertThat(weeks.start(weeks.bucketOf(nanos("2026-12-06T23:59:59Z")))).isEqualTo(nanos("2026-11-30T00:00:00Z"));
        assertThat(weeks.start(weeks.bucketOf(nanos("2026-12-07T00:00:00Z")))).isEqualTo(nanos("2026-12-07T00:00:00Z"));
        TimeBuckets quarters = TimeBuckets.calendar(3, ChronoUnit.MONTHS, ZoneOffset.UTC, Duration.ZERO);
        assertThat(quarters.start(quarters.bucketOf(nanos("2026-12-07T10:00:00Z")))).isEqualTo(nanos("2026-10-01T00:00:00Z"));
        TimeBuckets years = TimeBuckets.calendar(1, ChronoUnit.YEARS, BERLIN, Duration.ofHours(6));
        long b = years.bucketOf(nanos("2027-01-01T05:00:00+01:00"));
        assertThat(years.start(b)).isEqualTo(nanos("2026-01-01T06:00:00+01:00"));
        assertThat(years.nextStart(b)).isEqualTo(nanos("2027-01-01T06:00:00+01:00"));

        TimeBuckets quarterPast = TimeBuckets.fixed(3_600_000_000_000L, 900_000_000_000L);
        long q = quarterPast.bucketOf(nanos("2026-12-07T10:10:00Z"));
        assertThat(quarterPast.start(q)).isEqualTo(nanos("2026-12-07T09:15:00Z"));
        assertThat(quarterPast.nextStart(q)).isEqualTo(nanos("2026-12-07T10:15:00Z"));
        assertThat(quarterPast.describe()).isEqualTo("1h offset 15m");
    }

    @Test
    void anOffsetInsideAGapStartsThatDayAfterTheGapAndEveryRowStillHasOneBucket() {
        TimeBuckets days = TimeBuckets.calendar(1, ChronoUnit.DAYS, BERLIN, Duration.ofMinutes(150));
        long tenPastThree = nanos("2024-03-31T03:10:00+02:00"); // 02:30 that day does not exist
        long b = days.bucketOf(tenPastThree);
        assertThat(days.start(b)).isEqualTo(nanos("2024-03-30T02:30:00+01:00"));
        assertThat(days.nextStart(b)).isEqualTo(nanos("2024-03-31T03:30:00+02:00"));
    }

    @Test
    void refusesWhatIsNotABucket() {
        assertThatThrownBy(() -> TimeBuckets.fixed(0, 0)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> TimeBuckets.calendar(1, ChronoUnit.HOURS, BERLIN, Duration.ZERO)).hasMessageContaining("days, weeks");
        assertThatThrownBy(() -> TimeBuckets.calendar(0, ChronoUnit.DAYS, BERLIN, Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> TimeBuckets.calendar(1, ChronoUnit.DAYS, BERLIN, Duration.ofHours(24))).hasMessageContaining("within a day");
    }

    /** Every timestamp lies in its bucket, buckets ascend with time and tile it without gaps. */
    @Property(tries = 2000)
    void everyTimestampLiesInItsBucketAndBucketsAscend(@ForAll("buckets") TimeBuckets buckets,
                                                      @ForAll @LongRange(min = -3_000_000_000_000_000_000L, max = 4_000_000_000_000_000_000L) long ts,
                                                      @ForAll @LongRange(min = 0, max = 100_000_000_000_000L) long step) {
        long b = buckets.bucketOf(ts);
        assertThat(buckets.start(b)).isLessThanOrEqualTo(ts);
        assertThat(buckets.nextStart(b)).isGreaterThan(ts);
        assertThat(buckets.bucketOf(buckets.start(b))).isEqualTo(b);
        long next = buckets.bucketOf(buckets.nextStart(b));
        assertThat(next).isGreaterThan(b);
        assertThat(buckets.start(next)).isEqualTo(buckets.nextStart(b));
        assertThat(buckets.bucketOf(ts + step)).isGreaterThanOrEqualTo(b);
        if (buckets instanceof TimeBuckets.Calendar c && c.offset().isZero() && c.unit() == ChronoUnit.DAYS && c.amount() == 1) {
            Instant day = Instant.ofEpochSecond(Math.floorDiv(ts, 1_000_000_000L)).atZone(c.zone()).toLocalDate().atStartOfDay(c.zone()).toInstant();
            assertThat(buckets.start(b)).as("java.time's start of the day").isEqualTo(nanos(day));
        }
    }

    @Provide
    Arbitrary<TimeBuckets> buckets() {
        Arbitrary<ZoneId> zones = Arbitraries.of(ZoneOffset.UTC, BERLIN, ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"),
                ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Pacific/Apia"));
        Arbitrary<TimeBuckets> calendar = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(1, 5),
                Arbitraries.of(ChronoUnit.DAYS, ChronoUnit.WEEKS, ChronoUnit.MONTHS, ChronoUnit.YEARS), zones,
                Arbitraries.longs().between(0, 24 * 60 - 1)).as((n, unit, zone, minutes) ->
                TimeBuckets.calendar(n, unit, zone, Duration.ofMinutes(minutes)));
        Arbitrary<TimeBuckets> fixed = net.jqwik.api.Combinators.combine(Arbitraries.longs().between(1, 400_000_000_000_000L),
                Arbitraries.longs()).as(TimeBuckets::fixed);
        return Arbitraries.oneOf(calendar, fixed);
    }
}
