package dev.tsproc.ingest.arrow;

import dev.tsproc.data.Column;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.Python;
import dev.tsproc.testkit.StoreRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Arrow IPC files both ways: tsproc's exports read by pyarrow, Polars and DuckDB, every value
 * compared; files pyarrow writes, with the awkward cases, imported and compared row by row.
 */
class ArrowTest {
    @TempDir
    Path dir;

    /** Prints the rows of x.arrow as read by the tool named in argv[1], in file order. */
    private static final String READ = StoreRows.PRINT + """
            import pyarrow as pa, pyarrow.ipc as ipc
            tool = sys.argv[1]
            if tool == "pyarrow":
                t = ipc.open_file("x.arrow").read_all()
                ts = t.column("ts").cast(pa.int64()).to_pylist()
                series = t.column("series").to_pylist() if "series" in t.column_names else [""] * t.num_rows
                rows = zip(series, ts, t.column("value").to_pylist())
            elif tool == "polars":
                import polars as pl
                df = pl.read_ipc("x.arrow", memory_map=True)
                series = df["series"].cast(pl.Utf8).to_list() if "series" in df.columns else [""] * df.height
                rows = zip(series, df["ts"].dt.epoch("ns").to_list(), df["value"].to_list())
            else:  # DuckDB scans the Arrow table in place (its own reader of IPC files is an extension it would download)
                import duckdb
                t = ipc.open_file("x.arrow").read_all()
                series = "series::VARCHAR" if "series" in t.column_names else "''"
                rows = duckdb.sql(f"SELECT {series}, epoch_ns(ts), value FROM t").fetchall()
            for s, ts, v in rows:
                print(line(s, ts, v))
            """;

    @Test
    void exportsAreReadByPyarrowPolarsAndDuckDbAsTheyAre() throws Exception {
        for (int series : new int[] {0, 37}) {
            Path store = dir.resolve("s" + series + ".tsp");
            long n = 120_000;
            Generator.generate(new GeneratorSpec(n, series, 0.1, Distribution.WALK, 5), store, 2);
            Path work = Files.createDirectory(dir.resolve("w" + series));
            long rows;
            try (Store opened = Store.open(store)) {
                rows = ArrowExporter.export(opened, work.resolve("x.arrow"), 50_000); // three record batches
            }
            assertThat(rows).isEqualTo(n);
            List<String> expected = StoreRows.of(store);
            for (String tool : List.of("pyarrow", "polars", "duckdb")) {
                assertThat(Python.run(work, READ, tool).lines().toList()).as(tool + ", " + series + " series")
                        .isEqualTo(expected);
            }
            Path back = work.resolve("back.tsp");
            ArrowImporter.importFile(work.resolve("x.arrow"), back, ParquetOptions.defaults());
            assertThat(Files.readAllBytes(back)).as("import(export(s)) = s").isEqualTo(Files.readAllBytes(store));
        }
    }

