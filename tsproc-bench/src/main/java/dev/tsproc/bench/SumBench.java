package dev.tsproc.bench;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QueryResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The NaN-skipping sum against its floor, in one run: generates the talk's workload in shared
 * memory, touches its pages, then for each repetition and each worker count times the
 * {@linkplain Floor floor} (the faster of a vectorised and a scalar plain sum, same thread
 * count) and {@code Tsproc.of(store).run(BuiltinJob.named("sum"), …)}, alternating which goes
 * first. Prints medians and the ratio sum/floor per worker count, of wall time and of the
 * process's CPU time (which a busy machine inflates less: time spent waiting for a core is not
 * counted); with {@code --duckdb}, also DuckDB's {@code sum} over the same values. Machines are
 * shared and noisy, so only ratios measured in the same run mean much.
 *
 * <p>Run it (after {@code ./mvnw -q -pl tsproc-bench -am package -DskipTests}):
 * {@snippet lang=shell :
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
 *      -cp tsproc-bench/target/benchmarks.jar dev.tsproc.bench.SumBench --rows 200000000 --reps 9 --duckdb
 * }
 * Add {@code -Dtsproc.kernels=scalar} to measure the plain-Java kernels instead of the Vector API ones.
 */
public final class SumBench {
    private SumBench() {}

