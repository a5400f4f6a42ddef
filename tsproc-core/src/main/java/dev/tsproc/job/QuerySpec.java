package dev.tsproc.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a query asks: which aggregates, grouped how, over which rows.
 *
 * <p>Groups are the pairs (series, time bucket) present in the selected rows: with
 * {@code bySeries} each series is its own group, otherwise all selected series form one; with
 * {@code buckets} rows fall into tumbling time buckets ({@link TimeBuckets}: fixed widths aligned
 * to the epoch, or calendar units in a time zone), otherwise all times form one bucket. A group exists when at least one row falls into it
 * (its values may all be missing). The time range is half-open, {@code fromNanos <= ts < toNanos}.
 *
 * @param aggregates       what to compute per group, in output order; at least one, no repeats
 * @param bySeries         whether to group by series
 * @param buckets          the time buckets, or {@code null} for no time grouping
 * @param fromNanos        first timestamp included (epoch ns); {@link Long#MIN_VALUE} for no bound
 * @param toNanos          first timestamp excluded (epoch ns); {@link Long#MAX_VALUE} for no bound
 * @param series           names of the series to include; empty for all
 * @param exactPercentiles whether every group's percentiles are computed exactly (keeping every
 *                         value), not only those of groups of at most {@link Percentiles#EXACT_LIMIT}
 */
public record QuerySpec(List<Aggregate> aggregates, boolean bySeries, TimeBuckets buckets, long fromNanos,
                        long toNanos, List<String> series, boolean exactPercentiles) {

    /** A query whose time buckets, if {@code bucketNanos > 0}, are that wide and aligned to the epoch. */
    public QuerySpec(List<Aggregate> aggregates, boolean bySeries, long bucketNanos, long fromNanos, long toNanos,
                     List<String> series, boolean exactPercentiles) {
        this(aggregates, bySeries, widthOrNone(bucketNanos), fromNanos, toNanos, series, exactPercentiles);
    }

    private static TimeBuckets widthOrNone(long bucketNanos) {
        if (bucketNanos < 0) {
            throw new IllegalArgumentException("bucketNanos=" + bucketNanos + " must not be negative");
        }
        return bucketNanos == 0 ? null : TimeBuckets.fixed(bucketNanos, 0);
    }

    public QuerySpec {
        if (aggregates == null || aggregates.isEmpty()) {
            throw new IllegalArgumentException("a query needs at least one aggregate");
        }
        if (new LinkedHashSet<>(aggregates).size() != aggregates.size()) {
            throw new IllegalArgumentException("aggregates " + aggregates + " name one twice");
        }
        aggregates = List.copyOf(aggregates);
        if (fromNanos > toNanos) {
            throw new IllegalArgumentException("the time range is empty: from " + format(fromNanos)
                    + " is after to " + format(toNanos));
        }
        series = List.copyOf(new LinkedHashSet<>(series == null ? List.of() : series));
    }

    /** All rows, no grouping, the given aggregates. */
    public static QuerySpec of(List<Aggregate> aggregates) {
        return new QuerySpec(aggregates, false, null, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false);
    }

    /** Whether any aggregate is a percentile. */
    public boolean hasPercentiles() {
        return aggregates.stream().anyMatch(a -> a.kind() == Aggregate.Kind.PERCENTILE);
    }

    /** Whether the query groups by time. */
    public boolean byTime() {
        return buckets != null;
    }

    /** The percentile aggregates' quantiles, in order. */
    double[] quantiles() {
        List<Double> qs = new ArrayList<>();
        for (Aggregate a : aggregates) {
            if (a.kind() == Aggregate.Kind.PERCENTILE) {
                qs.add(a.quantile());
            }
        }
        return qs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** {@code nanos} as an ISO-8601 UTC instant, or "-inf"/"+inf" for the open bounds. */
    public static String format(long nanos) {
        if (nanos == Long.MIN_VALUE) {
            return "-inf";
        }
        if (nanos == Long.MAX_VALUE) {
            return "+inf";
        }
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }
}
