package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.testkit.Await;
import dev.tsproc.testkit.Python;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tsproc run} on Parquet and Arrow files (issue 15.2): the same answers as importing them
 * first, on threads and worker processes; the load time apart; nothing left in shared memory
 * after success, a bad file or Ctrl-C.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RunFilesCommandTest {
    @TempDir
    static Path dir;

    /**
     * A file of several row groups with nanosecond timestamps, a dictionary-encoded series and
     * missing values; a directory of two files whose times interleave; an Arrow file.
     */
    private static final String WRITE = """
            import os
            import numpy as np, pyarrow as pa, pyarrow.parquet as pq, pyarrow.ipc as ipc
            rng = np.random.default_rng(3)
            n = 30000
            ts = 1_700_000_000_000_000_000 + np.sort(rng.integers(0, 10**12, n))
            names = pa.array(["alpha", "beta", "gamma", "delta", "eps"])
            series = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 5, n).astype(np.int32)), names)
            values = pa.array(np.cumsum(rng.normal(0, 1, n)), mask=rng.random(n) < 0.05)
            table = pa.table({"ts": pa.array(ts, pa.timestamp("ns", "UTC")), "value": values, "series": series})
            pq.write_table(table, "one.parquet", row_group_size=7000)
            os.mkdir("days")
            pq.write_table(table.take(np.arange(0, n, 2)), "days/a.parquet")
            pq.write_table(table.take(np.arange(1, n, 2)), "days/b.parquet")
            with ipc.new_file("one.arrow", table.schema) as w:
                w.write_table(table, max_chunksize=9000)
            """;

    @BeforeAll
    static void writeFiles() throws Exception {
        Python.run(dir, WRITE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"one.parquet", "days", "one.arrow"})
    void answersEqualImportThenRunOnThreadsAndProcesses(String source) {
        Path input = dir.resolve(source);
        Path store = dir.resolve(source.replace('.', '-') + ".tsp");
        Cli imported = Cli.run("import", input.toString(), "--out", store.toString(), "--quiet");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        // The last job's range leaves out most row groups of one.parquet, which a load skips by their statistics.
        for (List<String> job : List.of(List.<String>of(), List.of("--by", "series"),
                List.of("--agg", "stats", "--from", "2023-11-14T22:18:00Z", "--to", "2023-11-14T22:22:00Z"))) {
            List<String> common = new ArrayList<>(job);
            common.addAll(List.of("--workers", "2", "--batch-rows", "4096", "--format", "csv"));
            Cli expected = run(store, common);
            assertThat(expected.exitCode()).as(expected.err()).isZero();
            for (String executor : List.of("threads", "processes")) {
                List<String> options = new ArrayList<>(common);
                options.addAll(List.of("--executor", executor));
                Cli direct = run(input, options);
                assertThat(direct.exitCode()).as(direct.err()).isZero();
                assertThat(direct.out()).as("%s %s", source, options).isEqualTo(expected.out()).isNotBlank();
                // The range holds 7,219 rows; of one.parquet's five row groups of 7,000 rows, two may hold some.
                boolean ranged = job.contains("--from");
                String loaded = ranged && source.equals("one.parquet") ? "14,000" : "30,000";
                assertThat(direct.err()).contains("loaded " + loaded + " rows of " + input + " into shared memory in ")
                        .containsPattern("over " + (ranged ? "7,219" : "30,000") + " rows in .*; files loaded before in \\d+\\.\\d{3} s");
                assertThat(expected.err()).doesNotContain("loaded");
            }
        }
    }

    private static Cli run(Path file, List<String> options) {
        List<String> args = new ArrayList<>(List.of("run", file.toString()));
        args.addAll(options);
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void theTimelineAndReportShowTheLoadApartFromTheRun() throws Exception {
        Path timeline = dir.resolve("load.json");
        Path report = dir.resolve("load.html");
        Cli run = Cli.run("run", dir.resolve("days").toString(), "--quiet", "--timeline", timeline.toString(),
                "--report", report.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(timeline)).containsPattern("\"loadNanos\":[1-9]\\d*");
        assertThat(Files.readString(report)).containsPattern("files loaded in \\d+\\.\\d{3} s, wall time");
        Cli again = Cli.run("report", timeline.toString(), "--out", dir.resolve("again.html").toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(Files.readString(dir.resolve("again.html"))).contains("files loaded in ");
    }

    @Test
    void columnOptionsApplyToFilesOnlyAndCsvIsToBeImportedFirst() throws Exception {
        Cli store = Cli.run("run", dir.resolve("one-parquet.tsp").toString(), "--series-col", "series");
        assertThat(store.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(store.err()).contains("--series-col applies to Parquet and Arrow files only");
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "ts,value\n1,2\n");
        Cli text = Cli.run("run", csv.toString());
        assertThat(text.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(text.oneLineError()).as(text.err()).isTrue();
        assertThat(text.err()).contains(csv + " looks like CSV, which run does not read; import it first: tsproc import " + csv);
        Cli column = Cli.run("run", dir.resolve("one.parquet").toString(), "--value-col", "price");
        assertThat(column.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(column.oneLineError()).as(column.err()).isTrue();
        assertThat(column.err()).contains("--value-col 'price' is not a column of the file");
    }

    /** Real CLI processes in a shared-memory directory of this test's own, so other runs cannot confuse it. */
    @Test
    void nothingIsLeftInSharedMemoryAfterSuccessABadFileOrCtrlC() throws Exception {
        Path shm = Files.createTempDirectory(SharedSegments.root(), "run-files-test-");
        Path log = Files.createTempFile("tsproc-run-files", ".log");
        Path marks = Files.createTempDirectory("tsproc-run-files-marks");
        try {
            Process ok = SignalTest.cli(shm, log, "run", dir.resolve("one.parquet").toString(), "--executor", "processes",
                    "--workers", "2", "--quiet");
            assertThat(ok.waitFor()).as(Files.readString(log)).isZero();
            assertEmpty(shm, log);

            Path cut = dir.resolve("cut.parquet");
            byte[] bytes = Files.readAllBytes(dir.resolve("one.parquet"));
            Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
            Process bad = SignalTest.cli(shm, log, "run", cut.toString());
            assertThat(bad.waitFor()).as(Files.readString(log)).isEqualTo(ExitCodes.FAILED);
            // The JVM's own warnings aside (the launcher enables native access, this bare java does not): one sentence.
            assertThat(Files.readString(log).lines().filter(line -> !line.isBlank() && !line.startsWith("WARNING:")))
                    .singleElement().asString().startsWith("tsproc: " + cut + ": it is not a Parquet file");
            assertEmpty(shm, log);

            // The run cannot end before the signal: its second batch hangs.
            Process interrupted = SignalTest.cli(shm, log, "run", dir.resolve("days").toString(), "--batch-rows", "4096",
                    "--workers", "1", "--job", FaultJob.class.getName(), "--param", "hang=1", "--param", "marks=" + marks);
            Await.file(marks.resolve("batch-1"));
            assertThat(interrupted.isAlive()).as("still working when signalled: %s", Files.readString(log)).isTrue();
            new ProcessBuilder("kill", "-INT", Long.toString(interrupted.pid())).start().waitFor();
            assertThat(interrupted.waitFor()).as(Files.readString(log)).isEqualTo(130);
            assertThat(Files.readString(log)).contains("loaded 30,000 rows of " + dir.resolve("days"));
            assertEmpty(shm, log);
        } finally {
            try (Stream<Path> files = Files.list(marks)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(marks);
            Files.deleteIfExists(log);
            Files.deleteIfExists(shm);
        }
    }

    private static void assertEmpty(Path shm, Path log) throws Exception {
        try (Stream<Path> left = Files.list(shm)) {
            assertThat(left).as("shared memory left behind; log: %s", Files.readString(log)).isEmpty();
        }
    }
}
