package dev.tsproc.job;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.testkit.TestStores;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same data in tsproc and in DuckDB, the same queries in both, every aggregate compared:
 * exactly for count, missing, min, max, first, last and exact percentiles; within 1e-12 relative
 * for sum, mean and stddev; within the sketch's documented bound for sketched percentiles.
 */
@Timeout(120)
class DuckDbCrossCheckTest {
    private static final int ROWS = 300_000;
    private static final int SERIES = 7;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final List<Aggregate> AGGS = List.of(Aggregate.COUNT, Aggregate.MISSING, Aggregate.SUM,
            Aggregate.MEAN, Aggregate.MIN, Aggregate.MAX, Aggregate.STDDEV, Aggregate.FIRST, Aggregate.LAST,
            Aggregate.P50, Aggregate.P90, Aggregate.P99);
    private static final String SQL_AGGS = """
            count(value), count(*) - count(value), sum(value), avg(value), min(value), max(value),
            stddev_samp(value), arg_min(value, rn) FILTER (WHERE value IS NOT NULL),
            arg_max(value, rn) FILTER (WHERE value IS NOT NULL),
            quantile_disc(value, 0.5), quantile_disc(value, 0.9), quantile_disc(value, 0.99)""";

    @TempDir
    static Path dir;
    static Path file;
    static DuckDBConnection duck;
    static SeriesDictionary dictionary;

