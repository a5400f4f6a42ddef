package dev.tsproc.ingest.parquet;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.ExportTable;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.Python;
import dev.tsproc.testkit.StoreRows;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parquet export: files read back by pyarrow, Polars and DuckDB, every value compared bit for
 * bit with the store, the schema and each row group's statistics checked; and
 * {@code import(export(s)) = s} through tsproc's own Parquet import, byte for byte.
 */
class ParquetExportTest {
    @TempDir
    Path dir;

    /**
     * Reads every .parquet file of the folder with the three tools and prints, per file: the
     * schema and row-group count as pyarrow sees them, then each tool's rows (series, ts_ns,
     * value) in file order. Checks each row group's statistics against its rows on the way.
     */
    private static final String READ = StoreRows.PRINT + """
            import glob, pyarrow as pa, pyarrow.parquet as pq, polars as pl, duckdb
            for f in sorted(glob.glob("*.parquet")):
                print("== " + f)
                meta = pq.ParquetFile(f).metadata
                schema = pq.read_schema(f)
                print(" ".join(f"{x.name}:{x.type}:{'null' if x.nullable else 'notnull'}" for x in schema), meta.num_row_groups)
                t = pq.read_table(f)
                names = t.column_names
                at = 0
                for g in range(meta.num_row_groups):
                    rg = meta.row_group(g)
                    part = t.slice(at, rg.num_rows)
                    at += rg.num_rows
                    for c in range(rg.num_columns):
                        s = rg.column(c).statistics
                        present = [v for v in part.column(c).cast(pa.int64() if names[c] == "ts" else part.column(c).type).to_pylist() if v is not None]
                        assert s.null_count == part.column(c).null_count, (f, g, c, s.null_count)
                        if present:
                            assert s.has_min_max, (f, g, c)
                            lo, hi = (s.min_raw, s.max_raw)
                            if isinstance(lo, bytes):
                                lo, hi = lo.decode(), hi.decode()
                            assert (lo, hi) == (min(present), max(present)), (f, g, c, lo, hi, min(present), max(present))
                assert at == t.num_rows
                def col(name, default):
                    return t.column(name).to_pylist() if name in names else [default] * t.num_rows
                print("-- pyarrow")
                for s, ts, v in zip(col("series", ""), t.column("ts").cast(pa.int64()).to_pylist(), col("value", None)):
                    print(line(s, ts, v))
                print("-- polars")
                df = pl.read_parquet(f)
                series = df["series"].to_list() if "series" in df.columns else [""] * df.height
                for s, ts, v in zip(series, df["ts"].dt.epoch("ns").to_list(), df["value"].to_list()):
                    print(line(s, ts, v))
                print("-- duckdb")
                series = "series" if "series" in names else "''"
                for s, ts, v in duckdb.sql(f"SELECT {series}, epoch_ns(ts), value FROM read_parquet('{f}')").fetchall():
                    print(line(s, ts, v))
            """;

