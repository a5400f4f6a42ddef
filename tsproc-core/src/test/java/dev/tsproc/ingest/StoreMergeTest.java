package dev.tsproc.ingest;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StoreMerge} against a plain reference: a stable sort by time of every input's rows, named by series. */
class StoreMergeTest {
    @TempDir
    Path dir;

    /** A row as a reference sees it: time, value bits and the series' name. */
    record Row(long ts, long valueBits, String series) {}

    private static List<Row> rows(Path path) throws Exception {
        try (Store store = Store.open(path)) {
            store.verify();
            List<Row> rows = new ArrayList<>();
            for (long i = 0; i < store.rowCount(); i++) {
                rows.add(new Row(store.column(Column.TS).getAtIndex(Column.TS_LAYOUT, i),
                        Double.doubleToRawLongBits(store.column(Column.VALUE).getAtIndex(Column.VALUE_LAYOUT, i)),
                        store.hasSeries() ? store.dictionary().name(store.column(Column.SERIES).getAtIndex(Column.SERIES_LAYOUT, i)) : null));
            }
            return rows;
        }
    }

    /** A store of {@code count} rows in time order (with repeated times) over some of the names, or without series. */
    private Path store(String name, long seed, int count, boolean withSeries) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> all = List.of("pump", "fan", "boiler, north", "\u00e4", "a", "zz");
        TreeSet<String> names = new TreeSet<>(Comparator.comparing((String s) -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.util.Arrays::compareUnsigned));
        while (withSeries && names.size() < 1 + random.nextInt(all.size())) {
            names.add(all.get(random.nextInt(all.size())));
        }
        List<String> dictionary = new ArrayList<>(names);
        long[] ts = new long[count];
        double[] values = new double[count];
        int[] series = new int[count];
        long t = random.nextLong(1_000);
        for (int i = 0; i < count; i++) {
            t += random.nextInt(3); // equal times too
            ts[i] = t;
            values[i] = random.nextInt(10) == 0 ? Double.NaN : random.nextDouble();
            series[i] = withSeries ? (i < dictionary.size() ? i : random.nextInt(dictionary.size())) : 0;
        }
        Path path = dir.resolve(name);
        try (Arena arena = Arena.ofConfined();
             StoreWriter writer = StoreWriter.create(path, count, withSeries ? SeriesDictionary.of(dictionary) : SeriesDictionary.empty())) {
            writer.write(Column.TS, 0, arena.allocateFrom(Column.TS_LAYOUT, ts));
            writer.write(Column.VALUE, 0, arena.allocateFrom(Column.VALUE_LAYOUT, values));
            if (withSeries) {
                writer.write(Column.SERIES, 0, arena.allocateFrom(Column.SERIES_LAYOUT, series));
            }
            writer.commit();
        }
        return path;
    }

    @Test
    void mergesAsAStableSortByTimeWithOneDictionaryWhateverTheOrder() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Path> inputs = new ArrayList<>();
            int count = 1 + random.nextInt(4);
            for (int k = 0; k < count; k++) {
                inputs.add(store(seed + "-" + k + ".tsp", seed * 31 + k, 1 + random.nextInt(300), true));
            }
            List<Row> expected = new ArrayList<>();
            for (Path input : inputs) {
                expected.addAll(rows(input));
            }
            expected.sort(Comparator.comparingLong(Row::ts)); // stable: inputs in order, rows in order
            Path merged = dir.resolve(seed + ".tsp");
            ColumnarImport.Result result = StoreMerge.write(inputs, merged, 1 + (int) (seed % 3));
            assertThat(rows(merged)).as("seed %d", seed).isEqualTo(expected);
            assertThat(result.rows()).isEqualTo(expected.size());

            List<Path> reversed = new ArrayList<>(inputs.reversed());
            Path other = dir.resolve(seed + "-reversed.tsp");
            StoreMerge.write(reversed, other, 2);
            try (Store a = Store.open(merged); Store b = Store.open(other)) {
                assertThat(b.dictionary()).isEqualTo(a.dictionary());
                assertThat(a.dictionary().names()).isSortedAccordingTo(Comparator.comparing(
                        (String s) -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Arrays::compareUnsigned));
            }
        }
    }

    @Test
    void storesWithAndWithoutSeriesAreRefusedAndNothingIsWritten() throws Exception {
        Path with = store("with.tsp", 1, 10, true);
        Path without = store("without.tsp", 2, 10, false);
        Path target = dir.resolve("merged.tsp");
        assertThatThrownBy(() -> StoreMerge.write(List.of(with, without), target, 2))
                .isInstanceOf(BadInputException.class)
                .hasMessage(without + ": it has no series column and " + with
                        + " has one; a store holds both or neither");
        assertThat(target).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("with.tsp", "without.tsp");
        }
    }

    /** A damaged store is never merged into a new one whose checksums would be fresh and valid. */
    @Test
    void aDamagedStoreIsRefusedAndNothingIsWritten() throws Exception {
        Path sound = store("sound.tsp", 1, 10, true);
        Path damaged = store("damaged.tsp", 2, 100, true);
        long valueAt;
        try (Store opened = Store.open(damaged)) {
            valueAt = opened.columns().stream().filter(c -> c.column() == Column.VALUE).findFirst().orElseThrow().byteOffset();
        }
        try (FileChannel ch = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7f}), valueAt + 8 * 42 + 7); // row 42's sign and exponent
        }
        Path target = dir.resolve("merged.tsp");
        assertThatThrownBy(() -> StoreMerge.write(List.of(sound, damaged), target, 2))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining(damaged + " is not a valid tsproc store: the value column's checksum does not match in rows 0..99");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("sound.tsp", "damaged.tsp");
        }
    }
}