    @BeforeAll
    static void load() throws Exception {
        SplittableRandom random = new SplittableRandom(2024);
        long[] ts = new long[ROWS];
        double[] values = new double[ROWS];
        int[] series = new int[ROWS];
        long t = T0;
        double[] walk = new double[SERIES];
        for (int i = 0; i < ROWS; i++) {
            t += random.nextInt(5) == 0 ? 0 : random.nextLong(1, 3_000_000); // repeats and gaps, ~1.2 ms apart
            ts[i] = t;
            series[i] = random.nextInt(50) == 0 ? SERIES - 1 : random.nextInt(SERIES - 1);
            walk[series[i]] += random.nextGaussian();
            values[i] = switch (random.nextInt(10)) {
                case 0, 1 -> Double.NaN;
                case 2 -> random.nextInt(-5, 6); // small integers and repeats
                default -> 100 + walk[series[i]] + random.nextDouble() * 1e-3;
            };
        }
        List<String> names = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            names.add("s" + s);
        }
        dictionary = SeriesDictionary.of(names);
        file = TestStores.write(dir.resolve("cross.tsp"), ts, values, series, dictionary);
        duck = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = duck.createStatement()) {
            st.execute("SET threads = 2");
            st.execute("CREATE TABLE t (rn BIGINT, ts BIGINT, value DOUBLE, series INTEGER)");
        }
        try (DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t")) {
            for (int i = 0; i < ROWS; i++) {
                appender.beginRow().append((long) i).append(ts[i]).append(values[i]).append(series[i]).endRow();
            }
        }
        try (Statement st = duck.createStatement()) {
            st.execute("UPDATE t SET value = NULL WHERE isnan(value)");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        if (duck != null) {
            duck.close();
        }
    }

    /** Runs {@code spec} in tsproc and its SQL twin in DuckDB and compares every group. */
    private void check(QuerySpec spec) throws Exception {
        long width = spec.byTime() ? ((TimeBuckets.Fixed) spec.buckets()).widthNanos() : 0; // the specs here align to the epoch
        String key = (spec.bySeries() ? "series" : "-1") + ", " + (spec.byTime() ? "ts // " + width : "0");
        StringBuilder where = new StringBuilder("WHERE ts >= " + spec.fromNanos() + " AND ts < " + spec.toNanos());
        if (!spec.series().isEmpty()) {
            where.append(" AND series IN (");
            for (String s : spec.series()) {
                where.append(dictionary.idOf(s)).append(s.equals(spec.series().getLast()) ? ")" : ", ");
            }
        }
        String sql = "SELECT " + key + ", " + SQL_AGGS + " FROM t " + where + " GROUP BY ALL ORDER BY ALL";
        Map<List<Object>, double[]> expected = new HashMap<>();
        try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                int s = rs.getInt(1);
                long b = rs.getLong(2);
                double[] v = new double[AGGS.size()];
                for (int k = 0; k < v.length; k++) {
                    double x = rs.getDouble(3 + k);
                    v[k] = rs.wasNull() ? Double.NaN : x;
                }
                expected.put(List.of(s < 0 ? "" : dictionary.name(s), spec.byTime() ? b * width : 0L), v);
            }
        }
        QueryResult actual = QueryJobTest.run(file, spec, 2, 10_000);
        assertThat(actual.rows()).hasSize(expected.size());
        for (QueryResult.Row row : actual.rows()) {
            double[] e = expected.get(List.of(row.series() == null ? "" : row.series(), row.bucketStartNanos()));
            assertThat(e).as("DuckDB has group %s %s", row.series(), row.bucketStart()).isNotNull();
            for (int k = 0; k < AGGS.size(); k++) {
                Aggregate a = AGGS.get(k);
                double x = row.values().get(k);
                // SQL's sum of no values is NULL; tsproc's is 0, as numpy.nansum's
                double y = a.kind() == Aggregate.Kind.SUM && e[0] == 0 ? 0.0 : e[k];
                String what = spec + " group " + row.series() + " " + row.bucketStart() + " " + a + ": tsproc " + x + ", DuckDB " + y;
                switch (a.kind()) {
                    case SUM, MEAN, STDDEV -> {
                        // DuckDB's stddev is a streaming (Welford) update that loses digits in
                        // proportion to the condition number |mean| / stddev; tsproc's is exact
                        // (QueryJobTest checks it against a BigDecimal two-pass reference). So the
                        // 1e-12 relative bound widens by that factor for stddev only.
                        double condition = a.kind() == Aggregate.Kind.STDDEV ? Math.max(1, Math.abs(e[3] / y)) : 1;
                        if (Double.isNaN(y)) {
                            assertThat(x).as(what).isNaN();
                        } else if (x != y) {
                            assertThat(Math.abs(x - y)).as(what).isLessThanOrEqualTo(1e-12 * condition * Math.abs(y));
                        }
                    }
                    case PERCENTILE -> {
                        if (spec.exactPercentiles()) {
                            assertThat(x).as(what).isEqualTo(y);
                        } else {
                            QueryJobTest.assertWithinSketchBound(x, y, what);
                        }
                    }
                    default -> assertThat(Double.doubleToLongBits(x)).as(what).isEqualTo(Double.doubleToLongBits(y));
                }
            }
        }
    }

    private static QuerySpec spec(boolean bySeries, long bucketNanos, long from, long to, List<String> series, boolean exact) {
        return new QuerySpec(AGGS, bySeries, bucketNanos, from, to, series, exact);
    }

    @Test
    void wholeColumn() throws Exception {
        check(spec(false, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false));
        check(spec(false, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), true));
    }

    @Test
    void bySeries() throws Exception {
        check(spec(true, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false));
    }

    @Test
    void byOneSecondBuckets() throws Exception {
        check(spec(false, 1_000_000_000L, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false));
    }

    @Test
    void bySeriesAndTenSecondBucketsWithExactPercentiles() throws Exception {
        check(spec(true, 10_000_000_000L, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), true));
    }

    @Test
    void aRangeStartingAndEndingMidBatchAndSomeSeries() throws Exception {
        long from = T0 + 12_345_678_901L;
        long to = T0 + 234_567_890_123L;
        check(spec(true, 60_000_000_000L, from, to, List.of("s1", "s6"), false));
        check(spec(false, 7_000_000L, from, to, List.of("s2", "s3"), false));
    }
}
