package dev.tsproc.ingest.parquet;

import dev.tsproc.data.Column;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.csv.TimestampFormat;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.Python;
import dev.tsproc.testkit.StoreRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parquet files written by pyarrow, with the awkward cases real data has, imported and compared
 * row by row with what pyarrow says they hold. Each script writes its files and prints the rows
 * a store must hold, in store order (stably sorted by time over the files in path order), one
 * {@code series<TAB>ts<TAB>float.hex(value)} line each.
 */
class ParquetImportTest {
    @TempDir
    Path dir;

    /** Every timestamp, value and series type, nulls, dictionary and plain strings, several row groups. */
    private static final String TYPES = StoreRows.PRINT + """
            import pyarrow as pa, pyarrow.parquet as pq, datetime as dt
            from decimal import Decimal
            n = 2500
            base = 1_700_000_000_000_000_000
            ns = [base + i * 1_000_003 for i in range(n)]
            names = [("sensor-" + "é" * (i % 3) + str(i % 7)) if i % 11 else None for i in range(n)]
            values = [None if i % 13 == 0 else (i - 1234) / 7 for i in range(n)]
            decimals = [None if i % 17 == 0 else Decimal(i * 1_000_003 - 5_000_000_000).scaleb(-4) for i in range(n)]
            def write(name, ts, ts_type, value, value_type, series, series_type, **kw):
                pq.write_table(pa.table({"ts": pa.array(ts, ts_type), "value": pa.array(value, value_type),
                                         "series": pa.array(series, series_type)}), name, row_group_size=700, **kw)
            def name(s):
                return "" if s is None else s
            which = sys.argv[1]
            if which == "ns":      # nanoseconds, UTC-adjusted, dictionary strings
                write("x.parquet", ns, pa.timestamp("ns", tz="UTC"), values, pa.float64(),
                      pa.array(names).dictionary_encode(), None)
                expect([(name(s), t, v) for s, t, v in zip(names, ns, values)])
            elif which == "us":    # microseconds, local (no time zone), float32 values, plain strings
                us = [t // 1000 for t in ns]
                f32 = [None if v is None else float(__import__("numpy").float32(v)) for v in values]
                write("x.parquet", us, pa.timestamp("us"), f32, pa.float32(), names, pa.string(), use_dictionary=False)
                expect([(name(s), t * 1000, v) for s, t, v in zip(names, us, f32)])
            elif which == "ms":    # milliseconds, decimal(38, 4) values (fixed-length bytes), int series
                ms = [t // 1_000_000 for t in ns]
                ints = [None if i % 11 == 0 else i % 5 - 2 for i in range(n)]
                write("x.parquet", ms, pa.timestamp("ms", tz="Europe/Paris"), decimals, pa.decimal128(38, 4), ints, pa.int64())
                expect([("" if s is None else str(s), t * 1_000_000, None if v is None else float(v))
                        for s, t, v in zip(ints, ms, decimals)])
            elif which == "int96": # Spark's INT96 timestamps, decimal(18, 4) in an int64, boolean series
                small = [None if v is None else Decimal(int(v.scaleb(4)) % 10**15).scaleb(-4) for v in decimals]
                bools = [None if i % 11 == 0 else i % 3 == 0 for i in range(n)]
                write("x.parquet", ns, pa.timestamp("ns"), small, pa.decimal128(18, 4), bools, pa.bool_(),
                      use_deprecated_int96_timestamps=True, store_decimal_as_integer=True)
                expect([("" if s is None else str(s).lower(), t, None if v is None else float(v))
                        for s, t, v in zip(bools, ns, small)])
            elif which == "text":  # ISO-8601 text timestamps, int32 values, unsorted rows
                order = list(range(n)); order.reverse()
                text = [dt.datetime.fromtimestamp(ns[i] // 10**9, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
                        + f".{ns[i] % 10**9:09d}Z" for i in order]
                ints = [None if i % 13 == 0 else i - 1000 for i in order]
                write("x.parquet", text, pa.string(), ints, pa.int32(), [names[i] for i in order], pa.string())
                expect([(name(names[i]), ns[i], v) for i, v in zip(order, ints)])
            """;

    @Test
    void readsEveryTimestampValueAndSeriesType() throws Exception {
        for (String which : List.of("ns", "us", "ms", "int96", "text")) {
            Path caseDir = Files.createDirectory(dir.resolve(which));
            List<String> expected = Python.run(caseDir, TYPES, which).lines().toList();
            Path store = caseDir.resolve("x.tsp");
            ParquetImporter.Result result = importFrom(caseDir.resolve("x.parquet"), store, ParquetOptions.defaults());
            assertThat(StoreRows.of(store)).as(which).isEqualTo(expected);
            assertThat(result.rowGroups()).as(which).isEqualTo(4);
            assertThat(result.sorted()).as(which).isEqualTo(which.equals("text"));
            assertDictionarySorted(store);
        }
    }

