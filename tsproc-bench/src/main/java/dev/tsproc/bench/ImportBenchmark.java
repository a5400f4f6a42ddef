package dev.tsproc.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * and prints medians and ratios as Markdown tables: of wall-clock time, and of CPU time (user +
 * system, from {@code /usr/bin/time} for the processes and the JVM's process CPU time around
 * DuckDB's query), which other load on the machine barely changes. {@code tsproc import} runs as its own
 * process through {@code bin/tsproc} (JVM start included) and writes to shared memory; DuckDB
 * runs in this JVM through JDBC into an in-memory database. The files are deleted at the end.
 *
 * <p>Run it with {@code bin/bench-import}, which builds the CLI and this module and runs it from
 * {@code tsproc-bench/target/benchmarks.jar} (DuckDB's JDBC driver is on its class path). The
 * CSV is written in a private temporary directory under {@code --dir}. Options: {@code --rows N} (default 100,000,000), {@code --dir D}
 * (default {@code /tmp}), {@code --threads T} (default 2), {@code --runs R} (default 3),
 * {@code --formats epoch,iso}.
 */
public final class ImportBenchmark {
    private ImportBenchmark() {}

    /** One timed run: wall-clock seconds and CPU seconds (user + system) of the tool. */
    private record Timing(double wallSeconds, double cpuSeconds) {}

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
        List<String> cpuTable = new ArrayList<>();
        cpuTable.add("| timestamps | tsproc import CPU | DuckDB CPU | DuckDB CPU / import CPU |");
        cpuTable.add("|---|---:|---:|---:|");
        // A private directory (0700, random name): in a shared /tmp nobody can plant a link where the CSV is written.
        Path work = Files.createTempDirectory(dir, "tsproc-import-bench-");
        try {
            for (String format : formats) {
                Path csv = work.resolve(format + ".csv");
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
                    Timing[] cat = new Timing[runs];
                    Timing[] tsproc = new Timing[runs];
                    Timing[] duckdb = new Timing[runs];
                    for (int r = 0; r < runs; r++) {
                        cat[r] = cat(csv);
                        tsproc[r] = tsprocImport(csv, format, threads);
                        duckdb[r] = duckdb(csv, threads);
                        System.out.printf(Locale.ROOT, "  run %d (load %s): cat %s, tsproc import %s, DuckDB %s%n", r + 1,
                                Files.readString(Path.of("/proc/loadavg")).split(" ")[0], show(cat[r]), show(tsproc[r]), show(duckdb[r]));
                    }
                    double c = median(cat, false);
                    double t = median(tsproc, false);
                    double d = median(duckdb, false);
                    double tCpu = median(tsproc, true);
                    double dCpu = median(duckdb, true);
                    String name = format.equals("iso") ? "ISO-8601 (ms)" : "epoch ms";
                    table.add(String.format(Locale.ROOT, "| %s | %,.2f GB | %.2f s, %,.0f MB/s | %.2f s, %,.0f MB/s | %.2f s, %,.0f MB/s | %.2f× | %.2f× |",
                            name, bytes / 1e9, c, bytes / 1e6 / c, t, bytes / 1e6 / t, d, bytes / 1e6 / d, d / t, c / t));
                    cpuTable.add(String.format(Locale.ROOT, "| %s | %.1f s, %,.0f MB/s | %.1f s, %,.0f MB/s | %.2f× |",
                            name, tCpu, bytes / 1e6 / tCpu, dCpu, bytes / 1e6 / dCpu, dCpu / tCpu));
                } finally {
                    Files.deleteIfExists(csv);
                }
            }
        } finally {
            Files.delete(work);
        }
        System.out.printf(Locale.ROOT, "%nmedians of %d runs, %d threads, %,d rows; speeds are bytes of CSV per second%n",
                runs, threads, rows);
        System.out.println("\nwall clock (bytes of CSV per wall second):");
        table.forEach(System.out::println);
        System.out.println("\nCPU time, user + system (bytes of CSV per CPU second; independent of other load):");
        cpuTable.forEach(System.out::println);
    }

    private static Timing cat(Path csv) throws Exception {
        return timed(new ProcessBuilder("cat", csv.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD), "cat");
    }

    /** Runs {@code command} under /usr/bin/time for its CPU seconds. */
    private static Timing timed(ProcessBuilder command, String what) throws Exception {
        Path times = Files.createTempFile("tsproc-bench-time", ".txt");
        try {
            List<String> wrapped = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S", "-o", times.toString()));
            wrapped.addAll(command.command());
            command.command(wrapped).redirectError(ProcessBuilder.Redirect.INHERIT);
            long start = System.nanoTime();
            int code = command.start().waitFor();
            double wall = (System.nanoTime() - start) / 1e9;
            if (code != 0) {
                throw new IOException(what + " failed with exit code " + code);
            }
            String[] cpu = Files.readString(times).strip().split("\\s+");
            return new Timing(wall, Double.parseDouble(cpu[cpu.length - 2]) + Double.parseDouble(cpu[cpu.length - 1]));
        } finally {
            Files.deleteIfExists(times);
        }
    }

    private static String show(Timing t) {
        return String.format(Locale.ROOT, "%.2f s (%.1f CPU s)", t.wallSeconds(), t.cpuSeconds());
    }

    private static Timing tsprocImport(Path csv, String format, int threads) throws Exception {
        Path out = Files.createTempFile("tsproc-bench-store", ".path");
        try {
            Timing timing = timed(new ProcessBuilder("bin/tsproc", "import", csv.toString(), "--shm", "--threads", "" + threads,
                    "--ts-col", "timestamp", "--ts-format", format.equals("iso") ? "iso" : "epoch-ms")
                    .redirectOutput(out.toFile()), "tsproc import");
            Files.delete(Path.of(Files.readString(out).strip()));
            return timing;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Timing duckdb(Path csv, int threads) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET threads=" + threads);
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            sql.execute("CREATE TABLE t AS SELECT * FROM read_csv('" + csv.toString().replace("'", "''") + "')");
            Timing timing = new Timing((System.nanoTime() - start) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9);
            sql.execute("DROP TABLE t");
            return timing;
        }
    }

    private static double median(Timing[] timings, boolean cpu) {
        double[] sorted = Arrays.stream(timings).mapToDouble(t -> cpu ? t.cpuSeconds() : t.wallSeconds()).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Writes the benchmark CSV; about 30 ns a row. */
    static void generate(Path csv, long rows, boolean iso) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        long ts = 1_700_000_000_000L;
        byte[] line = new byte[64];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(csv, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), 1 << 20)) {
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
