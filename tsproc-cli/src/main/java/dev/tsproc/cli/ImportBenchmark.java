package dev.tsproc.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The CSV import benchmark: {@code tsproc import} side by side with reading the file
 * ({@code cat FILE > /dev/null}, the floor) and DuckDB's {@code read_csv} into a table with the
 * same number of threads, on the same file from the page cache, in one run.
 *
 * <p>It writes a CSV of {@code --rows} rows {@code series,timestamp,value} (1,000 series named
 * {@code sensor-000} .. {@code sensor-999}, timestamps in time order 0-2 ms apart, values with
 * two decimals such as {@code -1359.29}) with epoch-millisecond or ISO-8601 timestamps, reads it
 * once to warm the page cache, then interleaves {@code --runs} rounds of cat, import and DuckDB,
 * and prints medians and ratios as a Markdown table. {@code tsproc import} runs as its own
 * process through {@code bin/tsproc} (JVM start included) and writes to shared memory; DuckDB
 * runs in this JVM through JDBC into an in-memory database. The files are deleted at the end.
 *
 * <p>Run it with {@code bin/bench-import} (which fetches {@code org.duckdb:duckdb_jdbc} with
 * Maven and puts it on the class path); DuckDB is found through JDBC at run time, so it is not
 * a dependency of the CLI. Options: {@code --rows N} (default 100,000,000), {@code --dir D}
 * (default {@code /tmp}), {@code --threads T} (default 2), {@code --runs R} (default 3),
 * {@code --formats epoch,iso}.
 */
public final class ImportBenchmark {
    private ImportBenchmark() {}

    public static void main(String[] args) throws Exception {
        long rows = 100_000_000L;
        Path dir = Path.of("/tmp");
        int threads = 2;
        int runs = 3;
        List<String> formats = List.of("epoch", "iso");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[i + 1].replace("_", ""));
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--formats" -> formats = List.of(args[i + 1].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Class.forName("org.duckdb.DuckDBDriver");
        System.out.printf(Locale.ROOT, "machine: %d cores, load %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip(), Runtime.version());
        List<String> table = new ArrayList<>();
        table.add("| timestamps | file | cat (floor) | tsproc import | DuckDB read_csv | import / DuckDB | import / cat |");
        table.add("|---|---:|---:|---:|---:|---:|---:|");
        for (String format : formats) {
            Path csv = dir.resolve("tsproc-bench-" + format + ".csv");
            try {
                long needed = rows * (format.equals("iso") ? 44 : 33);
                if (Files.getFileStore(dir).getUsableSpace() < needed * 2) {
                    throw new IOException(dir + " has less than twice the " + needed / 1e9 + " GB the file needs");
                }
                long start = System.nanoTime();
                generate(csv, rows, format.equals("iso"));
                long bytes = Files.size(csv);
                System.out.printf(Locale.ROOT, "%s: wrote %,d rows, %,.2f GB in %.1f s%n", format, rows, bytes / 1e9,
                        (System.nanoTime() - start) / 1e9);
                cat(csv); // warm the page cache
                double[] cat = new double[runs];
                double[] tsproc = new double[runs];
                double[] duckdb = new double[runs];
                for (int r = 0; r < runs; r++) {
                    cat[r] = cat(csv);
                    tsproc[r] = tsprocImport(csv, format, threads);
                    duckdb[r] = duckdb(csv, threads);
                    System.out.printf(Locale.ROOT, "  run %d: cat %.2f s, tsproc import %.2f s, DuckDB %.2f s%n",
                            r + 1, cat[r], tsproc[r], duckdb[r]);
                }
                double c = median(cat);
                double t = median(tsproc);
                double d = median(duckdb);
                table.add(String.format(Locale.ROOT, "| %s | %,.2f GB | %.2f s, %,.0f MB/s | %.2f s, %,.0f MB/s | %.2f s, %,.0f MB/s | %.2f× | %.2f× |",
                        format.equals("iso") ? "ISO-8601 (ms)" : "epoch ms", bytes / 1e9, c, bytes / 1e6 / c,
                        t, bytes / 1e6 / t, d, bytes / 1e6 / d, d / t, c / t));
            } finally {
                Files.deleteIfExists(csv);
            }
        }
        System.out.printf(Locale.ROOT, "%nmedians of %d runs, %d threads, %,d rows; speeds are bytes of CSV per second%n",
                runs, threads, rows);
        table.forEach(System.out::println);
    }

