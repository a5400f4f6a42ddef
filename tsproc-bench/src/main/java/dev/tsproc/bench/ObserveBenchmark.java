package dev.tsproc.bench;

import dev.tsproc.cli.Main;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of observing a run: {@code tsproc run STORE --job sum} with and without
 * {@code --log --report --timeline}, alternated in one JVM so start-up and JIT warm-up are out of
 * the comparison. The plain run is the floor; there is no peer (the talk's program has no such
 * views). Prints medians and the ratio; docs/BENCHMARKS.md records the figures. The report and
 * timeline go to a private temporary directory, removed at the end.
 *
 * <pre>
 * ./mvnw -q -pl tsproc-bench -am package -DskipTests
 * STORE=$(bin/tsproc generate --rows 200000000 --shm --quiet)
 * java -cp tsproc-bench/target/benchmarks.jar --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
 *      dev.tsproc.bench.ObserveBenchmark $STORE 15 2>/dev/null
 * rm $STORE
 * </pre>
 */
public final class ObserveBenchmark {
    private ObserveBenchmark() {}

    private static final Pattern ELAPSED = Pattern.compile("rows in ([0-9.]+) s");

    /** Runs the command line {@code args} in this JVM and returns the run's own elapsed seconds. */
    private static double seconds(List<String> args) {
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err)).execute(args.toArray(String[]::new));
        Matcher m = ELAPSED.matcher(err.toString());
        if (code != 0 || !m.find()) {
            throw new IllegalStateException(err.toString());
        }
        return Double.parseDouble(m.group(1));
    }

    public static void main(String[] args) throws IOException {
        run(args[0], args.length > 1 ? Integer.parseInt(args[1]) : 15, System.out);
    }

    /** Measures {@code repetitions} alternating pairs after three warm-up pairs and prints the result to {@code out}. */
    static void run(String store, int repetitions, PrintStream out) throws IOException {
        Path dir = Files.createTempDirectory("tsproc-observe-bench-");
        Path report = dir.resolve("run.html");
        Path timeline = dir.resolve("run.json");
        try {
            List<String> plain = List.of("run", store, "--job", "sum");
            List<String> observed = List.of("run", store, "--job", "sum", "--log", "--report", report.toString(),
                    "--timeline", timeline.toString());
            List<Double> p = new ArrayList<>(), o = new ArrayList<>(), ratios = new ArrayList<>();
            for (int i = -3; i < repetitions; i++) {
                Files.deleteIfExists(report); // tsproc never overwrites a file
                Files.deleteIfExists(timeline);
                double x, y;
                if (i % 2 == 0) {
                    x = seconds(plain);
                    y = seconds(observed);
                } else {
                    y = seconds(observed);
                    x = seconds(plain);
                }
                if (i >= 0) { // the first three pairs warm up
                    p.add(x);
                    o.add(y);
                    ratios.add(y / x);
                }
            }
            Collections.sort(p);
            Collections.sort(o);
            Collections.sort(ratios);
            int mid = repetitions / 2;
            out.printf(Locale.ROOT, "plain median %.4f s, observed median %.4f s, ratio of medians %.3f, median per-repetition ratio %.3f%n",
                    p.get(mid), o.get(mid), o.get(mid) / p.get(mid), ratios.get(mid));
        } finally {
            Files.deleteIfExists(report);
            Files.deleteIfExists(timeline);
            Files.delete(dir);
        }
    }
}