    /** Arrow files as pyarrow writes them; argv[1] picks the case; prints the rows a store must hold. */
    private static final String WRITE = StoreRows.PRINT + """
            import pyarrow as pa, pyarrow.ipc as ipc
            n = 3000
            base = 1_700_000_000_000_000
            us = [base + (i * 7919) % n * 1000 for i in range(n)]          # microseconds, out of order
            names = [None if i % 10 == 0 else f"sensor-{i % 13}" for i in range(n)]
            values = [None if i % 9 == 0 else (i - 1500) / 3 for i in range(n)]
            case = sys.argv[1]
            if case in ("dictionary", "stream"):   # tz-aware µs, dictionary strings with int8 indices, several batches
                schema = pa.schema([("series", pa.dictionary(pa.int8(), pa.string())), ("value", pa.float64()),
                                    ("ts", pa.timestamp("us", tz="America/New_York")), ("extra", pa.list_(pa.int32()))])
                t = pa.table({"series": pa.array(names).dictionary_encode().cast(schema.field("series").type),
                              "value": values, "ts": pa.array(us, schema.field("ts").type), "extra": [[1, 2]] * n},
                             schema=schema)
                # one dictionary, shared by every batch; "stream": the IPC stream format, no footer
                with (ipc.new_stream if case == "stream" else ipc.new_file)("x.arrow", schema) as w:
                    w.write_table(t, max_chunksize=700)
                expect([("" if s is None else s, t * 1000, v) for s, t, v in zip(names, us, values)])
            elif case == "plain":      # ms without time zone, plain strings, float32 and int64 columns
                ms = [t // 1000 for t in us]
                f32 = pa.array([None if v is None else v for v in values], pa.float32())
                t = pa.table({"time": pa.array(ms, pa.timestamp("ms")), "value": f32, "series": pa.array(names, pa.string())})
                with ipc.new_file("x.arrow", t.schema) as w:
                    w.write_table(t, max_chunksize=1000)
                expect([("" if s is None else s, t * 1_000_000, v) for s, t, v in zip(names, ms, f32.to_pylist())])
            elif case in ("int-ms", "int-unclear", "int-counter"):  # plain integers; an empty batch first
                first = {"int-ms": 1_700_000_000_000, "int-unclear": 20_000_000_000, "int-counter": 7}[case]
                ints = [first + (i * 7919) % n for i in range(n)]
                t = pa.table({"ts": pa.array(ints, pa.int64()), "value": pa.array(values, pa.float64())})
                with ipc.new_file("x.arrow", t.schema) as w:
                    w.write_batch(pa.record_batch([pa.array([], pa.int64()), pa.array([], pa.float64())], schema=t.schema))
                    w.write_table(t, max_chunksize=1000)
                expect([("", t * (10**6 if case == "int-ms" else 1), v) for t, v in zip(ints, values)])
            elif case == "null-ts":
                t = pa.table({"ts": pa.array([1, None, 3], pa.timestamp("ns")), "value": [1.0, 2.0, 3.0]})
                with ipc.new_file("x.arrow", t.schema) as w:
                    w.write_table(t)
            elif case == "compressed":
                t = pa.table({"ts": pa.array([1, 2, 3], pa.timestamp("ns")), "value": [1.0, 2.0, 3.0]})
                with ipc.new_file("x.arrow", t.schema, options=ipc.IpcWriteOptions(compression="zstd")) as w:
                    w.write_table(t)
            """;

    @Test
    void importsFilesPyarrowWritesWithDictionariesNullsBatchesAndUnits() throws Exception {
        for (String which : List.of("dictionary", "plain", "stream")) {
            ArrowImporter.Result result = importsAsPyarrowPrints(which, 3);
            Path work = dir.resolve(which);
            assertThat(result.batches()).as(which).isGreaterThan(2);
            assertThat(result.sorted()).isTrue();
            // Loaded for a run that reads no series: the same times and values, no series column.
            ArrowImporter.importFile(work.resolve("x.arrow"), work.resolve("some.tsp"), ParquetOptions.defaults().readingSeries(false));
            try (Store all = Store.open(work.resolve("x.tsp")); Store some = Store.open(work.resolve("some.tsp"))) {
                assertThat(some.hasSeries()).isFalse();
                for (Column column : List.of(Column.TS, Column.VALUE)) {
                    assertThat(some.column(column).mismatch(all.column(column))).as(which + " " + column).isEqualTo(-1);
                }
            }
        }
    }

