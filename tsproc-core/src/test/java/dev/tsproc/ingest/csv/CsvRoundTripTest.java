package dev.tsproc.ingest.csv;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreWriter;
import dev.tsproc.testkit.TestStores;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** import(export(s)) equals s: same columns bit for bit (NaN as the canonical NaN) and the same dictionary. */
class CsvRoundTripTest {
    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();
    private Path dir;

    @BeforeProperty
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("tsproc-roundtrip");
    }

    @AfterProperty
    void deleteDirectory() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Property(tries = 150)
    void importOfExportIsTheSameStore(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int rows,
                                      @ForAll("names") List<String> names, @ForAll boolean iso, @ForAll boolean header,
                                      @ForAll @IntRange(min = 1, max = 4) int threads,
                                      @ForAll @IntRange(min = 0, max = 3000) int chunkBytes) throws Exception {
        Path store = randomStore(dir.resolve("s-" + COUNTER.incrementAndGet() + ".tsp"), seed, rows, names);
        Path csv = dir.resolve(store.getFileName() + ".csv");
        try (Store s = Store.open(store)) {
            CsvExporter.export(s, csv, new CsvExporter.Options(
                    iso ? CsvExporter.TimestampStyle.ISO : CsvExporter.TimestampStyle.EPOCH_NS, header, threads));
        }
        Path back = dir.resolve(store.getFileName() + ".back.tsp");
        // auto reads integers of 9 to 17 digits in another unit, or refuses them (EpochUnitTest): export's nanoseconds
        // from 0.1 s after 1970 to 1973 need the unit said.
        long first = StoreRows.read(store).timestamps().getFirst();
        boolean unitToSay = !iso && first >= 100_000_000L && first < 100_000_000_000_000_000L;
        CsvImporter.importFile(csv, back, CsvOptions.builder().header(header).threads(threads).chunkBytes(chunkBytes)
                .timestampFormat(unitToSay ? TimestampFormat.epoch(1) : TimestampFormat.AUTO).build());
        assertThat(StoreRows.read(back)).isEqualTo(StoreRows.read(store));
    }

    @Provide
    Arbitrary<List<String>> names() {
        Arbitrary<String> awkward = Arbitraries.of("=SUM(A1)", "+1", "-x", "@me", "'=quoted", "''+", "'", "a,b", "\"q\"",
                " spaced ", "", "tab\there", "\u00e4\u00f6", "\uD83D\uDE00", "s1", "s10", "s2", "=", "-1", "\uFFFD", "a\"\"b");
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(12)
                .filter(s -> s.indexOf('\n') < 0 && s.indexOf('\r') < 0 && s.indexOf('\0') < 0
                        && s.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE));
        return Arbitraries.oneOf(awkward, random).list().ofMaxSize(12);
    }

    /** A store with sorted, partly equal timestamps, awkward values and, if {@code names} is not empty, series. */
    static Path randomStore(Path file, long seed, int rows, List<String> names) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> dictionary = new ArrayList<>(new LinkedHashSet<>(names));
        dictionary.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        if (dictionary.size() > rows) {
            dictionary = dictionary.subList(0, rows);
        }
        long[] ts = new long[rows];
        for (int i = 0; i < rows; i++) {
            ts[i] = switch (random.nextInt(6)) {
                case 0 -> Long.MIN_VALUE;
                case 1 -> Long.MAX_VALUE;
                case 2 -> random.nextLong(-1000, 1000);
                default -> random.nextLong();
            };
        }
        Arrays.sort(ts);
        double[] values = TestStores.awkwardValues(seed, rows, true);
        int[] series = new int[rows];
        for (int i = 0; i < rows; i++) { // every name is used at least once
            series[i] = i < dictionary.size() ? i : random.nextInt(Math.max(1, dictionary.size()));
        }
        try (Arena arena = Arena.ofConfined();
             StoreWriter writer = StoreWriter.create(file, rows, SeriesDictionary.of(dictionary))) {
            writer.write(Column.TS, 0, arena.allocateFrom(Column.TS_LAYOUT, ts));
            writer.write(Column.VALUE, 0, arena.allocateFrom(Column.VALUE_LAYOUT, values));
            if (!dictionary.isEmpty()) {
                writer.write(Column.SERIES, 0, arena.allocateFrom(Column.SERIES_LAYOUT, series));
            }
            writer.commit();
        }
        return file;
    }

    @Test
    void theGeneratorsStoresRoundTrip(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(200_000, 37, 0.1, dev.tsproc.ingest.Distribution.WALK, 5), store, 2);
        Path csv = tmp.resolve("walk.csv");
        try (Store s = Store.open(store)) {
            CsvExporter.export(s, csv, CsvExporter.Options.defaults());
        }
        Path back = tmp.resolve("back.tsp");
        CsvImporter.importFile(csv, back, CsvOptions.defaults());
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(store));
    }

    @Test
    void exportWritesTheDocumentedFormat(@TempDir Path tmp) throws Exception {
        Path store = randomStore(tmp.resolve("a.tsp"), 1, 3, List.of("=cmd", "b,c"));
        try (Store s = Store.open(store)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CsvExporter.export(s, out, new CsvExporter.Options(CsvExporter.TimestampStyle.ISO, true, 1));
            String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines[0]).isEqualTo("series,ts,value");
            assertThat(lines).hasSize(4);
            assertThat(String.join("\n", lines)).contains("'=cmd,").contains("\"b,c\",");
        }
        assertThat(CsvExporter.escapeName("=HYPERLINK(\"http://x\")", 0)).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\")\"");
        assertThat(CsvExporter.escapeName("-1", 0)).isEqualTo("'-1");
        assertThat(CsvExporter.escapeName("plain", 0)).isEqualTo("plain");
        assertThat(CsvExporter.formatValue(-1.0)).isEqualTo("-1");
        assertThat(CsvExporter.formatValue(-0.0)).isEqualTo("-0");
        assertThat(CsvExporter.formatValue(1e-7)).isEqualTo("1.0E-7");
        assertThatThrownBy(() -> CsvExporter.escapeName("two\nlines", 3)).hasMessageContaining("series 3")
                .hasMessageContaining("line break");
    }

    @Test
    void isoExportWritesUtcWithTrimmedFractions(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("t.tsp");
        long[] ts = {-1, 0, 1_700_000_000_000_000_001L, 1_700_000_000_000_001_000L, 1_700_000_000_250_000_000L}; // a store is in time order
        try (Arena arena = Arena.ofConfined(); StoreWriter w = StoreWriter.create(store, ts.length, SeriesDictionary.empty())) {
            w.write(Column.TS, 0, arena.allocateFrom(Column.TS_LAYOUT, ts));
            w.write(Column.VALUE, 0, arena.allocateFrom(Column.VALUE_LAYOUT, 1, 2, Double.NaN, Double.POSITIVE_INFINITY, -0.5));
            w.commit();
        }
        try (Store s = Store.open(store)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CsvExporter.export(s, out, new CsvExporter.Options(CsvExporter.TimestampStyle.ISO, false, 2));
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                    1969-12-31T23:59:59.999999999Z,1
                    1970-01-01T00:00:00Z,2
                    2023-11-14T22:13:20.000000001Z,
                    2023-11-14T22:13:20.000001Z,Infinity
                    2023-11-14T22:13:20.250Z,-0.5
                    """);
        }
    }

    @Test
    void exportToAFileLeavesNothingWhenItFails(@TempDir Path tmp) throws Exception {
        Path store = randomStore(tmp.resolve("a.tsp"), 1, 3, List.of("bad\nname"));
        Path csv = tmp.resolve("a.csv");
        try (Store s = Store.open(store)) {
            assertThatThrownBy(() -> CsvExporter.export(s, csv, CsvExporter.Options.defaults()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.tsp");
        }
    }
}
