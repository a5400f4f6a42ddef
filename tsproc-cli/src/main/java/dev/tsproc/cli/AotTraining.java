package dev.tsproc.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run from which {@code bin/tsproc} records the JVM's ahead-of-time cache (JEP 483,
 * 514, 515): the classes a run loads and links, and the profiles of its hot methods, so later
 * starts skip that work. A cache holds only what one JVM did, and the CLI does one command per
 * JVM, so this runs the common commands in one JVM: generate a small walk store, query it the
 * ways the docs show, on threads and on worker processes, and run the built-in default dataset;
 * export it as Parquet and Arrow, import both, and query the Parquet file directly.
 *
 * <p>Usage: {@code java -XX:AOTCacheOutput=tsproc.aot -cp tsproc-cli.jar dev.tsproc.cli.AotTraining DIR},
 * with {@code DIR} an empty directory of the caller's that it may fill; the caller removes it.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: AotTraining DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String store = dir.resolve("walk.tsp").toString();
        String parquet = dir.resolve("walk.parquet").toString();
        String arrow = dir.resolve("walk.arrow").toString();
        List<List<String>> commands = List.of(
                List.of("generate", "--rows", "2000000", "--series", "100", "--distribution", "walk",
                        "--missing", "0.05", "--seed", "1", "--out", store, "--quiet"),
                List.of("run", store),
                List.of("run", store, "--agg", "stats", "--by", "series"),
                List.of("run", store, "--agg", "count,mean", "--every", "1m", "--format", "csv"),
                List.of("run", store, "--agg", "stats,p99", "--by", "series", "--every", "1h", "--format", "json"),
                List.of("run", store, "--agg", "stats", "--executor", "processes", "--workers", "1"),
                List.of("run", "--rows", "2000000"),
                List.of("info", store),
                // Files in and queried where they lie: a one-shot import or run spends most of its
                // CPU in code that is cold without these profiles (docs/BENCHMARKS.md, issue 15).
                List.of("export", store, "--format", "parquet", "--out", parquet),
                List.of("export", store, "--format", "arrow", "--out", arrow),
                List.of("import", parquet, "--out", dir.resolve("parquet.tsp").toString(), "--quiet"),
                List.of("import", arrow, "--out", dir.resolve("arrow.tsp").toString(), "--quiet"),
                List.of("run", parquet, "--agg", "stats"),
                List.of("run", parquet, "--agg", "stats", "--by", "series"));
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true);
        PrintWriter err = new PrintWriter(System.err, true);
        for (List<String> command : commands) {
            String[] line = command.toArray(String[]::new);
            int exit = Main.commandLine(discard, err, line).execute(line);
            if (exit != 0) {
                System.err.println("AotTraining: tsproc " + String.join(" ", command) + " exited with " + exit);
                System.exit(1);
            }
        }
    }
}
