package dev.tsproc.job;

import dev.tsproc.Tsproc;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Plan;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.ReferenceQuery;
import dev.tsproc.testkit.TestStores;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryJobTest {
    private static final List<Aggregate> ALL = List.of(Aggregate.COUNT, Aggregate.MISSING, Aggregate.SUM,
            Aggregate.MEAN, Aggregate.MIN, Aggregate.MAX, Aggregate.STDDEV, Aggregate.FIRST, Aggregate.LAST,
            Aggregate.P50, Aggregate.P90, Aggregate.P99, Aggregate.percentile(0), Aggregate.percentile(1));
    /** Percentiles with the counts and extremes, and no sums or first/last. */
    private static final List<Aggregate> PERCENTILES = List.of(Aggregate.COUNT, Aggregate.MISSING, Aggregate.MIN,
            Aggregate.MAX, Aggregate.P50, Aggregate.P99, Aggregate.percentile(0), Aggregate.percentile(1));

    @TempDir
    Path dir;

    /** A random dataset: the columns and the store written from them. */
    record Data(long[] ts, double[] values, int[] series, SeriesDictionary dictionary) {
        Path write(Path file) {
            return TestStores.write(file, ts, values, series, dictionary);
        }
    }

    /**
     * Rows with repeated and gapped timestamps (so buckets are empty, or straddle batches), one
     * to five series (some with a single row), and values from one of four mixes: awkward
     * (NaN, ±Infinity, -0.0, subnormals, huge), the talk's {0, 1, NaN}, small integers, or
     * measured-looking floats (a random walk, a few missing: the fixed-point windows' data).
     */
    static Data randomData(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        int seriesCount = random.nextInt(1, 6);
        long[] ts = new long[n];
        // 2023-11-14, or 2024-03-30 (a day before Europe's change to summer time), or just before 1970
        long t = new long[] {1_700_000_000_000_000_000L, 1_711_756_800_000_000_000L,
                -random.nextLong(1, 1_000_000_000_000L)}[random.nextInt(3)];
        long maxStep = new long[] {1, 1_000_000, 250_000_000, 3_000_000_000L, 600_000_000_000L}[random.nextInt(5)];
        for (int i = 0; i < n; i++) {
            t += random.nextInt(4) == 0 ? 0 : random.nextLong(maxStep + 1);
            ts[i] = t;
        }
        double[] values = switch (random.nextInt(5)) {
            case 0 -> TestStores.awkwardValues(seed, n, random.nextBoolean());
            case 1 -> random.doubles(n).map(x -> x < 1 / 3.0 ? Double.NaN : x < 2 / 3.0 ? 0 : 1).toArray();
            case 2 -> {
                // small integers (the small-domain kernel) with rare awkward values, so that some
                // blocks of a run take that kernel and others do not
                double[] odd = TestStores.awkwardValues(seed, n, true);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = random.nextInt(1500) == 0 ? odd[i] : random.nextInt(9) == 0 ? Double.NaN : random.nextInt(-8, 8);
                }
                yield v;
            }
            case 3 -> {
                double[] v = new double[n];
                double position = random.nextDouble(-10, 10);
                for (int i = 0; i < n; i++) {
                    position += 0.01 * random.nextGaussian();
                    v[i] = random.nextInt(20) == 0 ? Double.NaN : position;
                }
                yield v;
            }
            default -> random.ints(n, -70_000, 70_000).mapToDouble(x -> x % 7 == 0 ? Double.NaN : x).toArray();
        };
        if (seriesCount == 1) {
            return new Data(ts, values, null, SeriesDictionary.empty());
        }
        int[] series = new int[n];
        for (int i = 0; i < n; i++) {
            // the last series is rare: often absent or a single row
            series[i] = random.nextInt(200) == 0 ? seriesCount - 1 : random.nextInt(seriesCount - 1);
        }
        List<String> names = new ArrayList<>();
        for (int s = 0; s < seriesCount; s++) {
            names.add("s" + s);
        }
        return new Data(ts, values, series, SeriesDictionary.of(names));
    }

    /** A random query over {@code data}: grouping, bucket width, a range starting and ending mid-data, a series filter. */
    static QuerySpec randomSpec(long seed, Data data, boolean exact) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        boolean hasSeries = data.series() != null;
        boolean bySeries = hasSeries && random.nextBoolean();
        TimeBuckets buckets = switch (random.nextInt(11)) {
            case 0, 1 -> null;
            case 2 -> TimeBuckets.fixed(1, 0);
            case 3 -> TimeBuckets.fixed(7_000_000, 0);
            case 4 -> TimeBuckets.fixed(1_000_000_000, 0);
            case 5 -> TimeBuckets.fixed(60_000_000_000L, 0);
            case 6 -> TimeBuckets.fixed(3_600_000_000_000L, 900_000_000_000L);
            case 7 -> TimeBuckets.calendar(1, ChronoUnit.DAYS, ZoneId.of("Europe/Berlin"), Duration.ZERO);
            // 02:30 does not exist on the day summer time begins: that day's bucket starts at 03:30
            case 8 -> TimeBuckets.calendar(1, ChronoUnit.DAYS, ZoneId.of("Europe/Berlin"), Duration.ofMinutes(150));
            case 9 -> TimeBuckets.calendar(1, ChronoUnit.WEEKS, ZoneOffset.UTC, Duration.ZERO);
            default -> TimeBuckets.calendar(2, ChronoUnit.MONTHS, ZoneId.of("America/New_York"), Duration.ofHours(6));
        };
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        int n = data.values().length;
        if (n > 0 && random.nextBoolean()) {
            from = data.ts()[random.nextInt(n)] + random.nextLong(-2, 3);
        }
        if (n > 0 && random.nextBoolean()) {
            to = Math.max(from, data.ts()[random.nextInt(n)] + random.nextLong(-2, 3));
        }
        List<String> series = new ArrayList<>();
        if (hasSeries && random.nextInt(3) == 0) {
            for (String name : data.dictionary().names()) {
                if (random.nextBoolean()) {
                    series.add(name);
                }
            }
            if (series.isEmpty()) {
                series.add(data.dictionary().name(0));
            }
        }
        // a third of the queries ask percentiles without sums or first/last, which take their own route by series
        return new QuerySpec(random.nextInt(3) == 0 ? PERCENTILES : ALL, bySeries, buckets, from, to, series, exact);
    }

    static QueryResult run(Path file, QuerySpec spec, int workers, long batchRows) throws Exception {
        try (Store store = Store.open(file)) {
            QueryJob job = QueryJob.on(store, spec);
            RunResult<QueryResult> run = Tsproc.of(store).run(job, JobRequest.query(spec),
                    RunOptions.defaults().withWorkers(workers).withBatchRows(batchRows));
            assertThat(run.rows()).isEqualTo(Planner.plan(store, JobRequest.query(spec), batchRows).rowCount());
            return run.result();
        }
    }

    static void assertMatches(QueryResult actual, List<QueryResult.Row> expected, boolean exactPercentiles) {
        assertThat(actual.rows()).hasSameSizeAs(expected);
        for (int r = 0; r < expected.size(); r++) {
            QueryResult.Row a = actual.rows().get(r);
            QueryResult.Row e = expected.get(r);
            assertThat(a.series()).as("row %d series", r).isEqualTo(e.series());
            assertThat(a.bucketStartNanos()).as("row %d bucket", r).isEqualTo(e.bucketStartNanos());
            for (int k = 0; k < actual.aggregates().size(); k++) {
                Aggregate agg = actual.aggregates().get(k);
                double x = a.values().get(k);
                double y = e.values().get(k);
                String what = "row " + r + " (" + e.series() + ", " + e.bucketStart() + ") " + agg + ": " + x + " vs " + y;
                if (agg.kind() == Aggregate.Kind.STDDEV) {
                    // Squares beyond 1.8e308 (|x| > 1.3e154) make the exact kernels give NaN, the
                    // BigDecimal reference Infinity: both say "not a finite answer".
                    assertThat(Double.isFinite(x)).as(what).isEqualTo(Double.isFinite(y));
                    if (Double.isFinite(y)) {
                        assertThat(Math.abs(x - y)).as(what).isLessThanOrEqualTo(Math.abs(y) * 1e-12);
                    }
                } else if (agg.kind() == Aggregate.Kind.PERCENTILE && !exactPercentiles) {
                    assertWithinSketchBound(x, y, what);
                } else {
                    assertThat(Double.doubleToRawLongBits(x)).as(what).isEqualTo(Double.doubleToRawLongBits(y));
                }
            }
        }
    }

    /** The bound documented on {@link Percentiles}. */
    static void assertWithinSketchBound(double sketch, double exact, String what) {
        if (Double.isNaN(exact) || Double.isInfinite(exact)) {
            assertThat(Double.doubleToLongBits(sketch)).as(what).isEqualTo(Double.doubleToLongBits(exact));
        } else if (Math.abs(exact) < 2.3e-308) {
            assertThat(Math.abs(sketch - exact)).as(what).isLessThan(2.3e-308 + Math.abs(exact) * Percentiles.RELATIVE_ACCURACY);
        } else {
            assertThat(Math.abs(sketch - exact)).as(what)
                    .isLessThanOrEqualTo(Math.abs(exact) * Percentiles.RELATIVE_ACCURACY * (1 + 1e-9));
        }
    }

    @Property(tries = 150)
    void matchesTheReferenceOnRandomDataAndQueries(@ForAll long seed, @ForAll @IntRange(max = 3000) int n,
                                                   @ForAll @IntRange(min = 1, max = 600) int batchRows,
                                                   @ForAll @IntRange(min = 1, max = 4) int workers) throws Exception {
        Data data = randomData(seed, n);
        boolean exact = seed % 2 == 0;
        QuerySpec spec = randomSpec(seed, data, exact);
        // jqwik gives a property no @TempDir: a directory of its own, emptied and removed after each try.
        Path tries = Files.createTempDirectory("tsproc-query-");
        Path file = data.write(tries.resolve("q.tsp"));
        try {
            assertMatches(run(file, spec, workers, batchRows),
                    ReferenceQuery.run(spec, data.ts(), data.values(), data.series(), data.dictionary()), exact);
        } finally {
            Files.deleteIfExists(file);
            Files.delete(tries);
        }
    }

    @Test
    void answersAreBitIdenticalForEveryWorkerCountAndBatchSize() throws Exception {
        Data data = randomData(3, 40_000);
        while (data.series() == null) {
            data = randomData(data.ts().length + 1, 40_000);
        }
        Path file = data.write(dir.resolve("det.tsp"));
        for (long seed = 0; seed < 6; seed++) {
            QuerySpec spec = randomSpec(seed, data, false);
            QueryResult first = run(file, spec, 1, 40_000);
            if (first.rows().size() > 10_000) {
                continue; // batches of one row into tens of thousands of groups only cost time here; the property covers them
            }
            for (int workers : new int[] {1, 2, 3, 8}) {
                for (long batchRows : new long[] {1, 999, 4096, 65_536}) {
                    QueryResult r = run(file, spec, workers, batchRows);
                    assertThat(bits(r)).as("spec %s workers=%d batchRows=%d", spec, workers, batchRows).isEqualTo(bits(first));
                }
            }
        }
    }

    /** Every key and every value's bits, in order: equal lists mean bit-identical answers. */
    static List<Object> bits(QueryResult r) {
        List<Object> out = new ArrayList<>();
        for (QueryResult.Row row : r.rows()) {
            out.add(row.series());
            out.add(row.bucketStartNanos());
            for (double v : row.values()) {
                out.add(Double.doubleToRawLongBits(v));
            }
        }
        return out;
    }

    @Test
    void theBuiltinStatsJobIsTheWholeColumnQuery() throws Exception {
        double[] v = TestStores.awkwardValues(5, 20_000, true);
        Path file = TestStores.write(dir.resolve("w.tsp"), v);
        QueryResult q = run(file, QuerySpec.of(Aggregate.STATS), 2, 1000);
        QueryResult s;
        try (Store store = Store.open(file)) {
            s = Tsproc.of(store).run(BuiltinJob.named("stats"), RunOptions.defaults().withBatchRows(777)).result();
        }
        assertThat(q.rows()).hasSize(1);
        assertThat(s.aggregates()).isEqualTo(q.aggregates());
        assertThat(bits(s)).isEqualTo(bits(q));
    }

    @Test
    void aTimeRangeIsFoundByBinarySearchAndOnlyItsRowsArePlanned() throws Exception {
        double[] v = new double[10_000];
        java.util.Arrays.fill(v, 1.0);
        Path file = TestStores.write(dir.resolve("r.tsp"), v);
        long t0 = 1_700_000_000_000_000_000L;
        QuerySpec spec = new QuerySpec(List.of(Aggregate.COUNT, Aggregate.FIRST), false, 0,
                t0 + 1_234 * 1_000_000L, t0 + 5_678 * 1_000_000L + 1, List.of(), false);
        try (Store store = Store.open(file)) {
            Plan plan = Planner.plan(store, JobRequest.query(spec), 100);
            assertThat(plan).isEqualTo(new Plan(1_234, 5_679 - 1_234, 100));
        }
        QueryResult r = run(file, spec, 2, 100);
        assertThat(r.value(r.rows().getFirst(), Aggregate.COUNT)).isEqualTo(5_678L - 1_234 + 1);
    }

    @Test
    void withoutGroupingAnEmptyRangeStillGivesOneRow() throws Exception {
        Path file = TestStores.write(dir.resolve("e.tsp"), new double[] {1, 2});
        QueryResult r = run(file, new QuerySpec(ALL, false, 0, 0, 1, List.of(), false), 2, 1);
        assertThat(r.rows()).hasSize(1);
        assertThat(r.get(r.rows().getFirst(), Aggregate.COUNT)).isZero();
        assertThat(r.get(r.rows().getFirst(), Aggregate.SUM)).isEqualTo(0.0);
        assertThat(r.get(r.rows().getFirst(), Aggregate.P99)).isNaN();
        QueryResult byTime = run(file, new QuerySpec(ALL, false, 1000, 0, 1, List.of(), false), 2, 1);
        assertThat(byTime.rows()).isEmpty();
    }

    /**
     * Issue 12's data (a random walk per series, 5% missing), small: every group is sketched, and
     * each sketched percentile is within the bound of the exact one ({@code --exact-percentiles},
     * a sort: DuckDB's {@code quantile_disc}), whole column and by series, and the same bits for
     * any worker count and batch size.
     */
    @Test
    void sketchedPercentilesOfWalkDataAreWithinTheBoundOfTheExactOnes() throws Exception {
        Path file = dir.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(120_000, 12, 0.05, Distribution.WALK, 7), file, 2);
        List<Aggregate> aggs = List.of(Aggregate.COUNT, Aggregate.MISSING, Aggregate.MIN, Aggregate.MAX,
                Aggregate.percentile(0.001), Aggregate.P50, Aggregate.P90, Aggregate.P99, Aggregate.percentile(0.999));
        for (boolean bySeries : new boolean[] {false, true}) {
            QuerySpec sketched = new QuerySpec(aggs, bySeries, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false);
            QuerySpec exact = new QuerySpec(aggs, bySeries, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), true);
            QueryResult s = run(file, sketched, 2, 8192);
            QueryResult e = run(file, exact, 1, 120_000);
            assertThat(s.approximatePercentiles()).isTrue();
            assertThat(s.rows()).hasSize(bySeries ? 12 : 1);
            assertMatches(s, e.rows(), false);
            assertThat(bits(run(file, sketched, 1, 120_000))).isEqualTo(bits(s));
            assertThat(bits(run(file, sketched, 3, 999))).isEqualTo(bits(s));
        }
    }

    @Test
    void theTalksDataGetsExactExtremePercentilesFromTheSketch() throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        double[] v = random.doubles(50_000).map(x -> x < 1 / 3.0 ? Double.NaN : x < 2 / 3.0 ? 0 : 1).toArray();
        Path file = TestStores.write(dir.resolve("talk.tsp"), v);
        QueryResult r = run(file, QuerySpec.of(List.of(Aggregate.P50, Aggregate.P99, Aggregate.percentile(0.1))), 2, 4096);
        assertThat(r.rows().getFirst().values()).containsExactly(
                ReferenceQuery.percentile(0.5, v), 1.0, 0.0);
    }

    @Test
    void rejectsSeriesQueriesTheStoreCannotAnswer() throws Exception {
        Path plain = TestStores.write(dir.resolve("p.tsp"), new double[] {1});
        try (Store store = Store.open(plain)) {
            QuerySpec bySeries = new QuerySpec(ALL, true, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false);
            assertThatThrownBy(() -> QueryJob.on(store, bySeries)).hasMessageContaining("no series column");
        }
        Data data = randomData(1, 10);
        while (data.series() == null) {
            data = randomData(data.ts().length + 7, 10);
        }
        try (Store store = Store.open(data.write(dir.resolve("s.tsp")))) {
            QuerySpec unknown = new QuerySpec(ALL, true, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of("nope"), false);
            assertThatThrownBy(() -> QueryJob.on(store, unknown)).hasMessageContaining("no series 'nope'");
        }
    }

    @Test
    void parsesAggregateNames() {
        assertThat(Aggregate.parseList("count, p99.9 ,stats")).startsWith(Aggregate.COUNT, Aggregate.percentile(0.999))
                .hasSize(9);
        assertThat(Aggregate.parse("P50")).isEqualTo(Aggregate.P50);
        assertThat(Aggregate.percentile(0.999).label()).isEqualTo("p99.9");
        assertThat(Aggregate.P99.label()).isEqualTo("p99");
        assertThatThrownBy(() -> Aggregate.parse("median")).hasMessageContaining("unknown aggregate 'median'");
        assertThatThrownBy(() -> Aggregate.parse("p101")).hasMessageContaining("bad percentile");
    }
}
