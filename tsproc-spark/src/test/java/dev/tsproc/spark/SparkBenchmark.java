package dev.tsproc.spark;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.plan.JobRequest;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.stddev;
import static org.apache.spark.sql.functions.sum;

/**
 * The five queries of issue 12 on the same walk data, through tsproc on Spark — from the store,
 * mapped by the executors, and from the same rows exported as Parquet, read by Spark — and through
 * Spark SQL's own {@code groupBy}/{@code agg}/{@code percentile_approx} on that Parquet, in one
 * Spark session with the same cores; each query alternately, medians of the rounds; every answer of
 * tsproc on Spark checked equal to the threads executor's on one machine. Also Spark's fixed cost
 * (the session's start, a job over one batch and where its time went), and in how many groups
 * Spark SQL's sum differs from tsproc's exact one.
 *
 * <pre>
 * java $(spark flags) -cp $(test class path) dev.tsproc.spark.SparkBenchmark STORE PARQUET local[2]|cluster ROUNDS [sql-on-store|fixed-cost|no-parquet-source]
 * </pre>
 * With {@code fixed-cost}, it measures only Spark's fixed cost; with {@code no-parquet-source}, it
 * leaves out tsproc on Spark from Parquet (its columns read 0). Of that source's wall time, the part
 * before its job starts (the footers read and the series listed, one aggregate over the files) is
 * shown apart.
 * With {@code sql-on-store}, it compares instead Spark SQL's queries (a) to (d) over the store
 * itself ({@code format("tsproc")}, {@link TsprocSource}) with the same over the Parquet export.
 * docs/BENCHMARKS.md ("tsproc on Spark against Spark SQL") has the exact command and the results.
 */
public final class SparkBenchmark {
    private static final String STATS = "count,sum,mean,min,max,stddev";
    private static final long MINUTE = 60_000_000_000L;
    private static final long HOUR = 60 * MINUTE;

    private record Query(String name, JobRequest tsproc, Function<Dataset<Row>, Dataset<Row>> sql) {}

