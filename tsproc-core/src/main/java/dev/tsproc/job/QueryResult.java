package dev.tsproc.job;

import dev.tsproc.data.SeriesDictionary;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The answer to a query: one {@link Row} per group, sorted by series then time bucket.
 *
 * <p>Without any grouping the result has exactly one row, even over no rows (as a SQL aggregate
 * without {@code GROUP BY}); with grouping, one row per (series, bucket) that has rows in range.
 *
 * @param aggregates  the aggregates, in the order of every row's values
 * @param bySeries    whether rows are per series ({@link Row#series()} set)
 * @param buckets     the time buckets, {@code null} when rows are not per bucket
 * @param rows        the rows, sorted by series id, then bucket start
 * @param approximatePercentiles whether some group's percentiles come from a sketch (within
 *                    {@link Percentiles#RELATIVE_ACCURACY} of the exact ones) rather than from its
 *                    values: a group of more than {@link Percentiles#EXACT_LIMIT} values, without
 *                    {@link QuerySpec#exactPercentiles()}
 */
public record QueryResult(List<Aggregate> aggregates, boolean bySeries, TimeBuckets buckets, List<Row> rows,
                          boolean approximatePercentiles) {

    public QueryResult {
        aggregates = List.copyOf(aggregates);
        rows = Collections.unmodifiableList(new ArrayList<>(rows));
    }

    /**
     * The column name of {@code aggregate}: its {@linkplain Aggregate#label() label}, with a
     * {@code ~} after a percentile's when the percentiles are {@linkplain #approximatePercentiles()
     * approximate} ({@code p99~}), so no output passes an estimate off as exact.
     */
    public String label(Aggregate aggregate) {
        return aggregate.label() + (approximatePercentiles && aggregate.kind() == Aggregate.Kind.PERCENTILE ? "~" : "");
    }

    /** Whether rows are per time bucket. */
    public boolean byTime() {
        return buckets != null;
    }

    /** The start of {@code row}'s bucket as users read it: ISO-8601, with the offset of the buckets' zone. */
    public String bucketText(Row row) {
        return TimeBuckets.format(row.bucketStartNanos(), buckets.zone());
    }

    /**
     * One group's aggregates.
     *
     * @param series           the series name, or {@code null} when not grouped by series
     * @param bucketStartNanos start of the time bucket in epoch nanoseconds (0 when not grouped by time)
     * @param timeBucketed     whether the row is per time bucket
     * @param values           the values in the order of {@link QueryResult#aggregates()}; counts as
     *                         exact integers
     */
    public record Row(String series, long bucketStartNanos, boolean timeBucketed, List<Double> values) {
        public Row {
            values = List.copyOf(values);
        }

        /** The bucket's start, or {@code null} when the row is not per time bucket. */
        public Instant bucketStart() {
            return timeBucketed ? Instant.ofEpochSecond(Math.floorDiv(bucketStartNanos, 1_000_000_000L),
                    Math.floorMod(bucketStartNanos, 1_000_000_000L)) : null;
        }
    }

    /** The value of {@code aggregate} in {@code row}. */
    public double get(Row row, Aggregate aggregate) {
        int k = aggregates.indexOf(aggregate);
        if (k < 0) {
            throw new IllegalArgumentException(aggregate + " was not asked for; the query has " + aggregates);
        }
        return row.values().get(k);
    }

    /**
     * The value of {@code aggregate} in the one row of a result without grouping, such as a
     * {@linkplain BuiltinJob built-in job}'s.
     *
     * @throws IllegalStateException if the result is grouped, so it has a row per group
     */
    public double get(Aggregate aggregate) {
        if (bySeries || buckets != null) {
            throw new IllegalStateException("the result has a row per group; ask get(row, aggregate) of one of its rows");
        }
        return get(rows.getFirst(), aggregate);
    }

    /** The value of {@code aggregate} in {@code row}, as a {@code Long} for counts and a {@code Double} otherwise. */
    public Number value(Row row, Aggregate aggregate) {
        double v = get(row, aggregate);
        return aggregate.isCount() ? (Number) (long) v : (Number) v;
    }

    /**
     * As {@link #value(Row, Aggregate)} for the {@code k}-th of {@link #aggregates()}: for printers
     * that walk every cell of tens of thousands of rows, without a search per cell.
     */
    public Number value(Row row, int k) {
        double v = row.values().get(k);
        return aggregates.get(k).isCount() ? (Number) (long) v : (Number) v;
    }

    /** Finishes {@code partial}: one rounding per statistic, groups sorted by series then bucket. */
    static QueryResult of(QuerySpec spec, SeriesDictionary dictionary, QueryPartial p, double[] quantiles) {
        if (p.size == 0 && !spec.bySeries() && !spec.byTime()) {
            p.addGroup(0, -1);
        }
        int[] order = order(p, spec.bySeries() && spec.byTime());
        List<Row> rows = new ArrayList<>(p.size);
        boolean approximate = false;
        for (int g : order) {
            rows.add(row(spec, dictionary, p, g, quantiles));
            approximate |= p.sketches != null && !p.sketches[g].exact();
        }
        return new QueryResult(spec.aggregates(), spec.bySeries(), spec.buckets(), rows, approximate);
    }

    /** Group indexes sorted by (series, bucket); they arrive sorted by (bucket, series). */
    private static int[] order(QueryPartial p, boolean regroup) {
        int[] order = new int[p.size];
        if (!regroup) {
            for (int g = 0; g < p.size; g++) {
                order[g] = g;
            }
            return order;
        }
        int maxSeries = 0;
        for (int g = 0; g < p.size; g++) {
            maxSeries = Math.max(maxSeries, p.series[g]);
        }
        int[] start = new int[maxSeries + 2];
        for (int g = 0; g < p.size; g++) {
            start[p.series[g] + 1]++;
        }
        for (int s = 0; s <= maxSeries; s++) {
            start[s + 1] += start[s];
        }
        for (int g = 0; g < p.size; g++) {
            order[start[p.series[g]]++] = g;
        }
        return order;
    }

    private static Row row(QuerySpec spec, SeriesDictionary dictionary, QueryPartial p, int g, double[] quantiles) {
        long count = p.rows[g] - p.missing[g];
        // A group whose sums overflowed the plain form has them exactly in ExactSums: fold the
        // plain parts in, once, and finish from those.
        boolean exact = p.bigSum[g] != null || p.bigSquares[g] != null;
        if (exact) {
            p.bigSum(g).add(p.sum[g]);
            p.bigSquares(g).add(p.squares[g]);
        }
        double[] pct = p.sketches == null ? new double[0]
                : p.sketches[g].valuesAt(quantiles, p.min[g], p.max[g]);
        int nextPct = 0;
        List<Double> values = new ArrayList<>(spec.aggregates().size());
        for (Aggregate a : spec.aggregates()) {
            double v = switch (a.kind()) {
                case COUNT -> count;
                case MISSING -> p.missing[g];
                case SUM -> count == 0 ? 0.0 : exact ? p.bigSum[g].toDouble() : p.sum[g];
                case MEAN -> mean(p, g, count, exact);
                case STDDEV -> stddev(p, g, count, exact);
                case MIN -> count == 0 ? Double.NaN : p.min[g];
                case MAX -> count == 0 ? Double.NaN : p.max[g];
                case FIRST -> p.first[g];
                case LAST -> p.last[g];
                case PERCENTILE -> pct[nextPct++];
            };
            values.add(v);
        }
        String series = spec.bySeries() ? dictionary.name(p.series[g]) : null;
        long start = spec.byTime() ? spec.buckets().start(p.bucket[g]) : 0;
        return new Row(series, start, spec.byTime(), values);
    }

    /** The exact sum divided by the count, rounded once; the plain form divides exact doubles, which IEEE rounds once too. */
    private static double mean(QueryPartial p, int g, long count, boolean exact) {
        if (count == 0) {
            return Double.NaN;
        }
        if (!exact) {
            double s = p.sum[g];
            return s == 0 ? 0.0 : s / count;
        }
        return ExactSum.mean(p.bigSum[g], count);
    }

    /** From exact sums, one rounding, then sqrt ({@link ExactSum#sampleStddev}). */
    private static double stddev(QueryPartial p, int g, long count, boolean exact) {
        if (count < 2) {
            return Double.NaN;
        }
        if (!exact) {
            return ExactSum.sampleStddev(BigInteger.valueOf((long) p.sum[g]), BigInteger.valueOf((long) p.squares[g]), 0, count);
        }
        ExactSum sum = p.bigSum[g];
        ExactSum squares = p.bigSquares[g];
        if (sum.nonFinite() != 0 || squares.nonFinite() != 0) {
            return Double.NaN;
        }
        return ExactSum.sampleStddev(sum, squares, count);
    }
}
