package dev.tsproc.testkit;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.QuerySpec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plain sequential reference for queries: filter rows one by one, group them in a sorted map
 * of heap lists, compute each aggregate with {@link ReferenceStats} or by sorting. Deliberately
 * naive, so it is easy to trust.
 */
public final class ReferenceQuery {
    private ReferenceQuery() {}

    /** The expected rows of {@code spec} over the given columns ({@code series} null for none). */
    public static List<QueryResult.Row> run(QuerySpec spec, long[] ts, double[] values, int[] series,
                                            SeriesDictionary dictionary) {
        Map<List<Long>, List<Double>> groups = new TreeMap<>((a, b) -> {
            int c = Long.compare(a.get(0), b.get(0));
            return c != 0 ? c : Long.compare(a.get(1), b.get(1));
        });
        for (int i = 0; i < values.length; i++) {
            if (ts[i] < spec.fromNanos() || ts[i] >= spec.toNanos()) {
                continue;
            }
            int id = series == null ? 0 : series[i];
            if (!spec.series().isEmpty() && !spec.series().contains(dictionary.name(id))) {
                continue;
            }
            long s = spec.bySeries() ? id : -1;
            long b = spec.byTime() ? spec.buckets().bucketOf(ts[i]) : 0;
            groups.computeIfAbsent(List.of(s, b), k -> new ArrayList<>()).add(values[i]);
        }
        if (groups.isEmpty() && !spec.bySeries() && !spec.byTime()) {
            groups.put(List.of(-1L, 0L), new ArrayList<>());
        }
        List<QueryResult.Row> rows = new ArrayList<>();
        for (var e : groups.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            List<Double> out = new ArrayList<>();
            for (Aggregate a : spec.aggregates()) {
                out.add(value(a, v));
            }
            long s = e.getKey().get(0);
            rows.add(new QueryResult.Row(s < 0 ? null : dictionary.name((int) s),
                    spec.byTime() ? spec.buckets().start(e.getKey().get(1)) : 0, spec.byTime(), out));
        }
        return rows;
    }

    /** {@code aggregate} of the group's values, missing ones included as NaN, in row order. */
    public static double value(Aggregate aggregate, double[] v) {
        return switch (aggregate.kind()) {
            case COUNT -> ReferenceStats.count(v);
            case MISSING -> ReferenceStats.missing(v);
            case SUM -> ReferenceStats.sum(v);
            case MEAN -> mean(v);
            case MIN -> ReferenceStats.min(v);
            case MAX -> ReferenceStats.max(v);
            case STDDEV -> ReferenceStats.stddev(v);
            case FIRST -> Arrays.stream(v).filter(x -> !Double.isNaN(x)).findFirst().orElse(Double.NaN);
            case LAST -> {
                double last = Double.NaN;
                for (double x : v) {
                    last = Double.isNaN(x) ? last : x;
                }
                yield last;
            }
            case PERCENTILE -> percentile(aggregate.quantile(), v);
        };
    }

    /**
     * The mean, rounded once: as {@link ReferenceStats#mean} but dividing to 1100 digits, enough
     * to hold a binary tie among subnormals exactly, so ties round to even as IEEE says.
     */
    public static double mean(double[] v) {
        long n = ReferenceStats.count(v);
        double sum = ReferenceStats.sum(v);
        if (n == 0 || !Double.isFinite(sum) || Arrays.stream(v).anyMatch(Double::isInfinite)) {
            return ReferenceStats.mean(v);
        }
        BigDecimal exact = BigDecimal.ZERO;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                exact = exact.add(new BigDecimal(x));
            }
        }
        return exact.divide(BigDecimal.valueOf(n), new java.math.MathContext(1100)).doubleValue();
    }

    /** SQL percentile_disc: the value of rank max(1, ⌈q·n⌉) − 1 among the sorted present values, q as written in decimal. */
    public static double percentile(double q, double[] v) {
        double[] present = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (present.length == 0) {
            return Double.NaN;
        }
        int ceil = new BigDecimal(Double.toString(q)).multiply(BigDecimal.valueOf(present.length))
                .setScale(0, RoundingMode.CEILING).intValueExact();
        return present[Math.max(1, ceil) - 1];
    }
}