    private static double cat(Path csv) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("cat", csv.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException("cat failed");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double tsprocImport(Path csv, String format, int threads) throws Exception {
        Path out = Files.createTempFile("tsproc-bench-store", ".path");
        try {
            long start = System.nanoTime();
            Process p = new ProcessBuilder("bin/tsproc", "import", csv.toString(), "--shm", "--threads", "" + threads,
                    "--ts-col", "timestamp", "--ts-format", format.equals("iso") ? "iso" : "epoch-ms")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int code = p.waitFor();
            double seconds = (System.nanoTime() - start) / 1e9;
            String store = Files.readString(out).strip();
            if (code != 0 || store.isEmpty()) {
                throw new IOException("tsproc import failed with exit code " + code);
            }
            Files.delete(Path.of(store));
            return seconds;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static double duckdb(Path csv, int threads) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET threads=" + threads);
            long start = System.nanoTime();
            sql.execute("CREATE TABLE t AS SELECT * FROM read_csv('" + csv.toString().replace("'", "''") + "')");
            double seconds = (System.nanoTime() - start) / 1e9;
            sql.execute("DROP TABLE t");
            return seconds;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Writes the benchmark CSV; about 30 ns a row. */
    static void generate(Path csv, long rows, boolean iso) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        long ts = 1_700_000_000_000L;
        byte[] line = new byte[64];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(csv), 1 << 20)) {
            out.write("series,timestamp,value\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            int[] civil = null;
            long civilDay = Long.MIN_VALUE;
            for (long i = 0; i < rows; i++) {
                ts += random.nextInt(3);
                int n = 0;
                for (byte b : SENSOR) {
                    line[n++] = b;
                }
                int series = random.nextInt(1000);
                line[n++] = (byte) ('0' + series / 100);
                line[n++] = (byte) ('0' + series / 10 % 10);
                line[n++] = (byte) ('0' + series % 10);
                line[n++] = ',';
                if (iso) {
                    long day = Math.floorDiv(ts, 86_400_000L);
                    if (day != civilDay) {
                        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
                        civil = new int[] {date.getYear(), date.getMonthValue(), date.getDayOfMonth()};
                        civilDay = day;
                    }
                    long ms = Math.floorMod(ts, 86_400_000L);
                    n = digits(line, n, civil[0], 4);
                    line[n++] = '-';
                    n = digits(line, n, civil[1], 2);
                    line[n++] = '-';
                    n = digits(line, n, civil[2], 2);
                    line[n++] = 'T';
                    n = digits(line, n, ms / 3_600_000, 2);
                    line[n++] = ':';
                    n = digits(line, n, ms / 60_000 % 60, 2);
                    line[n++] = ':';
                    n = digits(line, n, ms / 1000 % 60, 2);
                    line[n++] = '.';
                    n = digits(line, n, ms % 1000, 3);
                    line[n++] = 'Z';
                } else {
                    n = digits(line, n, ts, 13);
                }
                line[n++] = ',';
                int cents = random.nextInt(-500_000, 500_000);
                if (cents < 0) {
                    line[n++] = '-';
                    cents = -cents;
                }
                String whole = Integer.toString(cents / 100);
                for (int k = 0; k < whole.length(); k++) {
                    line[n++] = (byte) whole.charAt(k);
                }
                line[n++] = '.';
                n = digits(line, n, cents % 100, 2);
                line[n++] = '\n';
                out.write(line, 0, n);
            }
        }
    }

    private static final byte[] SENSOR = "sensor-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static int digits(byte[] line, int at, long value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            line[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }
}
