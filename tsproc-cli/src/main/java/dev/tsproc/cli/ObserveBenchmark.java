package dev.tsproc.cli;

import java.io.IOException;
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
 * the comparison. Prints medians and the ratio; docs/BENCHMARKS.md records the figures.
 *
 * <pre>
 * STORE=$(bin/tsproc generate --rows 200000000 --shm --quiet)
 * java -cp "tsproc-cli/target/tsproc-cli.jar:tsproc-cli/target/lib/*" \
 *      --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC dev.tsproc.cli.ObserveBenchmark $STORE 15 2>/dev/null
 * rm $STORE
 * </pre>
 */
public final class ObserveBenchmark {
    private ObserveBenchmark() {}

    private static final Pattern ELAPSED = Pattern.compile("rows in ([0-9.]+) s");

    /** The observed run's outputs, removed before each run: tsproc never overwrites a file. */
    private static final List<Path> OUTPUTS = List.of(Path.of("observe-bench.html"), Path.of("observe-bench.json"));

    private static double seconds(String... args) throws IOException {
        for (Path output : OUTPUTS) {
            Files.deleteIfExists(output);
        }
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err)).execute(args);
        Matcher m = ELAPSED.matcher(err.toString());
        if (code != 0 || !m.find()) {
            throw new IllegalStateException(err.toString());
        }
        return Double.parseDouble(m.group(1));
    }

    public static void main(String[] args) throws IOException {
        String store = args[0];
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String[] plain = {"run", store, "--job", "sum", "--quiet"};
        String[] observed = {"run", store, "--job", "sum", "--quiet", "--log", "--report", "observe-bench.html",
                "--timeline", "observe-bench.json"};
        for (int i = 0; i < 3; i++) {
            seconds(plain);
            seconds(observed);
        }
        List<Double> p = new ArrayList<>(), o = new ArrayList<>(), ratios = new ArrayList<>();
        for (int i = 0; i < repetitions; i++) {
            double x, y;
            if (i % 2 == 0) {
                x = seconds(plain);
                y = seconds(observed);
            } else {
                y = seconds(observed);
                x = seconds(plain);
            }
            p.add(x);
            o.add(y);
            ratios.add(y / x);
        }
        Collections.sort(p);
        Collections.sort(o);
        Collections.sort(ratios);
        int mid = repetitions / 2;
        System.out.printf(Locale.ROOT, "plain median %.4f s, observed median %.4f s, ratio of medians %.3f, median per-repetition ratio %.3f%n",
                p.get(mid), o.get(mid), o.get(mid) / p.get(mid), ratios.get(mid));
    }
}
