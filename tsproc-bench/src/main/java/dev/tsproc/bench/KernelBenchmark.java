package dev.tsproc.bench;

import dev.tsproc.data.Batch;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QuerySpec;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The query kernels alone: nanoseconds per row of {@link QueryJob#map} on one thread over one
 * batch of 2^20 rows of the talk's workload (values 0, 1 or missing, a third each; 1,000 series
 * drawn at random per row; 1 ms apart), beside its floor, a plain read of the value column;
 * then the same with standard normal values, which take the general paths, and with a random
 * walk per series (5% missing), the float data of issue 12. Each time is the
 * best of 50 runs in the thread's CPU time, which other processes on a shared machine disturb
 * least. Its peer, DuckDB on the same queries, is {@link QueryBenchmark}'s to measure: DuckDB
 * has no kernel to call alone.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp tsproc-bench/target/benchmarks.jar \
 *      dev.tsproc.bench.KernelBenchmark
 * </pre>
 */
public final class KernelBenchmark {
    private static final int ROWS = 1 << 20;
    private static final int SERIES = 1000;
    private static final int RUNS = 50;

    public static void main(String[] args) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ts = arena.allocate(Column.TS.byteSize(ROWS), 64);
            MemorySegment values = arena.allocate(Column.VALUE.byteSize(ROWS), 64);
            MemorySegment series = arena.allocate(Column.SERIES.byteSize(ROWS), 64);
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < ROWS; i++) {
                ts.setAtIndex(Column.TS_LAYOUT, i, 1_700_000_000_000_000_000L + i * 1_000_000L);
                int pick = random.nextInt(3);
                values.setAtIndex(Column.VALUE_LAYOUT, i, pick == 2 ? Double.NaN : pick);
                series.setAtIndex(Column.SERIES_LAYOUT, i, random.nextInt(SERIES));
            }
            List<String> names = new ArrayList<>();
            for (int s = 0; s < SERIES; s++) {
                names.add("s" + s);
            }
            SeriesDictionary dictionary = SeriesDictionary.of(names);
            BatchView batch = new BatchView(new Batch(0, 0, ROWS), ts, values, series, dictionary);
            long all = Long.MIN_VALUE;
            long none = Long.MAX_VALUE;
            Map<String, QuerySpec> specs = new LinkedHashMap<>();
            specs.put("(a) stats", new QuerySpec(Aggregate.STATS, false, 0, all, none, List.of(), false));
            specs.put("(b) stats by series", new QuerySpec(Aggregate.STATS, true, 0, all, none, List.of(), false));
            specs.put("(c) stats by 1-minute bucket", new QuerySpec(Aggregate.STATS, false, 60_000_000_000L, all, none, List.of(), false));
            specs.put("(d) stats by series, 1-hour bucket", new QuerySpec(Aggregate.STATS, true, 3_600_000_000_000L, all, none, List.of(), false));
            specs.put("(e) p99", new QuerySpec(List.of(Aggregate.P99), false, 0, all, none, List.of(), false));
            specs.put("(e) p99 by series", new QuerySpec(List.of(Aggregate.P99), true, 0, all, none, List.of(), false));
            specs.put("count, missing by series", new QuerySpec(List.of(Aggregate.COUNT, Aggregate.MISSING), true, 0, all, none, List.of(), false));
            System.out.println("| kernel (one thread, 2^20 rows) | ns/row |");
            System.out.println("|---|---:|");
            for (var e : specs.entrySet()) {
                time(e.getKey(), QueryJob.of(e.getValue(), dictionary, true), batch);
            }
            // the same rows with standard normal values instead: no small-integer fast path
            MemorySegment gauss = arena.allocate(Column.VALUE.byteSize(ROWS), 64);
            for (int i = 0; i < ROWS; i++) {
                gauss.setAtIndex(Column.VALUE_LAYOUT, i, random.nextInt(3) == 2 ? Double.NaN : random.nextGaussian());
            }
            BatchView normal = new BatchView(new Batch(0, 0, ROWS), ts, gauss, series, dictionary);
            time("gaussian: count", QueryJob.of(new QuerySpec(List.of(Aggregate.COUNT), false, 0, all, none, List.of(), false),
                    dictionary, true), normal);
            time("gaussian: sum", QueryJob.of(new QuerySpec(List.of(Aggregate.SUM), false, 0, all, none, List.of(), false),
                    dictionary, true), normal);
            time("gaussian: (a) stats", QueryJob.of(specs.get("(a) stats"), dictionary, true), normal);
            time("gaussian: (b) stats by series", QueryJob.of(specs.get("(b) stats by series"), dictionary, true), normal);
            time("gaussian: mean by series", QueryJob.of(new QuerySpec(List.of(Aggregate.MEAN), true, 0, all, none, List.of(), false),
                    dictionary, true), normal);
            time("gaussian: (e) p99", QueryJob.of(specs.get("(e) p99"), dictionary, true), normal);
            time("gaussian: (e) p99 by series", QueryJob.of(specs.get("(e) p99 by series"), dictionary, true), normal);
            // a random walk per series (steps of 0.01, as generate --distribution walk), 5% missing: issue 12's data
            MemorySegment walk = arena.allocate(Column.VALUE.byteSize(ROWS), 64);
            double[] position = new double[SERIES];
            for (int i = 0; i < ROWS; i++) {
                int s = series.getAtIndex(Column.SERIES_LAYOUT, i);
                position[s] += 0.01 * random.nextGaussian();
                walk.setAtIndex(Column.VALUE_LAYOUT, i, random.nextInt(20) == 0 ? Double.NaN : position[s]);
            }
            BatchView walked = new BatchView(new Batch(0, 0, ROWS), ts, walk, series, dictionary);
            for (String query : List.of("(a) stats", "(b) stats by series", "(c) stats by 1-minute bucket",
                    "(d) stats by series, 1-hour bucket", "(e) p99 by series")) {
                time("walk: " + query, QueryJob.of(specs.get(query), dictionary, true), walked);
            }
            double best = Double.MAX_VALUE;
            long sink = 0;
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            for (int r = 0; r < RUNS; r++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                for (long i = 0; i < ROWS; i++) {
                    sink += values.getAtIndex(ValueLayout.JAVA_LONG, i);
                }
                best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / (double) ROWS);
            }
            System.out.printf(Locale.ROOT, "| floor: read the value column | %.2f |%n", best);
            if (sink == 42) {
                System.out.println();
            }
        }
    }

    /** Best of {@value #RUNS} runs, in the thread's CPU time: what a shared machine's other processes disturb least. */
    private static void time(String name, QueryJob job, BatchView batch) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < RUNS; r++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            job.map(batch);
            best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / (double) ROWS);
        }
        System.out.printf(Locale.ROOT, "| %s | %.2f |%n", name, best);
    }

    private KernelBenchmark() {}
}