    /** Three files whose times interleave, each of several row groups; an empty file among them. */
    private static final String INTERLEAVED = StoreRows.PRINT + """
            import pyarrow as pa, pyarrow.parquet as pq
            rows = []
            # Path order c, a, b of the names differs from the order of the series names.
            for k, (file, series) in enumerate([("a.parquet", "zeta"), ("b.parquet", "alpha"), ("c.parquet", "mu")]):
                ts = [(i * 3 + k) * 1000 // 2 * 2 for i in range(1000)]    # equal timestamps across files
                values = [None if i % 9 == 0 else float(i * 10 + k) for i in range(1000)]
                pq.write_table(pa.table({"time": pa.array(ts, pa.int64()), "value": values, "series": [series] * 1000}),
                               "data/" + file, row_group_size=128)
                rows += [(series, t, v) for t, v in zip(ts, values)]
            empty = pa.table({"time": pa.array([], pa.int64()), "value": pa.array([], pa.float64()), "series": pa.array([], pa.string())})
            pq.write_table(empty, "data/d-empty.parquet")
            open("data/_SUCCESS", "w").close()
            expect(rows)
            """;

    @Test
    void mergesInterleavedFilesInTimeOrderWithTheSameStoreOnAnyThreadCount() throws Exception {
        Files.createDirectory(dir.resolve("data"));
        List<String> expected = Python.run(dir, INTERLEAVED).lines().toList();
        ParquetImporter.Result one = importFrom(dir.resolve("data"), dir.resolve("one.tsp"), ParquetOptions.defaults().withThreads(1));
        ParquetImporter.Result three = importFrom(dir.resolve("data"), dir.resolve("three.tsp"), ParquetOptions.defaults().withThreads(3));
        importFrom(dir.resolve("data/*.parquet"), dir.resolve("glob.tsp"), ParquetOptions.defaults());
        assertThat(StoreRows.of(dir.resolve("one.tsp"))).isEqualTo(expected);
        assertThat(one.files()).isEqualTo(4);
        assertThat(one.rowGroups()).isEqualTo(24);
        assertThat(one.sorted()).isTrue();
        assertThat(three.rows()).isEqualTo(3000);
        byte[] bytes = Files.readAllBytes(dir.resolve("one.tsp"));
        assertThat(Files.readAllBytes(dir.resolve("three.tsp"))).isEqualTo(bytes);
        assertThat(Files.readAllBytes(dir.resolve("glob.tsp"))).isEqualTo(bytes);
        try (Store store = Store.open(dir.resolve("one.tsp"))) {
            assertThat(store.dictionary().names()).containsExactly("alpha", "mu", "zeta");
        }
    }

    @Test
    void dictionaryDoesNotDependOnFileOrder() throws Exception {
        Files.createDirectory(dir.resolve("data"));
        Python.run(dir, INTERLEAVED);
        Path renamed = Files.createDirectory(dir.resolve("renamed"));
        // The same files under names that sort the other way round.
        for (String[] move : new String[][] {{"a", "z"}, {"b", "y"}, {"c", "x"}}) {
            Files.copy(dir.resolve("data/" + move[0] + ".parquet"), renamed.resolve(move[1] + ".parquet"));
        }
        importFrom(dir.resolve("data"), dir.resolve("a.tsp"), ParquetOptions.defaults());
        importFrom(renamed, dir.resolve("b.tsp"), ParquetOptions.defaults());
        try (Store a = Store.open(dir.resolve("a.tsp")); Store b = Store.open(dir.resolve("b.tsp"))) {
            assertThat(b.dictionary()).isEqualTo(a.dictionary());
            assertThat(b.column(Column.TS).toArray(Column.TS_LAYOUT)).isEqualTo(a.column(Column.TS).toArray(Column.TS_LAYOUT));
        }
    }

    /** A load for a run that reads no series (15.2) leaves the column out but still checks a named one. */
    @Test
    void withoutReadingSeriesTheStoreHasTimesAndValuesAlone() throws Exception {
        Files.createDirectory(dir.resolve("data"));
        Python.run(dir, INTERLEAVED);
        importFrom(dir.resolve("data"), dir.resolve("all.tsp"), ParquetOptions.defaults());
        importFrom(dir.resolve("data"), dir.resolve("some.tsp"), ParquetOptions.defaults().readingSeries(false));
        try (Store all = Store.open(dir.resolve("all.tsp")); Store some = Store.open(dir.resolve("some.tsp"))) {
            assertThat(all.hasSeries()).isTrue();
            assertThat(some.hasSeries()).isFalse();
            for (Column column : List.of(Column.TS, Column.VALUE)) {
                assertThat(some.column(column).mismatch(all.column(column))).as(column.name()).isEqualTo(-1);
            }
        }
        assertFails(dir.resolve("data"), new ParquetOptions(null, null, "sensor", false, TimestampFormat.AUTO, 2)
                .readingSeries(false), "a.parquet: --series-col 'sensor' is not a column of the file");
    }