    /** Options: {@code --rows N --reps N --warmup N --workers 1,2 --job sum --duckdb}. */
    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /** Runs the benchmark, printing the report to {@code out}; returns the exit code. */
    static int run(String[] args, PrintStream out) throws Exception {
        long rows = 200_000_000L;
        int reps = 7;
        int warmup = 8;
        String jobName = "sum";
        int[] workerCounts = {1, 2};
        boolean duckdb = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[++i].replace("_", ""));
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--workers" -> workerCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--job" -> jobName = args[++i];
                case "--duckdb" -> duckdb = true;
                default -> {
                    System.err.println("unknown option " + args[i]
                            + "; use --rows N --reps N --warmup N --workers 1,2 --job sum --duckdb");
                    return 2;
                }
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        QueryJob job = BuiltinJob.named(jobName);
        out.printf(Locale.ROOT, "# %s benchmark: %,d rows of the talk's workload in shared memory, %d reps after %d warm-up%n",
                job.name(), rows, reps, warmup);
        out.printf(Locale.ROOT, "# machine: nproc=%d, cpu=%s, java=%s, kernels=%s%n",
                cores, cpuModel(), Runtime.version(), QueryJob.kernels());
        try (TalkStore talk = TalkStore.create(rows, cores)) {
            out.printf(Locale.ROOT, "# generated in %.2f s%n", talk.generateSeconds());
            Timing[][] floor = new Timing[workerCounts.length][reps];
            Timing[][] subject = new Timing[workerCounts.length][reps];
            QueryResult answer = null;
            for (int rep = -warmup; rep < reps; rep++) {
                for (int w = 0; w < workerCounts.length; w++) {
                    int workers = workerCounts[w];
                    boolean floorFirst = ((rep + w) & 1) == 0;
                    Timing floorTiming = null, subjectTiming = null;
                    for (int turn = 0; turn < 2; turn++) {
                        if ((turn == 0) == floorFirst) {
                            floorTiming = timeFloor(talk, workers);
                        } else {
                            Timing.Clock clock = Timing.start();
                            QueryResult result = Tsproc.of(talk.store()).run(job, RunOptions.defaults().withWorkers(workers)).result();
                            subjectTiming = clock.stop();
                            // A record of lists of Doubles: equals compares the doubles' bits.
                            if (answer != null && !answer.equals(result)) {
                                throw new IllegalStateException("the answer changed: " + answer + " then " + result);
                            }
                            answer = result;
                        }
                    }
                    if (rep >= 0) {
                        floor[w][rep] = floorTiming;
                        subject[w][rep] = subjectTiming;
                    }
                }
            }
            QueryResult.Row row = answer.rows().getFirst();
            List<String> values = new ArrayList<>();
            for (Aggregate a : answer.aggregates()) {
                values.add(answer.label(a) + "=" + answer.value(row, a));
            }
            out.printf(Locale.ROOT, "# %s (identical in every run)%n", String.join(", ", values));
            out.printf(Locale.ROOT, "| workers | floor median s | %1$s median s | %1$s/floor (medians) | %1$s/floor (median of per-rep ratios)"
                    + " | floor CPU s | %1$s CPU s | CPU ratio |%n", job.name());
            out.println("|---|---|---|---|---|---|---|---|");
            for (int w = 0; w < workerCounts.length; w++) {
                double[] floorWall = Timing.wall(floor[w]), subjectWall = Timing.wall(subject[w]);
                double[] floorCpu = Timing.cpu(floor[w]), subjectCpu = Timing.cpu(subject[w]);
                double[] ratios = new double[reps];
                for (int r = 0; r < reps; r++) {
                    ratios[r] = subjectWall[r] / floorWall[r];
                }
                out.printf(Locale.ROOT, "| %d | %.4f | %.4f | %.2f | %.2f | %.4f | %.4f | %.2f |%n", workerCounts[w],
                        median(floorWall), median(subjectWall), median(subjectWall) / median(floorWall), median(ratios),
                        median(floorCpu), median(subjectCpu), median(subjectCpu) / median(floorCpu));
            }
            for (int w = 0; w < workerCounts.length; w++) {
                out.printf(Locale.ROOT, "# workers=%d floor s: %s%n# workers=%d %s s: %s%n", workerCounts[w],
                        format(Timing.wall(floor[w])), workerCounts[w], job.name(), format(Timing.wall(subject[w])));
            }
            if (duckdb && job.name().equals("sum")) {
                double[] floorMedians = new double[workerCounts.length];
                for (int w = 0; w < workerCounts.length; w++) {
                    floorMedians[w] = median(Timing.wall(floor[w]));
                }
                duckdb(talk, workerCounts, reps, answer.get(Aggregate.SUM), floorMedians, out);
            }
        }
        return 0;
    }

    private static void duckdb(TalkStore talk, int[] workerCounts, int reps, double answer, double[] floorMedians,
                               PrintStream out) throws Exception {
        try (DuckDbSum duck = DuckDbSum.load(talk.values())) {
            out.printf(Locale.ROOT, "# duckdb: loaded in %.1f s (appender, NaN as NULL)%n", duck.loadSeconds());
            out.println("| workers | duckdb sum median s | duckdb/floor (medians) | duckdb min s |");
            out.println("|---|---|---|---|");
            for (int w = 0; w < workerCounts.length; w++) {
                double[] seconds = new double[reps];
                duck.sum(workerCounts[w]);
                for (int r = 0; r < reps; r++) {
                    long start = System.nanoTime();
                    double value = duck.sum(workerCounts[w]);
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                    if (value != answer) {
                        throw new IllegalStateException("duckdb's sum " + value + " differs from " + answer);
                    }
                }
                out.printf(Locale.ROOT, "| %d | %.4f | %.2f | %.4f |%n", workerCounts[w], median(seconds),
                        median(seconds) / floorMedians[w], min(seconds));
            }
        }
    }

    /** The faster, by wall time, of the two plain sums. */
    private static Timing timeFloor(TalkStore talk, int workers) throws InterruptedException {
        Timing best = null;
        for (Floor.Kind kind : Floor.Kind.values()) {
            Timing.Clock clock = Timing.start();
            double sink = Floor.sum(talk.values(), workers, kind);
            Timing timing = clock.stop();
            if (sink == 42.125) { // never true on this data; keeps the result alive
                System.err.print("");
            }
            if (best == null || timing.wallSeconds() < best.wallSeconds()) {
                best = timing;
            }
        }
        return best;
    }

    static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    private static String format(double[] xs) {
        List<String> parts = new ArrayList<>();
        for (double x : xs) {
            parts.add(String.format(Locale.ROOT, "%.4f", x));
        }
        return String.join(" ", parts);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