    private SparkBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        Path parquet = Path.of(args[1]);
        boolean cluster = args[2].equals("cluster");
        int rounds = Integer.parseInt(args[3]);
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "spark-bench-");
        long sessionStart = System.nanoTime();
        SparkCluster engines = cluster ? new SparkCluster(dir, 2) : null;
        try {
            SparkSession.Builder builder = SparkSession.builder().appName("tsproc-spark-benchmark")
                    .master(cluster ? engines.masterUrl() : args[2])
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.local.dir", Files.createDirectories(dir.resolve("local")).toString())
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.sql.legacy.parquet.nanosAsLong", "true");
            if (cluster) {
                builder.config("spark.executor.memory", "512m").config("spark.executor.cores", "1").config("spark.cores.max", "2")
                        .config("spark.executor.extraJavaOptions", engines.executorJavaOptions());
            }
            try (SparkSession spark = builder.getOrCreate()) {
                while (cluster && spark.sparkContext().statusTracker().getExecutorInfos().length < 3) {
                    Thread.sleep(50);
                }
                System.out.printf(Locale.ROOT, "session (and cluster) started in %.2f s%n", (System.nanoTime() - sessionStart) / 1e9);
                if (args.length > 4 && args[4].equals("sql-on-store")) {
                    sqlOnStore(spark, store, parquet, rounds);
                } else if (args.length > 4 && args[4].equals("fixed-cost")) {
                    fixedCost(spark, store, rounds);
                } else {
                    run(spark, store, parquet, rounds, engines, !(args.length > 4 && args[4].equals("no-parquet-source")));
                }
            }
        } finally {
            if (engines != null) {
                engines.close();
            }
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The five queries, tsproc's request and Spark SQL's plan over a table of ts, value and series. */
    private static List<Query> queries() {
        Column minute = floor(col("ts").divide(lit(MINUTE))).as("minute");
        Column hour = floor(col("ts").divide(lit(HOUR))).as("hour");
        Column[] stats = {count("value"), sum("value"), avg("value"), min("value"), max("value"), stddev("value")};
        return List.of(
                new Query("(a) stats", query(STATS, false, 0), df -> df.agg(stats[0], Arrays.copyOfRange(stats, 1, 6))),
                new Query("(b) stats by series", query(STATS, true, 0),
                        df -> df.groupBy(col("series")).agg(stats[0], Arrays.copyOfRange(stats, 1, 6))),
                new Query("(c) stats by minute", query(STATS, false, MINUTE),
                        df -> df.groupBy(minute).agg(stats[0], Arrays.copyOfRange(stats, 1, 6))),
                new Query("(d) stats by series, hour", query(STATS, true, HOUR),
                        df -> df.groupBy(col("series"), hour).agg(stats[0], Arrays.copyOfRange(stats, 1, 6))),
                new Query("(e) p99 by series", query("p99", true, 0),
                        df -> df.groupBy(col("series")).agg(percentile_approx(col("value"), lit(0.99), lit(10_000)))));
    }

    /**
     * Spark SQL's queries (a) to (d) over the store itself ({@code format("tsproc")}) against the
     * same over the Parquet export, alternately; each answer's counts, minima and maxima must agree.
     */
    private static void sqlOnStore(SparkSession spark, Path store, Path parquet, int rounds) throws Exception {
        Dataset<Row> onParquet = spark.read().parquet(parquet.toString());
        Dataset<Row> onStore = spark.read().format("tsproc").load(store.toString());
        System.out.println("query | SQL on the store wall s | CPU s | SQL on Parquet wall s | CPU s | Parquet/store wall | Parquet/store CPU");
        for (Query q : queries().subList(0, 4)) {
            double[][] times = new double[4][rounds];
            for (int r = 0; r < rounds; r++) {
                List<Row> fromStore = timed(null, () -> q.sql().apply(onStore).collectAsList(), times[0], times[1], r);
                List<Row> fromParquet = timed(null, () -> q.sql().apply(onParquet).collectAsList(), times[2], times[3], r);
                if (!exactColumns(fromStore).equals(exactColumns(fromParquet))) {
                    throw new IllegalStateException(q.name() + ": counts, minima or maxima differ between the store and Parquet");
                }
            }
            System.out.printf(Locale.ROOT, "%s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f%n", q.name(), median(times[0]),
                    median(times[1]), median(times[2]), median(times[3]), median(times[2]) / median(times[0]),
                    median(times[3]) / median(times[1]));
        }
    }

    /** Runs {@code query}, recording its wall and CPU seconds at {@code round}. */
    private static <T> T timed(SparkCluster engines, Callable<T> query, double[] wall, double[] cpu, int round)
            throws Exception {
        long c = cpuNanos(engines);
        long t = System.nanoTime();
        T result = query.call();
        wall[round] = (System.nanoTime() - t) / 1e9;
        cpu[round] = (cpuNanos(engines) - c) / 1e9;
        return result;
    }

    /** Each row's group keys, count, min and max (not sum, mean or stddev, which depend on the order of additions), sorted. */
    private static List<String> exactColumns(List<Row> rows) {
        return rows.stream().map(row -> {
            int k = row.length() - 6;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < k; i++) {
                text.append(row.get(i)).append('/');
            }
            return text.append(row.get(k)).append('/').append(row.get(k + 3)).append('/').append(row.get(k + 4)).toString();
        }).sorted().toList();
    }

    /**
     * Spark's fixed cost: a tsproc job of one task over one batch of 1,000 rows, where its timeline
     * says the time went, and the smallest SQL job.
     */
    private static void fixedCost(SparkSession spark, Path store, int rounds) throws Exception {
        SparkRunOptions one = SparkRunOptions.defaults().withBatchRows(1_000).withPartitions(1);
        JobRequest firstBatch = JobRequest.query(new QuerySpec(Aggregate.parseList("count"), false, 0, Long.MIN_VALUE,
                GeneratorSpec.START_NANOS + 1_000 * GeneratorSpec.STEP_NANOS, List.of(), false));
        double[][] fixed = new double[6][rounds];
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            RunResult<?> run = TsprocSpark.run(spark, store, firstBatch, one);
            fixed[0][r] = (System.nanoTime() - t) / 1e9;
            BatchTimes b = run.timeline().batches().getFirst();
            fixed[1][r] = b.queued() / 1e9;
            fixed[2][r] = (b.received() - b.queued()) / 1e9;
            fixed[3][r] = (b.computeStart() - b.received()) / 1e9;
            fixed[4][r] = (b.computeEnd() - b.computeStart()) / 1e9;
            fixed[5][r] = (b.resultReceived() - b.computeEnd()) / 1e9;
            System.out.printf(Locale.ROOT, "  round %d: %.3f s%n", r + 1, fixed[0][r]);
        }
        System.out.printf(Locale.ROOT, "a tsproc job of one batch of 1,000 rows: median %.3f s; its timeline's medians: %.3f s"
                + " to submit the Spark job, %.3f s to the task's start on the executor, %.3f s opening the store and"
                + " rebuilding the job there, %.3f s computing, %.3f s to the driver's having the partial%n", median(fixed[0]),
                median(fixed[1]), median(fixed[2]), median(fixed[3]), median(fixed[4]), median(fixed[5]));
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            spark.range(1).collect();
            fixed[0][r] = (System.nanoTime() - t) / 1e9;
        }
        System.out.printf(Locale.ROOT, "Spark's smallest job (range(1).collect): median %.3f s%n", median(fixed[0]));
    }

    private static void run(SparkSession spark, Path store, Path parquet, int rounds, SparkCluster engines, boolean parquetSource)
            throws Exception {
        Dataset<Row> df = spark.read().parquet(parquet.toString());
        List<Query> queries = queries();
        fixedCost(spark, store, rounds);

        System.out.println("query | tsproc on Spark, store: wall s | CPU s | tsproc on Spark, Parquet: wall s | CPU s | of it listing wall s"
                + " | Spark SQL, Parquet: wall s | CPU s | groups | SQL sums != exact | tsproc's answers = threads'");
        for (Query q : queries) {
            Object threads;
            try (Tsproc ts = Tsproc.open(store)) {
                threads = ts.run(q.tsproc(), RunOptions.defaults()).result();
            }
            double[][] times = new double[7][rounds];
            QueryResult fromStore = null;
            List<Row> rows = null;
            boolean same = true;
            for (int r = 0; r < rounds; r++) {
                fromStore = (QueryResult) timed(engines, () -> TsprocSpark.run(spark, store, q.tsproc(),
                        SparkRunOptions.defaults()).result(), times[0], times[1], r);
                Object fromParquet = threads;
                if (parquetSource) {
                    RunResult<?> fromFiles = timed(engines, () -> TsprocSpark.run(spark, parquet.toString(), ParquetOptions.defaults(),
                            q.tsproc(), SparkRunOptions.defaults()), times[2], times[3], r);
                    fromParquet = fromFiles.result();
                    // the run's elapsed time starts with its job, after the footers are read and the series listed
                    times[6][r] = times[2][r] - fromFiles.elapsed().toNanos() / 1e9;
                }
                rows = timed(engines, () -> q.sql().apply(df).collectAsList(), times[4], times[5], r);
                same &= fromStore.equals(threads) && fromParquet.equals(threads);
            }
            System.out.printf(Locale.ROOT, "%s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %s | %s%n", q.name(),
                    median(times[0]), median(times[1]), median(times[2]), median(times[3]), median(times[6]), median(times[4]),
                    median(times[5]),
                    fromStore.rows().size(), q.name().startsWith("(e)") ? "-" : sumsDiffering(fromStore, rows,
                            q.name().startsWith("(c)") ? MINUTE : q.name().startsWith("(d)") ? HOUR : 0),
                    same ? "yes, bit for bit" : "NO");
        }
    }

    private static JobRequest query(String aggregates, boolean bySeries, long bucketNanos) {
        return JobRequest.query(new QuerySpec(Aggregate.parseList(aggregates), bySeries, bucketNanos, Long.MIN_VALUE,
                Long.MAX_VALUE, List.of(), false));
    }

    /** "k of n": groups whose Spark SQL sum is not tsproc's exact sum, bit for bit. */
    private static String sumsDiffering(QueryResult exact, List<Row> sql, long bucketNanos) {
        Map<String, Double> sqlSums = new HashMap<>();
        boolean bySeries = exact.bySeries();
        for (Row row : sql) {
            int i = 0;
            String key = (bySeries ? row.getString(i++) : "") + "/" + (bucketNanos > 0 ? row.getLong(i++) : 0);
            sqlSums.put(key, row.getDouble(i + 1)); // after count
        }
        int differ = 0;
        List<String> missing = new ArrayList<>();
        for (QueryResult.Row row : exact.rows()) {
            String key = (bySeries ? row.series() : "") + "/"
                    + (bucketNanos > 0 ? Math.floorDiv(row.bucketStartNanos(), bucketNanos) : 0);
            Double s = sqlSums.get(key);
            if (s == null) {
                missing.add(key);
            } else if (Double.doubleToLongBits(s) != Double.doubleToLongBits(exact.get(row, Aggregate.SUM))) {
                differ++;
            }
        }
        return differ + " of " + exact.rows().size() + (missing.isEmpty() ? "" : " (" + missing.size() + " groups not in SQL's answer)");
    }

    /** CPU time of this JVM and of the cluster's executor JVMs, if any. */
    private static long cpuNanos(SparkCluster engines) {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        if (engines != null) {
            for (ProcessHandle executor : engines.executors()) {
                cpu += executor.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
            }
        }
        return cpu;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
