package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.testkit.Python;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.tsproc.cli.ImportExportCommandTest.tsproc;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code tsproc import} of Parquet and Arrow input, and export as Arrow, through the command line: exit codes and messages. */
class ParquetImportCommandTest {
    @TempDir
    Path dir;

    private static final String WRITE = """
            import pyarrow as pa, pyarrow.parquet as pq
            for day in range(2):
                ts = [(day * 86400 + i) * 1000 for i in range(100)]
                pq.write_table(pa.table({"time": pa.array(ts, pa.int64()), "value": [float(i) for i in range(100)],
                                         "sensor": [f"s{i % 3}" for i in range(100)]}), f"days/day{day}.parquet")
            """;

    @Test
    void importsADirectoryWithColumnOptionsAndExportsIt() throws Exception {
        Files.createDirectory(dir.resolve("days"));
        Python.run(dir, WRITE);
        Path store = dir.resolve("s.tsp");
        ImportExportCommandTest.Run run = tsproc("import", dir.resolve("days").toString(), "--out", store.toString(),
                "--series-col", "sensor", "--ts-format", "epoch-ms", "--threads", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo(store.toString());
        assertThat(run.err()).contains("imported 200 rows of 3 series from 2 Parquet files (2 row groups)");
        ImportExportCommandTest.Run export = tsproc("export", store.toString());
        assertThat(export.out()).startsWith("series,ts,value\ns0,0,0\ns1,1000000000,1\n");

        ImportExportCommandTest.Run glob = tsproc("import", dir.resolve("days").toString() + "/day1.*", "--out",
                dir.resolve("g.tsp").toString(), "--series-col", "sensor");
        assertThat(glob.exitCode()).as(glob.err()).isZero();
        assertThat(glob.err()).contains("imported 100 rows of 3 series from 1 Parquet file", "note: every timestamp is before 1973");
    }

    private static final String UNITS = """
            import pyarrow as pa, pyarrow.parquet as pq, pyarrow.ipc as ipc
            for name, first in [("a-ms", 1_700_000_000_000), ("b-s", 1_700_000_100), ("c-ms", 1_700_000_200_000)]:
                t = pa.table({"time": pa.array([first, first + 1], pa.int64()), "value": [1.0, 2.0]})
                pq.write_table(t, f"units/{name}.parquet")
                with ipc.new_file(f"{name}.arrow", t.schema) as w:
                    w.write_table(t)
            """;

    @Test
    void plainIntegerTimestampsInTheUnitTheirMagnitudeTellsWithANote() throws Exception {
        Files.createDirectory(dir.resolve("units"));
        Python.run(dir, UNITS);
        Path units = dir.resolve("units");
        ImportExportCommandTest.Run one = tsproc("import", units.resolve("a-ms.parquet").toString(),
                "--out", dir.resolve("a.tsp").toString());
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(one.err()).contains("timestamps read as epoch-ms, as their magnitude tells; --ts-format says otherwise")
                .doesNotContain("note:");
        assertThat(tsproc("export", dir.resolve("a.tsp").toString()).out()).isEqualTo("ts,value\n1700000000000000000,1\n1700000000001000000,2\n");

        ImportExportCommandTest.Run arrow = tsproc("import", dir.resolve("b-s.arrow").toString(), "--out", dir.resolve("b.tsp").toString());
        assertThat(arrow.exitCode()).as(arrow.err()).isZero();
        assertThat(arrow.err()).contains("timestamps read as epoch-s, as their magnitude tells; --ts-format says otherwise");

        ImportExportCommandTest.Run all = tsproc("import", units.toString(), "--out", dir.resolve("all.tsp").toString());
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(all.err()).contains(units.resolve("a-ms.parquet") + ": timestamps read as epoch-ms, as",
                units.resolve("b-s.parquet") + ": timestamps read as epoch-s, as", units.resolve("c-ms.parquet") + ": timestamps read as epoch-ms, as");
        assertThat(tsproc("export", dir.resolve("all.tsp").toString()).out()).isEqualTo("ts,value\n1700000000000000000,1\n"
                + "1700000000001000000,2\n1700000100000000000,1\n1700000101000000000,2\n1700000200000000000,1\n1700000200001000000,2\n");
    }

    @Test
    void badInputIsOneSentenceAndExitCodeOneWrongOptionsExitCodeTwo() throws Exception {
        Files.createDirectory(dir.resolve("days"));
        Python.run(dir, WRITE);
        ImportExportCommandTest.Run missing = tsproc("import", dir.resolve("days").toString(), "--out", dir.resolve("m.tsp").toString(),
                "--value-col", "price");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.err().strip()).isEqualTo("tsproc: " + dir.resolve("days/day0.parquet")
                + ": --value-col 'price' is not a column of the file (columns: time, value, sensor); nothing was imported."
                + " (--verbose shows details)");
        Path cut = dir.resolve("cut.parquet");
        byte[] bytes = Files.readAllBytes(dir.resolve("days/day0.parquet"));
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        ImportExportCommandTest.Run truncated = tsproc("import", cut.toString(), "--out", dir.resolve("t.tsp").toString());
        assertThat(truncated.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(truncated.err()).startsWith("tsproc: " + cut + ": it is not a Parquet file, or it is damaged or cut short")
                .hasLineCount(1);
        ImportExportCommandTest.Run csvOption = tsproc("import", dir.resolve("days").toString(), "--out", dir.resolve("c.tsp").toString(),
                "--delimiter", ";");
        assertThat(csvOption.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(csvOption.err()).contains("--delimiter applies to CSV input only");
        ImportExportCommandTest.Run noMatch = tsproc("import", dir.resolve("days").toString() + "/*.pq", "--out", dir.resolve("n.tsp").toString());
        assertThat(noMatch.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(noMatch.err()).contains("*.pq: matches no file");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("days", "cut.parquet");
        }
    }

    @Test
    void exportsArrowAndImportsItBackToTheSameStore() throws Exception {
        Path store = dir.resolve("s.tsp");
        assertThat(tsproc("generate", "--rows", "5000", "--series", "4", "--distribution", "walk", "--missing", "0.1",
                "--out", store.toString()).exitCode()).isZero();
        ImportExportCommandTest.Run noOut = tsproc("export", store.toString(), "--format", "arrow");
        assertThat(noOut.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noOut.err()).contains("--format arrow needs --out FILE");
        Path arrow = dir.resolve("s.arrow");
        ImportExportCommandTest.Run export = tsproc("export", store.toString(), "--format", "arrow", "--out", arrow.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("exported 5,000 rows to " + arrow);
        Path back = dir.resolve("back.tsp");
        ImportExportCommandTest.Run imported = tsproc("import", arrow.toString(), "--out", back.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.err()).contains("imported 5,000 rows of 4 series from an Arrow file (1 record batch)");
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(store));
        ImportExportCommandTest.Run again = tsproc("export", store.toString(), "--format", "arrow", "--out", arrow.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains(arrow + " already exists");
    }
}