    @Test
    void exportsAreReadByPyarrowPolarsAndDuckDbAsTheyAre() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        Path walk = dir.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(20_000, 37, 0.1, Distribution.WALK, 5), walk, 2);
        Path awkward = awkwardStore(dir.resolve("awkward.tsp"));
        Path plain = TestStores.write(dir.resolve("plain.tsp"), new double[] {1.5, Double.NaN, -0.0, 2});
        Path empty = TestStores.write(dir.resolve("empty.tsp"), new long[0], new double[0], new int[0],
                SeriesDictionary.of(List.of("a", "b")));
        Path emptyNoSeries = TestStores.write(dir.resolve("empty-no-series.tsp"), new double[0]);
        List<String> expected = new ArrayList<>();
        String withSeries = "ts:timestamp[ns, tz=UTC]:notnull value:double:null series:string:notnull ";
        String noSeries = "ts:timestamp[ns, tz=UTC]:notnull value:double:null ";
        // three row groups of pages of 2,048 rows, one file per codec; the awkward names in groups of 300 rows and pages of 64
        for (ParquetCodec codec : ParquetCodec.values()) {
            String name = "walk-" + codec.name().toLowerCase(java.util.Locale.ROOT) + ".parquet";
            export(walk, work.resolve(name), codec, 8_000, 2_048);
            expected.addAll(expectedFile(name, withSeries + 3, StoreRows.of(walk)));
        }
        export(awkward, work.resolve("x-awkward.parquet"), ParquetCodec.ZSTD, 300, 64);
        expected.addAll(expectedFile("x-awkward.parquet", withSeries + 4, StoreRows.of(awkward)));
        export(plain, work.resolve("x-plain.parquet"), ParquetCodec.SNAPPY, 1 << 20, 1 << 17);
        expected.addAll(expectedFile("x-plain.parquet", noSeries + 1, StoreRows.of(plain)));
        export(empty, work.resolve("y-empty.parquet"), ParquetCodec.SNAPPY, 1 << 20, 1 << 17);
        expected.addAll(expectedFile("y-empty.parquet", withSeries + 0, List.of()));
        export(emptyNoSeries, work.resolve("y-empty-no-series.parquet"), ParquetCodec.NONE, 1 << 20, 1 << 17);
        expected.addAll(expectedFile("y-empty-no-series.parquet", noSeries + 0, List.of()));
        expected.sort(null);

        List<String> read = new ArrayList<>(Python.run(work, READ).lines().toList());
        read.sort(null); // files come sorted already; sorting both keeps a failure's diff short
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void importOfTheExportIsTheSameStore() throws Exception {
        Path walk = dir.resolve("walk.tsp");
        // 300 series: dictionary indices of 9 bits, across byte boundaries
        Generator.generate(new GeneratorSpec(30_000, 300, 0.05, Distribution.WALK, 9), walk, 2);
        for (Path store : List.of(walk, awkwardStore(dir.resolve("awkward.tsp")),
                TestStores.write(dir.resolve("plain.tsp"), new double[] {1.5, Double.NaN, -0.0, Double.MIN_VALUE}))) {
            Path file = dir.resolve(store.getFileName() + ".parquet");
            export(store, file, ParquetCodec.SNAPPY, 7_000, 1_000);
            Path back = dir.resolve("back-" + store.getFileName());
            ParquetImporter.importFiles(file, List.of(file), back, ParquetOptions.defaults(), bytes -> {});
            assertThat(Files.readAllBytes(back)).as("import(export(%s))", store.getFileName())
                    .isEqualTo(Files.readAllBytes(store));
        }
    }

    @Test
    void theSameFileForAnyThreadCountAndNothingLeftBehindOnFailure() throws Exception {
        Path walk = dir.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(20_000, 5, 0.05, Distribution.WALK, 3), walk, 2);
        Path one = dir.resolve("one.parquet");
        Path three = dir.resolve("three.parquet");
        try (Store store = Store.open(walk)) {
            ParquetExporter.export(ExportTable.of(store), one, new ParquetExporter.Options(ParquetCodec.ZSTD, 1), 3_000, 1_000);
            ParquetExporter.export(ExportTable.of(store), three, new ParquetExporter.Options(ParquetCodec.ZSTD, 3), 3_000, 1_000);
            assertThatThrownBy(() -> ParquetExporter.export(store, one, ParquetExporter.Options.defaults()))
                    .isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(Files.readAllBytes(three)).isEqualTo(Files.readAllBytes(one));

        Path bad = TestStores.write(dir.resolve("bad.tsp"), new long[] {1, 2}, new double[] {1, 2}, new int[] {0, 7},
                SeriesDictionary.of(List.of("a")));
        try (Store store = Store.open(bad)) {
            assertThatThrownBy(() -> ParquetExporter.export(store, dir.resolve("bad.parquet"), ParquetExporter.Options.defaults()))
                    .isInstanceOf(CorruptStoreException.class).hasMessageContaining("row 1 has series id 7, but the dictionary has 1 series");
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "walk.tsp", "one.parquet", "three.parquet", "bad.tsp");
        }
    }

    private static void export(Path store, Path file, ParquetCodec codec, long rowGroupRows, int pageRows) throws Exception {
        try (Store opened = Store.open(store)) {
            long rows = ParquetExporter.export(ExportTable.of(opened), file, new ParquetExporter.Options(codec, 2),
                    rowGroupRows, pageRows);
            assertThat(rows).isEqualTo(opened.rowCount());
        }
    }

    /**
     * What READ prints for one file: its name, schema and row groups, then its rows once per
     * tool — DuckDB's with timestamps cut to the microsecond: it reads a UTC timestamp as its
     * TIMESTAMP WITH TIME ZONE, whose unit that is, from tsproc's files as from pyarrow's.
     */
    private static List<String> expectedFile(String name, String schema, List<String> rows) {
        List<String> lines = new ArrayList<>(List.of("== " + name, schema, "-- pyarrow", "-- polars", "-- duckdb"));
        lines.addAll(rows);
        lines.addAll(rows);
        for (String row : rows) { // series (which may hold a tab), ts, value
            int valueAt = row.lastIndexOf('\t');
            int tsAt = row.lastIndexOf('\t', valueAt - 1);
            long micros = Long.parseLong(row.substring(tsAt + 1, valueAt)) / 1000;
            lines.add(row.substring(0, tsAt + 1) + micros * 1000 + row.substring(valueAt));
        }
        return lines;
    }

    /**
     * 1,000 rows over names that need quoting in CSV or are not ASCII — sorted in UTF-8 byte
     * order, as import writes a dictionary — and values at the edges of float64: signed zeros,
     * infinities, subnormals, NaN; runs of one series long enough for RLE runs, and single rows.
     */
    private static Path awkwardStore(Path file) {
        List<String> names = new ArrayList<>(List.of("", "\"quoted\"", "a,b", "plain", "x\ty", "ß", "日本語", "🙂 emoji", "=1+2"));
        names.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        double[] edges = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
                -Double.MAX_VALUE, Double.NaN, 1e-310, 3.141592653589793};
        SplittableRandom random = new SplittableRandom(42);
        int n = 1_000;
        long[] ts = new long[n];
        double[] values = new double[n];
        int[] series = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = -1_000_000_000L + i * 997L; // crosses the epoch
            values[i] = i % 3 == 0 ? edges[random.nextInt(edges.length)] : random.nextDouble(-1e6, 1e6);
            series[i] = i < 200 ? (i / 50) % names.size() : i < names.size() + 200 ? i - 200 : random.nextInt(names.size());
        }
        return TestStores.write(file, ts, values, series, SeriesDictionary.of(names));
    }
}