    /** Plain integer timestamps under auto in the unit their magnitude tells, as for CSV and Parquet. */
    @Test
    void plainIntegerTimestampsAreReadInTheEpochUnitTheirMagnitudeTells() throws Exception {
        for (String which : List.of("int-ms", "int-counter")) {
            ArrowImporter.Result result = importsAsPyarrowPrints(which, 2);
            assertThat(result.unitTold() == null ? null : result.unitTold().toString()).as(which)
                    .isEqualTo(which.equals("int-ms") ? "epoch-ms" : null);
        }
        Path unclear = Files.createDirectory(dir.resolve("int-unclear"));
        Python.run(unclear, WRITE, "int-unclear");
        assertFails(unclear, ParquetOptions.defaults(), "x.arrow: record batch 1: the timestamp 20000000000 has 11 digits,"
                + " which is a time from 1973 to 2286 in no epoch unit; say which it is with --ts-format epoch-s, epoch-ms,"
                + " epoch-us or epoch-ns");
    }

    @Test
    void badFilesFailInOneSentenceNamingTheFileAndLeaveNothing() throws Exception {
        Path nullTs = Files.createDirectory(dir.resolve("null-ts"));
        Python.run(nullTs, WRITE, "null-ts");
        assertFails(nullTs, ParquetOptions.defaults(), "x.arrow: record batch 0: row 1: the timestamp is null");
        Path compressed = Files.createDirectory(dir.resolve("compressed"));
        Python.run(compressed, WRITE, "compressed");
        assertFails(compressed, ParquetOptions.defaults(), "x.arrow: its buffers are compressed");
        assertFails(nullTs, new ParquetOptions(null, "price", null, false, dev.tsproc.ingest.csv.TimestampFormat.AUTO, 1),
                "x.arrow: --value-col 'price' is not a column of the file (columns: ts, value)");
        assertFails(nullTs, new ParquetOptions("value", "ts", null, false, dev.tsproc.ingest.csv.TimestampFormat.AUTO, 1),
                "x.arrow: column 'value' is of type FloatingPoint, which tsproc cannot read as a timestamp");
        Path dictionary = Files.createDirectory(dir.resolve("dictionary"));
        Python.run(dictionary, WRITE, "dictionary");
        assertFails(dictionary, new ParquetOptions(null, "series", "value", false, dev.tsproc.ingest.csv.TimestampFormat.AUTO, 1),
                "x.arrow: column 'series' is of type Utf8, which tsproc cannot read as a value");
        Path text = Files.createDirectory(dir.resolve("text"));
        Files.writeString(text.resolve("x.arrow"), "ARROW1 but then nothing of the kind");
        assertFails(text, ParquetOptions.defaults(), "x.arrow: it is not an Arrow IPC file, or it is cut short");
        Path cut = Files.createDirectory(dir.resolve("cut"));
        byte[] bytes = Files.readAllBytes(nullTs.resolve("x.arrow"));
        Files.write(cut.resolve("x.arrow"), java.util.Arrays.copyOf(bytes, bytes.length - 20));
        assertFails(cut, ParquetOptions.defaults(), "x.arrow: it is not an Arrow IPC file, or it is cut short");
    }

    /** Writes case {@code which} of {@link #WRITE} in its own directory, imports it, and checks every row. */
    private ArrowImporter.Result importsAsPyarrowPrints(String which, int threads) throws Exception {
        Path work = Files.createDirectory(dir.resolve(which));
        List<String> expected = Python.run(work, WRITE, which).lines().toList();
        ArrowImporter.Result result = ArrowImporter.importFile(work.resolve("x.arrow"), work.resolve("x.tsp"),
                ParquetOptions.defaults().withThreads(threads));
        assertThat(StoreRows.of(work.resolve("x.tsp"))).as(which).isEqualTo(expected);
        return result;
    }

    private static void assertFails(Path work, ParquetOptions options, String message) throws IOException {
        List<Path> before = listing(work);
        assertThatThrownBy(() -> ArrowImporter.importFile(work.resolve("x.arrow"), work.resolve("x.tsp"), options))
                .isInstanceOf(BadInputException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(listing(work)).isEqualTo(before);
    }

    private static List<Path> listing(Path work) throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            return files.sorted().toList();
        }
    }
}
