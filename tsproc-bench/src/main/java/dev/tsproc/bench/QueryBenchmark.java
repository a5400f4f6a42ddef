package dev.tsproc.bench;

import dev.tsproc.Tsproc;
import dev.tsproc.data.Column;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * tsproc queries and DuckDB side by side: the same data, the same thread count, one run.
 *
 * <p>Generates the talk's workload with {@code series} series drawn at random per row into shared
 * memory, loads the same rows into an in-memory DuckDB table (missing values as NULL), then runs
 * each query in turn — the floor (a plain read of the columns the query touches, summed as longs
 * so the loop vectorises), tsproc, DuckDB — {@code reps} times after {@code warmups} warm-up runs
 * of tsproc and the floor (a query's first runs are interpreted and JIT-compiled: 2 s, then
 * 0.11 s, then 0.05 s for (c)) and one of DuckDB, and prints the medians and ratios as a Markdown
 * table. Everything it made is removed at the end. Run it with
 * {@code --add-modules jdk.incubator.vector} for the kernels a long-running JVM uses.
 *
 * <pre>
 * ./mvnw -q -pl tsproc-bench -am package -DskipTests
 * java -Xmx12g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
 *      -cp tsproc-bench/target/benchmarks.jar dev.tsproc.bench.QueryBenchmark \
 *      [rows=200000000] [series=1000] [threads=2] [reps=5] [warmups=10] [duckdb=true] [distribution=talk|walk|gauss]
 * </pre>
 */
public final class QueryBenchmark {
    private static final String STATS_SQL = "count(value), count(*) - count(value), sum(value), avg(value), min(value), "
            + "max(value), stddev_samp(value)";

