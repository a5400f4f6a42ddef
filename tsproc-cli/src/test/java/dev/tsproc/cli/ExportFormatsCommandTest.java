package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.testkit.Python;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files for other tools from the CLI: {@code tsproc export --format parquet}, whose file imports
 * back to the same store; and {@code tsproc run --format arrow|parquet --out F}, whose files
 * pyarrow reads to the same answer as {@code --format csv}; the options' usage errors.
 */
class ExportFormatsCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportsParquetAndImportsItBackToTheSameStore() throws Exception {
        Path store = dir.resolve("s.tsp");
        assertThat(Cli.run("generate", "--rows", "5000", "--series", "4", "--distribution", "walk", "--missing", "0.1",
                "--out", store.toString()).exitCode()).isZero();
        Path parquet = dir.resolve("s.parquet");
        Cli export = Cli.run("export", store.toString(), "--format", "parquet", "--codec", "zstd", "--out", parquet.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("exported 5,000 rows to " + parquet);
        Path back = dir.resolve("back.tsp");
        Cli imported = Cli.run("import", parquet.toString(), "--out", back.toString(), "--quiet");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(store));

        Cli again = Cli.run("export", store.toString(), "--format", "parquet", "--out", parquet.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains(parquet + " already exists");
        assertThat(again.oneLineError()).isTrue();
        String[][] usage = {
                {"--format", "parquet"}, // no --out
                {"--format", "parquet", "--codec", "lz4", "--out", dir.resolve("x.parquet").toString()},
                {"--codec", "zstd", "--out", dir.resolve("x.csv").toString()},
                {"--format", "orc", "--out", dir.resolve("x.orc").toString()},
        };
        String[] says = {"--format parquet needs --out FILE", "unknown --codec 'lz4'; choose none, snappy or zstd",
                "--codec applies to --format parquet only", "unknown --format 'orc'; choose csv, arrow or parquet"};
        for (int i = 0; i < usage.length; i++) {
            String[] args = Stream.concat(Stream.of("export", store.toString()), Stream.of(usage[i])).toArray(String[]::new);
            Cli wrong = Cli.run(args);
            assertThat(wrong.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
            assertThat(wrong.err()).contains(says[i]);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("s.tsp", "s.parquet", "back.tsp");
        }
    }

    /**
     * Compares each (csv, binary) pair of files named in argv: the header is the column names,
     * every cell the same value — series names as text, buckets as instants, counts as int64,
     * other aggregates as doubles with the same bits and NaN as null — and the column types are
     * those promised; Polars and DuckDB read each Parquet file to the same number of rows.
     */
    private static final String COMPARE = """
            import csv, sys, math, datetime
            import pyarrow as pa, pyarrow.parquet as pq, pyarrow.ipc as ipc, polars as pl, duckdb
            args = sys.argv[1:]
            for text, binary in zip(args[::2], args[1::2]):
                with open(text, newline="", encoding="utf-8") as f:
                    rows = list(csv.reader(f))
                header, rows = rows[0], rows[1:]
                t = ipc.open_file(binary).read_all() if binary.endswith(".arrow") else pq.read_table(binary)
                assert t.column_names == header, (binary, t.column_names, header)
                assert t.num_rows == len(rows), (binary, t.num_rows, len(rows))
                for name in header:
                    col = t.column(name)
                    kind = str(col.type)
                    if name == "series":
                        assert kind in ("string", "dictionary<values=string, indices=int32, ordered=0>"), (binary, kind)
                    elif name == "bucket":
                        assert kind == "timestamp[ns, tz=UTC]", (binary, kind)
                    elif name in ("count", "missing"):
                        assert kind == "int64" and col.null_count == 0, (binary, name, kind)
                    else:
                        assert kind == "double", (binary, name, kind)
                    c = header.index(name)
                    got = col.cast(pa.int64()).to_pylist() if name == "bucket" else col.to_pylist()
                    for r, (cell, value) in enumerate(zip((row[c] for row in rows), got)):
                        if name == "series":
                            ok = cell == value
                        elif name == "bucket":
                            instant = datetime.datetime.fromisoformat(cell.replace("Z", "+00:00"))
                            ok = int(instant.timestamp()) * 10**9 == value and instant.microsecond == 0
                        elif name in ("count", "missing"):
                            ok = int(cell) == value
                        else:
                            ok = value is None if cell == "NaN" else float(cell).hex() == value.hex()
                        assert ok, (binary, name, r, cell, value)
                if binary.endswith(".parquet"):
                    assert pl.read_parquet(binary).height == len(rows)
                    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{binary}')").fetchone()[0] == len(rows)
                print(binary, len(rows))
            """;

    @Test
    void queryResultsAsArrowAndParquetAreTheCsvsAnswer() throws Exception {
        // ten minutes, a row a second, three series of which one has no values: NaN means and stddevs
        int n = 600;
        long[] ts = new long[n];
        double[] values = new double[n];
        int[] series = new int[n];
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < n; i++) {
            ts[i] = 1_700_000_000_000_000_000L + i * 1_000_000_000L;
            series[i] = i % 3;
            values[i] = series[i] == 2 || random.nextInt(10) == 0 ? Double.NaN : random.nextDouble(-1e3, 1e3);
        }
        Path store = TestStores.write(dir.resolve("q.tsp"), ts, values, series,
                SeriesDictionary.of(List.of("a,b \"c\"", "plain", "ünï 日本")));
        Path work = java.nio.file.Files.createDirectory(dir.resolve("work"));
        List<String> grouped = List.of("run", store.toString(), "--agg", "stats,p50,first", "--by", "series", "--every", "1m",
                "--workers", "2", "--batch-rows", "128", "--quiet");
        for (String format : List.of("csv", "arrow", "parquet")) {
            Cli run = Cli.run(Stream.concat(grouped.stream(), Stream.of("--format", format, "--out",
                    work.resolve("grouped." + format).toString())).toArray(String[]::new));
            assertThat(run.exitCode()).as(run.err()).isZero();
        }
        Cli whole = Cli.run("run", store.toString(), "--agg", "count,sum,mean", "--out", work.resolve("whole.parquet").toString(), "--quiet");
        assertThat(whole.exitCode()).as(whole.err()).isZero();
        Cli wholeCsv = Cli.run("run", store.toString(), "--agg", "count,sum,mean", "--out", work.resolve("whole.csv").toString(), "--quiet");
        assertThat(wholeCsv.exitCode()).as(wholeCsv.err()).isZero();
        String compared = Python.run(work, COMPARE, "grouped.csv", "grouped.arrow", "grouped.csv", "grouped.parquet",
                "whole.csv", "whole.parquet");
        assertThat(compared.lines()).containsExactly("grouped.arrow 33", "grouped.parquet 33", "whole.parquet 1");

        Cli custom = Cli.run("run", store.toString(), "--job", "dev.tsproc.exec.TestJobs$Above", "--param", "threshold=0.5",
                "--out", work.resolve("custom.arrow").toString());
        assertThat(custom.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(custom.err()).contains("--format arrow writes a query's answer, and dev.tsproc.exec.TestJobs$Above is a job"
                + " of your own; choose table, csv or json");
        Cli exists = Cli.run("run", store.toString(), "--agg", "count", "--out", work.resolve("whole.parquet").toString());
        assertThat(exists.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(exists.err()).contains("already exists; add --force");
    }
}
