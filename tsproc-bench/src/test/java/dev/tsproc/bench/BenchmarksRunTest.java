package dev.tsproc.bench;

import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.ingest.csv.ChunkParserBenchmark;
import dev.tsproc.ingest.csv.CsvImporter;
import dev.tsproc.ingest.csv.CsvOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the benchmarks that are main classes runnable: a tiny run of each, not a measurement. */
class BenchmarksRunTest {
    @TempDir
    Path dir;

    private static String run(ThrowingMain main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private interface ThrowingMain {
        void run() throws Exception;
    }

    @Test
    @Timeout(120)
    void chunkParserBenchmark() throws Exception {
        assertThat(run(() -> ChunkParserBenchmark.main(new String[] {"--rows", "20000", "--runs", "1"})))
                .contains("20,000 rows").contains("ns/row");
    }

    @Test
    @Timeout(120)
    void queryBenchmark() throws Exception {
        assertThat(run(() -> QueryBenchmark.main(new String[] {"rows=20000", "series=10", "threads=1", "reps=1", "warmups=1",
                "duckdb=false"}))).contains("(a) whole-column stats");
    }

    @Test
    @Timeout(300)
    void latencyBench() throws Exception {
        String report = run(() -> LatencyBench.main(new String[] {"--rows", "100000", "--repeats", "1"}));
        assertThat(report.lines().filter(l -> l.startsWith("BENCH "))).hasSize(5);
        assertThat(report).contains("crash detection").contains("hang detection");
    }

    @Test
    @Timeout(120)
    void observeBenchmark() throws Exception {
        Path store = dir.resolve("s.tsp");
        Generator.generate(GeneratorSpec.talk(100_000), store, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ObserveBenchmark.run(store.toString(), 1, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("plain median").contains("ratio of medians");
        try (var left = Files.list(dir)) {
            assertThat(left).containsExactly(store);
        }
    }

    /** The import benchmark runs bin/tsproc and DuckDB on gigabytes; its file, at least, must stay importable. */
    @Test
    @Timeout(120)
    void importBenchmarksFilesImport() throws Exception {
        for (boolean iso : new boolean[] {false, true}) {
            Path csv = dir.resolve(iso + ".csv");
            ImportBenchmark.generate(csv, 10_000, iso);
            var result = CsvImporter.importFile(csv, dir.resolve(iso + ".tsp"),
                    CsvOptions.builder().tsColumn("timestamp").build());
            assertThat(result.rows()).isEqualTo(10_000);
            assertThat(result.series()).isGreaterThan(900);
        }
    }
}
