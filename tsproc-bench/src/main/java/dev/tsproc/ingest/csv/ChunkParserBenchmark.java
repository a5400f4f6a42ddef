package dev.tsproc.ingest.csv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The parser alone, in one thread, in nanoseconds of thread CPU time per row: the figure that
 * the import's speed work is judged by, since wall-clock time on the shared benchmark machine
 * varies by 2× with other load while CPU time hardly does.
 *
 * <p>Parses the file of {@code bin/bench-import} (1,000 series {@code sensor-000}..{@code
 * sensor-999} at random, timestamps in order 0–2 ms apart, values like {@code -1359.29}),
 * generated in memory, in 8 MiB chunks as the importer cuts it, into reused column buffers.
 * Its peer is DuckDB's {@code read_csv} and its floor reading the same bytes, both measured by
 * the whole import's benchmark ({@code bin/bench-import}); this one isolates the parser.
 *
 * <p>It lives in the parser's package, in the benchmark module, because the parser is
 * package-private: the benchmark module is on the class path, where a package may span jars.
 * Run from the repository root after {@code ./mvnw -q -pl tsproc-bench -am package -DskipTests}:
 * {@snippet lang=sh :
 * java -cp tsproc-bench/target/benchmarks.jar \
 *     dev.tsproc.ingest.csv.ChunkParserBenchmark --rows 10000000 --format epoch --runs 7
 * }
 * Options: {@code --rows N}, {@code --format epoch|iso}, {@code --runs R}, {@code --no-series}
 * (lines {@code timestamp,value}).
 */
public final class ChunkParserBenchmark {
    private static final int CHUNK_BYTES = 8 << 20;
    private static final java.time.format.DateTimeFormatter ISO_MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private ChunkParserBenchmark() {}

    public static void main(String[] args) {
        long rows = 10_000_000;
        boolean iso = false;
        int runs = 7;
        boolean withSeries = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[++i].replace("_", ""));
                case "--format" -> iso = args[++i].equals("iso");
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--no-series" -> withSeries = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment csv = generate(arena, rows, iso, withSeries);
            CsvOptions options = CsvOptions.builder().tsColumn("timestamp")
                    .timestampFormat(iso ? TimestampFormat.ISO : TimestampFormat.epoch(1_000_000)).build();
            List<String> header = withSeries ? List.of("series", "timestamp", "value") : List.of("timestamp", "value");
            CsvLayout layout = CsvLayout.resolve(options, header, header.size());
            ChunkParser parser = new ChunkParser(layout, options, 1);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            double[] nanosPerRow = new double[runs];
            try (ParsedChunk chunk = new ParsedChunk(0, new ColumnBuffers(CHUNK_BYTES / 16, withSeries))) {
                for (int run = 0; run < runs; run++) {
                    long parsedRows = 0;
                    long cpu = threads.getCurrentThreadCpuTime();
                    for (long from = 0; from < csv.byteSize(); ) {
                        long to = Math.min(csv.byteSize(), from + CHUNK_BYTES);
                        while (to < csv.byteSize() && csv.get(ValueLayout.JAVA_BYTE, to - 1) != '\n') {
                            to++;
                        }
                        chunk.rows.reset();
                        if (!parser.parse(chunk, csv, from, to, from, false, () -> false) || chunk.errorCount > 0) {
                            throw new IllegalStateException("the benchmark file has a bad line: " + chunk.errors);
                        }
                        parsedRows += chunk.rows.rowCount();
                        from = to;
                    }
                    nanosPerRow[run] = (threads.getCurrentThreadCpuTime() - cpu) / (double) parsedRows;
                    System.out.printf("run %d: %.1f ns/row, %.0f MB per CPU-s%n", run + 1, nanosPerRow[run],
                            csv.byteSize() / (nanosPerRow[run] * parsedRows) * 1e3);
                }
            }
            double[] sorted = nanosPerRow.clone();
            Arrays.sort(sorted);
            System.out.printf("%s, %,d rows, %.1f bytes a line: median %.1f ns/row, best %.1f%n", iso ? "iso" : "epoch",
                    rows, csv.byteSize() / (double) rows, sorted[runs / 2], sorted[0]);
        }
    }

    private static MemorySegment generate(Arena arena, long rows, boolean iso, boolean withSeries) {
        SplittableRandom random = new SplittableRandom(42);
        long ts = 1_700_000_000_000L;
        StringBuilder text = new StringBuilder();
        MemorySegment out = arena.allocate(rows * 48 + 8);
        long size = 0;
        for (long i = 0; i < rows; i++) {
            ts += random.nextInt(3);
            text.setLength(0);
            if (withSeries) {
                text.append("sensor-").append(String.valueOf(random.nextInt(1000) + 1000), 1, 4).append(',');
            }
            if (iso) {
                ISO_MILLIS.formatTo(java.time.Instant.ofEpochMilli(ts), text);
            } else {
                text.append(ts);
            }
            text.append(',');
            int cents = random.nextInt(-500_000, 500_000);
            text.append(cents < 0 ? "-" : "").append(Math.abs(cents) / 100).append('.')
                    .append(String.valueOf(Math.abs(cents) % 100 + 100), 1, 3).append('\n');
            byte[] line = text.toString().getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(line, 0, out, ValueLayout.JAVA_BYTE, size, line.length);
            size += line.length;
        }
        return out.asSlice(0, size);
    }
}