    /** One benchmarked query: its name, tsproc form, SQL form and the columns it touches. */
    private record Case(String name, Callable<Object> tsproc, String sql, List<Column> floorColumns) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rows", "200000000", "series", "1000", "threads", "2", "reps", "5", "warmups", "10",
                "duckdb", "true", "distribution", "talk"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        long rows = Long.parseLong(opts.get("rows"));
        int series = Integer.parseInt(opts.get("series"));
        int threads = Integer.parseInt(opts.get("threads"));
        int reps = Integer.parseInt(opts.get("reps"));
        int warmups = Integer.parseInt(opts.get("warmups"));
        try (SharedSegments shm = SharedSegments.create()) {
            Path path = shm.newStorePath();
            long t0 = System.nanoTime();
            Distribution distribution = Distribution.valueOf(opts.get("distribution").toUpperCase(Locale.ROOT));
            Generator.generate(new GeneratorSpec(rows, series, GeneratorSpec.TALK_MISSING, distribution, GeneratorSpec.TALK_SEED),
                    path, threads);
            log("generated %,d rows x %d series (%s) in %.1f s", rows, series, distribution, (System.nanoTime() - t0) / 1e9);
            try (Store store = Store.open(path);
                 DuckDBConnection duck = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:")) {
                boolean withDuck = Boolean.parseBoolean(opts.get("duckdb"));
                if (withDuck) {
                    load(store, duck, threads);
                }
                run(store, withDuck ? duck : null, threads, reps, warmups, rows, series);
            }
        }
    }

    private static void load(Store store, DuckDBConnection duck, int threads) throws Exception {
        long t0 = System.nanoTime();
        try (Statement st = duck.createStatement()) {
            st.execute("SET threads = " + threads);
            st.execute("SET preserve_insertion_order = true");
            st.execute("CREATE TABLE raw (ts BIGINT, value DOUBLE, series INTEGER)");
        }
        MemorySegment ts = store.column(Column.TS);
        MemorySegment values = store.column(Column.VALUE);
        MemorySegment series = store.column(Column.SERIES);
        try (DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "raw")) {
            for (long i = 0, n = store.rowCount(); i < n; i++) {
                appender.beginRow()
                        .append(ts.getAtIndex(Column.TS_LAYOUT, i))
                        .append(values.getAtIndex(Column.VALUE_LAYOUT, i))
                        .append(series.getAtIndex(Column.SERIES_LAYOUT, i))
                        .endRow();
            }
        }
        try (Statement st = duck.createStatement()) {
            st.execute("CREATE TABLE t AS SELECT ts, CASE WHEN isnan(value) THEN NULL ELSE value END AS value, series FROM raw");
            st.execute("DROP TABLE raw");
            st.execute("CHECKPOINT");
        }
        log("loaded into DuckDB in %.1f s", (System.nanoTime() - t0) / 1e9);
    }

    private static void run(Store store, DuckDBConnection duck, int threads, int reps, int warmups, long rows, int series)
            throws Exception {
        Tsproc ts = Tsproc.of(store);
        List<Aggregate> stats = Aggregate.STATS;
        Aggregate[] statsArray = stats.toArray(Aggregate[]::new);
        List<Case> cases = List.of(
                new Case("(a) whole-column stats", () -> ts.query().agg(statsArray).workers(threads).run(),
                        "SELECT " + STATS_SQL + " FROM t", List.of(Column.VALUE)),
                new Case("(b) stats by series", () -> ts.query().agg(statsArray).bySeries().workers(threads).run(),
                        "SELECT series, " + STATS_SQL + " FROM t GROUP BY series", List.of(Column.VALUE, Column.SERIES)),
                new Case("(c) stats by 1-minute bucket", () -> ts.query().agg(statsArray).every(Duration.ofMinutes(1)).workers(threads).run(),
                        "SELECT ts // 60000000000 AS b, " + STATS_SQL + " FROM t GROUP BY b", List.of(Column.VALUE)),
                new Case("(d) stats by series and 1-hour bucket", () -> ts.query().agg(statsArray).bySeries().every(Duration.ofHours(1)).workers(threads).run(),
                        "SELECT series, ts // 3600000000000 AS b, " + STATS_SQL + " FROM t GROUP BY series, b",
                        List.of(Column.VALUE, Column.SERIES)),
                new Case("(e) p99 of the whole column", () -> ts.query().agg(Aggregate.P99).workers(threads).run(),
                        "SELECT quantile_disc(value, 0.99) FROM t", List.of(Column.VALUE)),
                new Case("(e) p99 by series", () -> ts.query().agg(Aggregate.P99).bySeries().workers(threads).run(),
                        "SELECT series, quantile_disc(value, 0.99) FROM t GROUP BY series", List.of(Column.VALUE, Column.SERIES)));
        System.out.printf(Locale.ROOT, "%n%,d rows, %d series, %d threads, median of %d runs after %d warm-up runs of tsproc and "
                + "the floor and one of DuckDB; kernels: %s; %s, Java %s%n%n", rows, series, threads, reps, warmups,
                dev.tsproc.job.QueryJob.kernels(), duck == null ? "no DuckDB" : duckVersion(duck), Runtime.version());
        System.out.println("Wall-clock seconds, and in brackets CPU seconds of the whole process (all threads, DuckDB's native ones "
                + "included), which time-slicing by other processes on a shared machine does not inflate.");
        System.out.println();
        System.out.println("| query | floor | tsproc | DuckDB | DuckDB / tsproc | tsproc / floor | groups |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Case c : cases) {
            double[][] floor = new double[2][reps];
            double[][] mine = new double[2][reps];
            double[][] theirs = new double[2][reps];
            Object warm = null;
            for (int w = 0; w < warmups; w++) { // until the JIT has compiled this query's path, as JMH would
                warm = c.tsproc().call();
                floor(store, c.floorColumns(), threads);
            }
            int duckRows = duck == null ? -1 : sql(duck, c.sql());
            for (int r = 0; r < reps; r++) {
                time(() -> floor(store, c.floorColumns(), threads), floor, r);
                time(c.tsproc(), mine, r);
                if (duck == null) {
                    theirs[0][r] = theirs[1][r] = Double.NaN;
                } else {
                    time(() -> sql(duck, c.sql()), theirs, r);
                }
            }
            int groups = ((QueryResult) warm).rows().size();
            if (duck != null && groups != duckRows) {
                log("WARNING: %s: tsproc gave %d groups, DuckDB %d", c.name(), groups, duckRows);
            }
            double f = median(floor[0]), m = median(mine[0]), d = median(theirs[0]);
            double fc = median(floor[1]), mc = median(mine[1]), dc = median(theirs[1]);
            System.out.printf(Locale.ROOT, "| %s | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) | %.1f× (%.1f×) | %.2f× (%.2f×) | %,d |%n",
                    c.name(), f, fc, m, mc, d, dc, d / m, dc / mc, m / f, mc / fc, groups);
            if (groups == 1) {
                log("%s: tsproc %s", c.name(), ((QueryResult) warm).rows().getFirst().values());
            }
        }
    }

    private static String duckVersion(DuckDBConnection duck) throws Exception {
        try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            return "DuckDB " + rs.getString(1);
        }
    }

    /** Runs {@code sql}, reads every cell of every row, returns the row count. */
    private static int sql(DuckDBConnection duck, String sql) throws Exception {
        try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = 0;
            int columns = rs.getMetaData().getColumnCount();
            double sink = 0;
            while (rs.next()) {
                n++;
                for (int c = 1; c <= columns; c++) {
                    sink += rs.getDouble(c);
                }
            }
            if (sink == 42.4242) {
                System.out.print("");
            }
            return n;
        }
    }

    /** The floor: every 8-byte word of the touched columns read and added, on {@code threads} threads. */
    private static long floor(Store store, List<Column> columns, int threads) throws InterruptedException {
        long[] result = new long[threads];
        Thread[] workers = new Thread[threads];
        for (int w = 0; w < threads; w++) {
            int id = w;
            workers[w] = Thread.ofPlatform().start(() -> {
                long acc = 0;
                for (Column c : columns) {
                    MemorySegment seg = store.column(c);
                    long words = seg.byteSize() / 8;
                    long from = words * id / threads;
                    long to = words * (id + 1) / threads;
                    acc += sumWords(seg, from, to);
                }
                result[id] = acc;
            });
        }
        for (Thread t : workers) {
            t.join();
        }
        return Arrays.stream(result).sum();
    }

    private static long sumWords(MemorySegment seg, long from, long to) {
        long a = 0;
        for (long i = from; i < to; i++) {
            a += seg.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }
        return a;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Runs {@code task}; stores its wall seconds in {@code out[0][r]}, the process's CPU seconds in {@code out[1][r]}. */
    private static void time(Callable<?> task, double[][] out, int r) throws Exception {
        long c0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        task.call();
        out[0][r] = (System.nanoTime() - t0) / 1e9;
        out[1][r] = (OS.getProcessCpuTime() - c0) / 1e9;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, format + "%n", args);
    }

    private QueryBenchmark() {}
}