    /** A load for a query of a time range reads only the row groups whose statistics may hold some of it. */
    @Test
    void withinATimeRangeOnlyRowGroupsThatMayHoldItAreRead() throws Exception {
        Files.createDirectory(dir.resolve("data"));
        Python.run(dir, INTERLEAVED);
        long from = 1_000_000;
        long to = 2_000_000;
        ParquetImporter.Result all = importFrom(dir.resolve("data"), dir.resolve("all.tsp"), ParquetOptions.defaults());
        ParquetImporter.Result some = importFrom(dir.resolve("data"), dir.resolve("some.tsp"),
                ParquetOptions.defaults().within(from, to));
        assertThat(some.rowGroups()).isLessThan(all.rowGroups());
        assertThat(inRange(dir.resolve("some.tsp"), from, to)).isEqualTo(inRange(dir.resolve("all.tsp"), from, to)).isNotEmpty();
        // A range no row group holds still loads one, in which the query then finds nothing, as it would in all.
        ParquetImporter.Result none = importFrom(dir.resolve("data"), dir.resolve("none.tsp"),
                ParquetOptions.defaults().within(Long.MAX_VALUE - 1, Long.MAX_VALUE));
        assertThat(none.rowGroups()).isEqualTo(1);
        assertThat(inRange(dir.resolve("none.tsp"), Long.MAX_VALUE - 1, Long.MAX_VALUE)).isEmpty();
    }

    private static List<String> inRange(Path store, long from, long to) throws IOException {
        return StoreRows.of(store).stream().filter(row -> {
            long ts = Long.parseLong(row.split("\t")[1]);
            return ts >= from && ts < to;
        }).toList();
    }

    private static final String SIMPLE = """
            import pyarrow as pa, pyarrow.parquet as pq, sys
            ts = [None if sys.argv[1] == "null-ts" and i == 1500 else 1_000 * i for i in range(3000)]
            pq.write_table(pa.table({"ts": pa.array(ts, pa.timestamp("ns")), "value": [float(i) for i in range(3000)],
                                     "price": [1.0] * 3000}), "x.parquet", row_group_size=1000, compression="snappy")
            """;

    /**
     * Plain integer timestamps (no timestamp type) in each epoch unit, with and without statistics,
     * as int64 and int32; small counters; 11 digits, a time since 1973 in no unit. The rows
     * printed are in nanoseconds of the unit the file was written in.
     */
    private static final String EPOCH_UNITS = StoreRows.PRINT + """
            import pyarrow as pa, pyarrow.parquet as pq
            unit, ints, stats = sys.argv[1], sys.argv[2], sys.argv[3] == "stats"
            scale = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1, "counter": 1, "unclear": 1}[unit]
            first = {"s": 1_700_000_000, "ms": 1_700_000_000_000, "us": 1_700_000_000_000_000,
                     "ns": 1_700_000_000_000_000_000, "counter": 5, "unclear": 20_000_000_000}[unit]
            ts = [first + i * 3 for i in range(600)]
            ts[0:2] = ts[1::-1]                                    # out of order: the statistics' min is row 1
            values = [float(i) for i in range(600)]
            pq.write_table(pa.table({"ts": pa.array(ts, pa.int32() if ints == "int32" else pa.int64()), "value": values}),
                           "x.parquet", row_group_size=250, write_statistics=stats)
            expect([("", t * scale, v) for t, v in zip(ts, values)])
            """;

    @Test
    void plainIntegerTimestampsAreReadInTheEpochUnitTheirMagnitudeTells() throws Exception {
        record Case(String unit, String ints, String stats, String told) {}
        List<Case> cases = List.of(
                new Case("s", "int64", "stats", "epoch-s"),
                new Case("s", "int32", "none", "epoch-s"),
                new Case("ms", "int64", "none", "epoch-ms"),
                new Case("us", "int64", "stats", "epoch-us"),
                new Case("ns", "int64", "stats", null),
                new Case("counter", "int32", "stats", null));
        for (Case c : cases) {
            String name = c.unit() + "-" + c.ints() + "-" + c.stats();
            Path caseDir = Files.createDirectory(dir.resolve(name));
            List<String> expected = Python.run(caseDir, EPOCH_UNITS, c.unit(), c.ints(), c.stats()).lines().toList();
            Path store = caseDir.resolve("x.tsp");
            ParquetImporter.Result result = importFrom(caseDir.resolve("x.parquet"), store, ParquetOptions.defaults());
            assertThat(StoreRows.of(store)).as(name).isEqualTo(expected);
            assertThat(result.unitsTold()).as(name).hasSize(c.told() == null ? 0 : 1);
            assertThat(result.unitsTold().values()).as(name).allSatisfy(unit -> assertThat(unit).hasToString(c.told()));
            assertThat(result.unitsTold().keySet()).as(name).allSatisfy(file -> assertThat(file).hasFileName("x.parquet"));
            assertThat(result.unitGuessed()).as(name).isEqualTo(c.told() == null);
        }
        // A unit given is taken as it is: milliseconds read as nanoseconds, in 1970.
        Path ms = dir.resolve("ms-int64-none/x.parquet");
        ParquetImporter.Result asNanos = importFrom(ms, dir.resolve("ms-as-ns.tsp"),
                new ParquetOptions(null, null, null, false, TimestampFormat.parse("epoch-ns"), 2));
        assertThat(asNanos.unitsTold()).isEmpty();
        assertThat(StoreRows.of(dir.resolve("ms-as-ns.tsp")).getFirst()).startsWith("\t1700000000000\t");

        Path unclear = Files.createDirectory(dir.resolve("unclear"));
        Python.run(unclear, EPOCH_UNITS, "unclear", "int64", "none"); // no statistics: its first row is judged
        assertFails(unclear.resolve("x.parquet"), ParquetOptions.defaults(), "x.parquet: row group 0: the timestamp"
                + " 20000000003 has 11 digits, which is a time from 1973 to 2286 in no epoch unit; say which it is with"
                + " --ts-format epoch-s, epoch-ms, epoch-us or epoch-ns");
    }

    @Test
    void badFilesFailInOneSentenceNamingTheFileAndLeaveNothing() throws Exception {
        Python.run(dir, SIMPLE, "ok");
        Path good = dir.resolve("x.parquet");
        byte[] bytes = Files.readAllBytes(good);

        Path text = Files.writeString(dir.resolve("text.parquet"), "ts,value\n1,2\n");
        assertFails(text, ParquetOptions.defaults(), "text.parquet: it is not a Parquet file");

        Path truncated = Files.write(dir.resolve("truncated.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
        assertFails(truncated, ParquetOptions.defaults(), "truncated.parquet: it is not a Parquet file, or it is damaged or cut short");

        byte[] damaged = bytes.clone();
        for (int i = 200; i < 900; i++) {
            damaged[i] ^= (byte) 0x5A; // the first row group's pages
        }
        Path corrupt = Files.write(dir.resolve("corrupt.parquet"), damaged);
        assertFails(corrupt, ParquetOptions.defaults(), "corrupt.parquet: row group 0: it cannot be read, the file is damaged");

        assertFails(good, new ParquetOptions(null, "volume", null, false, TimestampFormat.AUTO, 2),
                "x.parquet: --value-col 'volume' is not a column of the file (columns: ts, value, price)");
        assertFails(good, new ParquetOptions("value", "price", null, false, TimestampFormat.AUTO, 2),
                "x.parquet: column 'value' is of type DOUBLE, which tsproc cannot read as a timestamp");

        Path nullTs = Files.createDirectory(dir.resolve("null"));
        Python.run(nullTs, SIMPLE, "null-ts");
        assertFails(nullTs.resolve("x.parquet"), ParquetOptions.defaults(), "x.parquet: row group 1, row 500: the timestamp is null");

        assertThatThrownBy(() -> ParquetSources.resolve(dir.resolve("none/*.parquet").toString()))
                .hasMessageContaining("none");
        assertThatThrownBy(() -> ParquetSources.resolve(dir.resolve("*.csv").toString()))
                .isInstanceOf(BadInputException.class).hasMessageEndingWith("*.csv: matches no file");
    }

    @Test
    void filesWithoutRowsAreAnError() throws Exception {
        Files.createDirectory(dir.resolve("data"));
        Python.run(dir, INTERLEAVED);
        assertFails(dir.resolve("data/d-empty.parquet"), ParquetOptions.defaults(), "d-empty.parquet: it holds no rows");
    }

    private void assertFails(Path file, ParquetOptions options, String message) throws IOException {
        Path store = dir.resolve("failed.tsp");
        List<Path> before = listing();
        assertThatThrownBy(() -> importFrom(file, store, options))
                .isInstanceOf(BadInputException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(listing()).isEqualTo(before);
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static ParquetImporter.Result importFrom(Path source, Path store, ParquetOptions options)
            throws IOException, InterruptedException {
        return ParquetImporter.importFiles(source, ParquetSources.resolve(source.toString()), store, options, bytes -> {});
    }

    private static void assertDictionarySorted(Path path) throws IOException {
        try (Store store = Store.open(path)) {
            List<String> names = store.dictionary().names();
            List<String> sorted = new ArrayList<>(names);
            sorted.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(names).isEqualTo(sorted);
        }
    }
}
