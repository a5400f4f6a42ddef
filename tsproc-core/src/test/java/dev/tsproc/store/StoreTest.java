package dev.tsproc.store;

import dev.tsproc.data.Batch;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.StoreFiles.Contents;
import dev.tsproc.testkit.TestStores;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class StoreTest {
    /** Three rows in two series: all three columns, small enough to damage at every byte. */
    private static final Contents SMALL = new Contents(
            new long[] {10, 20, 30}, new double[] {1.5, Double.NaN, -2}, new int[] {1, 0, 1}, List.of("a", "b"));

    private static final byte[] SMALL_BYTES = StoreFiles.bytesOf(SMALL);

    private static Path small(Path dir) throws IOException {
        return StoreFiles.write(dir.resolve("small.tsp"), SMALL);
    }

    private static String invalid(Path file) {
        return file + " is not a valid tsproc store: ";
    }

    /** Asserts that opening {@code file} fails with a CorruptStoreException naming the file and {@code problem}. */
    private static void assertRejected(Path file, String problem) {
        assertThatThrownBy(() -> Store.open(file))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith(invalid(file))
                .hasMessageContaining(problem);
    }

    // ---- reading a good store -------------------------------------------------------------

    @Test
    void opensWhatWasWritten(@TempDir Path dir) throws IOException {
        Path file = small(dir);
        try (Store store = Store.open(file)) {
            StoreFiles.assertHolds(store, SMALL);
            store.verifyChecksums();
            assertThat(store.path()).isEqualTo(file);
            assertThat(store.fileSize()).isEqualTo(Files.size(file));
            assertThat(store.columns()).extracting(Store.ColumnInfo::column)
                    .containsExactly(Column.TS, Column.VALUE, Column.SERIES);
        }
    }

    /**
     * {@link #SMALL} as committed bytes of format {@code version}: the format must not drift by
     * accident (docs/FORMAT.md dumps this file), and every version stays readable.
     */
    private static byte[] golden(int version) throws IOException {
        try (InputStream in = StoreTest.class.getResourceAsStream("small-v" + version + ".golden")) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void readsGoldenStoresOfEveryVersion(int version, @TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("golden.tsp"), golden(version));
        try (Store store = Store.open(file)) {
            StoreFiles.assertHolds(store, SMALL);
            store.verifyChecksums();
            assertThat(store.checksBlocksAsRead()).isEqualTo(version >= 2);
            store.checkRows(0, 3);
        }
    }

    @Test
    void writerStillWritesGoldenVersion2Bytes() throws IOException {
        assertThat(SMALL_BYTES).isEqualTo(golden(2));
    }

    @Test
    void version1StoresMustKeepTheReservedBytesZero(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("golden.tsp"), golden(1));
        StoreFiles.editHeader(file, b -> b.put(StoreLayout.BLOCK_CRC_OFFSET_OFFSET + 7, (byte) 1));
        assertRejected(file, "the reserved header bytes 56..63 are not zero");
    }

    @Test
    void fileEndsWithTheDictionary(@TempDir Path dir) throws IOException {
        ByteBuffer bytes = StoreFiles.read(small(dir));
        long dictionaryEnd = bytes.getLong(StoreLayout.DICTIONARY_OFFSET_OFFSET) + bytes.getLong(StoreLayout.DICTIONARY_LENGTH_OFFSET);
        assertThat(dictionaryEnd).isEqualTo(bytes.capacity());
    }

    @Test
    void viewsSliceTheRequestedRows(@TempDir Path dir) throws IOException {
        try (Store store = Store.open(small(dir))) {
            BatchView view = store.view(new Batch(7, 1, 2));
            assertThat(view.batchIndex()).isEqualTo(7);
            assertThat(view.rowOffset()).isEqualTo(1);
            assertThat(view.ts(0)).isEqualTo(20);
            assertThat(view.value(0)).isNaN();
            assertThat(view.value(1)).isEqualTo(-2);
            assertThat(view.dictionary().name(view.seriesId(1))).isEqualTo("b");
            assertThat(store.view(new Batch(0, 3, 0)).rowCount()).isZero();
        }
    }

    @Test
    void refusesViewsOutsideTheRows(@TempDir Path dir) throws IOException {
        try (Store store = Store.open(small(dir))) {
            for (long[] rows : new long[][] {{2, 2}, {-1, 1}, {0, -1}, {Long.MAX_VALUE, 2}, {1, Long.MAX_VALUE}}) {
                assertThatThrownBy(() -> store.view(new Batch(0, rows[0], rows[1])))
                        .as("rows %s", Arrays.toString(rows))
                        .isInstanceOf(IndexOutOfBoundsException.class);
            }
        }
    }

    @Test
    void storeWithoutSeriesHasNoSeriesColumn(@TempDir Path dir) throws IOException {
        Contents contents = Contents.random(new Random(3), 5, 0);
        try (Store store = Store.open(StoreFiles.write(dir.resolve("s.tsp"), contents))) {
            assertThat(store.hasSeries()).isFalse();
            assertThat(store.dictionary().size()).isZero();
            assertThat(store.view(new Batch(0, 0, 5)).seriesId(4)).isZero();
            assertThatThrownBy(() -> store.column(Column.SERIES))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no SERIES column");
        }
    }

    @Test
    void closedStoreRefusesReadsInsteadOfCrashing(@TempDir Path dir) throws IOException {
        Store store = Store.open(small(dir));
        var ts = store.column(Column.TS);
        store.close();
        assertThatThrownBy(() -> ts.getAtIndex(Column.TS_LAYOUT, 0)).isInstanceOf(IllegalStateException.class);
    }

    // ---- files that are not stores --------------------------------------------------------

    @Test
    void rejectsEmptyFile(@TempDir Path dir) throws IOException {
        Path file = Files.createFile(dir.resolve("empty.tsp"));
        assertThatThrownBy(() -> Store.open(file))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessage(invalid(file) + "it is 0 bytes long, shorter than a store header");
    }

    @Test
    void rejectsFileShorterThanHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("short.tsp");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(small(dir)), 63));
        assertThatThrownBy(() -> Store.open(file))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("it is 63 bytes long, shorter than a store header");
    }

    static Stream<?> foreignFiles() {
        byte[] noise = new byte[4096];
        new Random(11).nextBytes(noise);
        String csv = "ts,value\n" + "1700000000000000000,1.5\n".repeat(10);
        return Stream.of(
                arguments(Named.of("random bytes", noise)),
                arguments(Named.of("a CSV file", csv.getBytes(StandardCharsets.UTF_8))),
                arguments(Named.of("64 zero bytes", new byte[64])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignFiles")
    void rejectsForeignFile(byte[] content, @TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("foreign.tsp"), content);
        assertThatThrownBy(() -> Store.open(file))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessage(invalid(file) + "it does not start with the tsproc magic bytes");
    }

    @Test
    void rejectsWrongMagic(@TempDir Path dir) throws IOException {
        Path file = small(dir);
        StoreFiles.editHeader(file, bytes -> bytes.put(7, (byte) 'X'));
        assertRejected(file, "magic bytes");
    }

    @Test
    void rejectsUnsupportedVersions(@TempDir Path dir) throws IOException {
        Path file = small(dir);
        for (int version : new int[] {0, 3, -1}) {
            StoreFiles.editHeader(file, bytes -> bytes.putInt(StoreLayout.VERSION_OFFSET, version));
            assertThatThrownBy(() -> Store.open(file))
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessage(invalid(file) + "format version=" + version + " is not supported (this build reads versions 1 to 2)");
        }
    }

    @Test
    void rejectsDirectory(@TempDir Path dir) {
        assertThatThrownBy(() -> Store.open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessage(invalid(dir) + "it is a directory");
    }

    @Test
    void missingFileIsNoSuchFile(@TempDir Path dir) {
        assertThatThrownBy(() -> Store.open(dir.resolve("absent.tsp")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("absent.tsp");
    }

    // ---- damaged stores -------------------------------------------------------------------

    @Test
    void rejectsTruncationAtEveryLength(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(small(dir));
        int headerLength = StoreLayout.headerLength(3);
        Path file = dir.resolve("truncated.tsp");
        for (int length = 0; length < whole.length; length++) {
            Files.write(file, Arrays.copyOf(whole, length));
            String expected = length < StoreLayout.HEADER_SIZE ? "shorter than a store header"
                    : length < headerLength ? "headerLength=" + headerLength + " does not fit columnCount=3 and fileSize=" + length
                    : "the file is truncated or damaged";
            assertThatThrownBy(() -> Store.open(file))
                    .as("truncated to %d of %d bytes", length, whole.length)
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageStartingWith(invalid(file))
                    .hasMessageContaining(expected);
        }
    }

    @Test
    void rejectsEveryFlippedBitInTheHeader(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(small(dir));
        Path file = dir.resolve("flipped.tsp");
        for (int bit = 0; bit < StoreLayout.headerLength(3) * 8; bit++) {
            byte[] damaged = whole.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            Files.write(file, damaged);
            assertThatThrownBy(() -> Store.open(file))
                    .as("bit %d flipped", bit)
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageStartingWith(invalid(file));
        }
    }

    @Test
    void headerChecksumCatchesAFlippedBitInAField(@TempDir Path dir) throws IOException {
        Path file = small(dir);
        byte[] bytes = Files.readAllBytes(file);
        bytes[StoreLayout.ROW_COUNT_OFFSET] ^= 0x01;
        Files.write(file, bytes);
        assertThatThrownBy(() -> Store.open(file))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessage(invalid(file) + "the header checksum does not match; the header is damaged");
    }

    @ParameterizedTest
    @EnumSource(Column.class)
    void verifyChecksumsNamesTheDamagedColumn(Column column, @TempDir Path dir) throws IOException {
        Path file = small(dir);
        ByteBuffer bytes = StoreFiles.read(file);
        long offset = bytes.getLong(StoreFiles.entryOf(bytes, column) + StoreLayout.ENTRY_OFFSET_OFFSET);
        bytes.put((int) offset + 1, (byte) (bytes.get((int) offset + 1) ^ 0x10));
        Files.write(file, bytes.array());
        try (Store store = Store.open(file)) {
            assertThatThrownBy(store::verifyChecksums)
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageStartingWith(invalid(file) + "the " + column.name().toLowerCase() + " column's checksum does not match");
        }
    }

    /**
     * Issue 13.8: a batch's rows are checked as the job reads them, a column and a checksum block
     * at a time, so a damaged block fails every view that reads its column there, names only
     * that block, and a view that does not read the column does not fail. Chunks of random sizes
     * written by four threads straddle the blocks, whose CRCs the writer combines from pieces.
     */
    @ParameterizedTest
    @EnumSource(Column.class)
    void aDamagedBlockFailsTheViewsThatReadIt(Column column, @TempDir Path dir) throws IOException {
        int n = 2 * StoreLayout.BLOCK_ROWS + 100;
        Contents contents = Contents.random(new Random(5), n, 4);
        Path file = StoreFiles.write(dir.resolve("blocks.tsp"), contents, new Random(6), 50_000, 4);
        try (Store store = Store.open(file)) {
            store.checkRows(0, n);
        }
        ByteBuffer bytes = StoreFiles.read(file);
        long row = StoreLayout.BLOCK_ROWS + 7;
        long at = bytes.getLong(StoreFiles.entryOf(bytes, column) + StoreLayout.ENTRY_OFFSET_OFFSET) + column.byteSize(row);
        bytes.put((int) at, (byte) (bytes.get((int) at) ^ 0x01));
        Files.write(file, bytes.array());
        try (Store store = Store.open(file)) {
            read(store.view(new Batch(0, 0, StoreLayout.BLOCK_ROWS)), column); // block 0 is intact
            read(store.view(new Batch(2, 2L * StoreLayout.BLOCK_ROWS, 100)), column); // and so is block 2
            for (Column other : Column.values()) {
                if (other != column) {
                    read(store.view(new Batch(1, StoreLayout.BLOCK_ROWS, 10)), other); // another column of block 1
                }
            }
            for (int attempt = 0; attempt < 2; attempt++) { // a failed block stays unchecked
                BatchView view = store.view(new Batch(1, StoreLayout.BLOCK_ROWS - 10, 20));
                assertThatThrownBy(() -> read(view, column))
                        .isInstanceOf(java.io.UncheckedIOException.class)
                        .cause().isInstanceOf(CorruptStoreException.class)
                        .hasMessage(invalid(file) + "the " + column.name().toLowerCase() + " column's checksum does not match in rows "
                                + StoreLayout.BLOCK_ROWS + ".." + (2 * StoreLayout.BLOCK_ROWS - 1) + " (block 1: stored %s, computed %s); the data is damaged",
                                Integer.toHexString(blockCrc(bytes, column, 1)), Integer.toHexString(Crc32c.of(
                                        store.column(column).asSlice(column.byteSize(StoreLayout.BLOCK_ROWS), column.byteSize(StoreLayout.BLOCK_ROWS)))));
            }
        }
    }

    private static void read(BatchView view, Column column) {
        switch (column) {
            case TS -> view.ts();
            case VALUE -> view.values();
            case SERIES -> view.series();
        }
    }

    private static int blockCrc(ByteBuffer bytes, Column column, int block) {
        int index = (StoreFiles.entryOf(bytes, column) - StoreLayout.HEADER_SIZE) / StoreLayout.ENTRY_SIZE;
        long blocks = StoreLayout.blockCount(bytes.getLong(StoreLayout.ROW_COUNT_OFFSET));
        return bytes.getInt((int) (bytes.getLong(StoreLayout.BLOCK_CRC_OFFSET_OFFSET) + 4 * (blocks * index + block)));
    }

    /**
     * What a checksum cannot see — a writer that wrote rows out of time order, or series ids the
     * dictionary lacks, and computed the checksums of that — is caught in the same pass, within
     * a block and across the boundary with the block before.
     */
    @Test
    void checkingABlockFindsDisorderThatItsChecksumCannotSee(@TempDir Path dir) throws IOException {
        int n = StoreLayout.BLOCK_ROWS + 10;
        long[] ts = new long[n];
        double[] values = new double[n];
        int[] series = new int[n];
        Arrays.setAll(ts, i -> 1_000L * i);
        SeriesDictionary one = SeriesDictionary.of(List.of("a"));
        ts[StoreLayout.BLOCK_ROWS] = ts[StoreLayout.BLOCK_ROWS - 1] - 1; // the first row of block 1 goes back
        Path descending = TestStores.write(dir.resolve("descending.tsp"), ts, values, series, one);
        try (Store store = Store.open(descending)) {
            store.checkRows(0, StoreLayout.BLOCK_ROWS);
            assertThatThrownBy(() -> store.checkRows(StoreLayout.BLOCK_ROWS, 1)).isInstanceOf(CorruptStoreException.class)
                    .hasMessage(invalid(descending) + "timestamps descend at row 65536 (65534999 after 65535000);"
                            + " a store must be in time order — re-import it");
        }
        ts[StoreLayout.BLOCK_ROWS] = ts[StoreLayout.BLOCK_ROWS - 1];
        series[12] = 1;
        Path unknown = TestStores.write(dir.resolve("unknown.tsp"), ts, values, series, one);
        try (Store store = Store.open(unknown)) {
            store.checkRows(StoreLayout.BLOCK_ROWS, 10);
            BatchView view = store.view(new Batch(0, 0, 1));
            view.values();
            assertThatThrownBy(() -> view.seriesId(0)).isInstanceOf(java.io.UncheckedIOException.class).cause()
                    .hasMessage(invalid(unknown) + "row 12 has series id 1, but the dictionary has 1 series; the store is damaged");
        }
    }

    @Test
    void verifyFindsTimestampsOutOfOrderAndUnknownSeriesIdsThatChecksumsCannotSee(@TempDir Path dir) throws IOException {
        int n = 20_000; // pieces of 1,000 rows: a descent may straddle two
        long[] ts = new long[n];
        double[] values = new double[n];
        int[] series = new int[n];
        Arrays.setAll(ts, i -> 1_000L * i);
        Arrays.setAll(series, i -> i % 3);
        SeriesDictionary three = SeriesDictionary.of(List.of("a", "b", "c"));
        try (Store store = Store.open(TestStores.write(dir.resolve("ok.tsp"), ts, values, series, three))) {
            store.verify();
            store.verifyOrder(1_000);
        }
        ts[1_000] = ts[999] - 1; // first row of the second piece
        Path descending = TestStores.write(dir.resolve("descending.tsp"), ts, values, series, three);
        try (Store store = Store.open(descending)) {
            store.verifyChecksums();
            assertThatThrownBy(() -> store.verifyOrder(1_000)).isInstanceOf(CorruptStoreException.class)
                    .hasMessage(invalid(descending) + "timestamps descend at row 1000 (998999 after 999000);"
                            + " a store must be in time order — re-import it");
            assertThatThrownBy(store::verify).hasMessageContaining("descend at row 1000");
        }
        ts[1_000] = ts[999];
        series[n - 1] = 3;
        Path unknown = TestStores.write(dir.resolve("unknown.tsp"), ts, values, series, three);
        try (Store store = Store.open(unknown)) {
            assertThatThrownBy(store::verify).isInstanceOf(CorruptStoreException.class)
                    .hasMessage(invalid(unknown) + "row 19999 has series id 3, but the dictionary has 3 series; the store is damaged");
            assertThatThrownBy(() -> store.verifyOrder(1_000)).hasMessageContaining("row 19999 has series id 3");
        }
    }

    @Test
    void rejectsFlippedBitInTheDictionary(@TempDir Path dir) throws IOException {
        Path file = small(dir);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x04;
        Files.write(file, bytes);
        assertThatThrownBy(() -> Store.open(file))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessage(invalid(file) + "the series dictionary's checksum does not match; it is damaged");
    }

    /** Header edits that keep a valid header checksum, so each field's own check must catch them. */
    static Stream<?> badFields() {
        return Stream.of(
                field("negative rowCount", b -> b.putLong(StoreLayout.ROW_COUNT_OFFSET, -3), "rowCount=-3 is negative"),
                field("rowCount one too many", b -> b.putLong(StoreLayout.ROW_COUNT_OFFSET, 4), "ts column length=24 does not hold rowCount=4"),
                field("huge rowCount", b -> b.putLong(StoreLayout.ROW_COUNT_OFFSET, Long.MAX_VALUE), "does not hold rowCount=" + Long.MAX_VALUE),
                field("columnCount 0", b -> b.putInt(StoreLayout.COLUMN_COUNT_OFFSET, 0), "columnCount=0 is outside [2, 3]"),
                field("columnCount 4", b -> b.putInt(StoreLayout.COLUMN_COUNT_OFFSET, 4), "columnCount=4 is outside [2, 3]"),
                field("columnCount u32 max", b -> b.putInt(StoreLayout.COLUMN_COUNT_OFFSET, -1), "columnCount=-1 is outside [2, 3]"),
                field("headerLength short", b -> b.putInt(StoreLayout.HEADER_LENGTH_OFFSET, 64), "headerLength=64 does not fit columnCount=3"),
                field("headerLength huge", b -> b.putInt(StoreLayout.HEADER_LENGTH_OFFSET, Integer.MAX_VALUE), "headerLength=2147483647 does not fit"),
                field("flags set", b -> b.putInt(StoreLayout.FLAGS_OFFSET, 1), "flags=0x1 "),
                field("huge block checksum table offset", b -> b.put(StoreLayout.BLOCK_CRC_OFFSET_OFFSET + 7, (byte) 1),
                        "block checksum table [offset=72057594037928320"),
                field("block checksum table unaligned", b -> b.putLong(StoreLayout.BLOCK_CRC_OFFSET_OFFSET, 388),
                        "blockCrcOffset=388 is not 64-byte aligned"),
                field("block checksum table over the series", b -> b.putLong(StoreLayout.BLOCK_CRC_OFFSET_OFFSET, 320), "overlap"),
                field("huge ts offset", b -> putEntryLong(b, Column.TS, StoreLayout.ENTRY_OFFSET_OFFSET, Long.MAX_VALUE),
                        "ts column [offset=" + Long.MAX_VALUE + ", length=24] does not lie within bytes [160, "),
                field("negative ts offset", b -> putEntryLong(b, Column.TS, StoreLayout.ENTRY_OFFSET_OFFSET, -64), "ts column [offset=-64,"),
                field("ts offset inside the header", b -> putEntryLong(b, Column.TS, StoreLayout.ENTRY_OFFSET_OFFSET, 64), "ts column [offset=64,"),
                field("huge ts length", b -> putEntryLong(b, Column.TS, StoreLayout.ENTRY_LENGTH_OFFSET, Long.MAX_VALUE),
                        "length=" + Long.MAX_VALUE + "] does not lie within"),
                field("negative value length", b -> putEntryLong(b, Column.VALUE, StoreLayout.ENTRY_LENGTH_OFFSET, -8), "value column [offset=256, length=-8]"),
                field("series length one past the end", b -> putEntryLong(b, Column.SERIES, StoreLayout.ENTRY_LENGTH_OFFSET, b.capacity() - 320 + 1),
                        "series column [offset=320, length="),
                field("unaligned ts offset", b -> putEntryLong(b, Column.TS, StoreLayout.ENTRY_OFFSET_OFFSET, 200), "ts column offset=200 is not 64-byte aligned"),
                field("value over ts", b -> putEntryLong(b, Column.VALUE, StoreLayout.ENTRY_OFFSET_OFFSET, 192), "blocks at offsets 192 and 192 overlap"),
                field("dictionary over series", b -> b.putLong(StoreLayout.DICTIONARY_OFFSET_OFFSET, 320), "overlap"),
                field("huge dictionary offset", b -> b.putLong(StoreLayout.DICTIONARY_OFFSET_OFFSET, Long.MAX_VALUE), "dictionary [offset=" + Long.MAX_VALUE),
                field("huge dictionary length", b -> b.putLong(StoreLayout.DICTIONARY_LENGTH_OFFSET, Long.MAX_VALUE), "dictionary [offset=448, length=" + Long.MAX_VALUE),
                field("empty dictionary block", b -> b.putLong(StoreLayout.DICTIONARY_LENGTH_OFFSET, 0), "dictionaryLength=0 is out of range"),
                field("wrong type", b -> putEntryInt(b, Column.TS, StoreLayout.ENTRY_TYPE_OFFSET, StoreLayout.TYPE_FLOAT64), "ts column has type=2, expected 1"),
                field("unknown column id", b -> putEntryInt(b, Column.TS, StoreLayout.ENTRY_COLUMN_ID_OFFSET, 9), "column 0 has unknown columnId=9"),
                field("duplicate column id", b -> duplicateTs(b), "column 1 has duplicate columnId=1"),
                field("entry reserved set", b -> putEntryInt(b, Column.VALUE, StoreLayout.ENTRY_RESERVED_OFFSET, 5), "value column reserved=5"));
    }

    private static Object field(String name, Consumer<ByteBuffer> edit, String problem) {
        return arguments(Named.of(name, edit), problem);
    }

    private static void putEntryLong(ByteBuffer bytes, Column column, int field, long value) {
        bytes.putLong(StoreFiles.entryOf(bytes, column) + field, value);
    }

    private static void putEntryInt(ByteBuffer bytes, Column column, int field, int value) {
        bytes.putInt(StoreFiles.entryOf(bytes, column) + field, value);
    }

    private static void duplicateTs(ByteBuffer bytes) {
        int ts = StoreFiles.entryOf(bytes, Column.TS);
        int value = StoreFiles.entryOf(bytes, Column.VALUE);
        bytes.put(value, bytes.array(), ts, StoreLayout.ENTRY_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFields")
    void rejectsBadFieldBehindValidChecksum(Consumer<ByteBuffer> edit, String problem, @TempDir Path dir) throws IOException {
        Path file = small(dir);
        StoreFiles.editHeader(file, edit);
        assertRejected(file, problem);
    }

    @Test
    void rejectsStoreWithoutTsColumn(@TempDir Path dir) throws IOException {
        Path file = StoreFiles.write(dir.resolve("s.tsp"), Contents.random(new Random(5), 4, 0));
        StoreFiles.editHeader(file, b -> {
            // Relabel ts as series, with a series-sized length, so only the missing column is wrong.
            int ts = StoreFiles.entryOf(b, Column.TS);
            b.putInt(ts + StoreLayout.ENTRY_COLUMN_ID_OFFSET, Column.SERIES.id());
            b.putInt(ts + StoreLayout.ENTRY_TYPE_OFFSET, StoreLayout.TYPE_INT32);
            b.putLong(ts + StoreLayout.ENTRY_LENGTH_OFFSET, Column.SERIES.byteSize(4));
        });
        assertRejected(file, "it lacks the ts or the value column");
    }

    /** Dictionary blocks that carry a valid checksum but break the encoding. */
    static Stream<?> badDictionaries() {
        return Stream.of(
                dictionary("negative count", block(-1), "dictionary count=-1 does not fit the store"),
                dictionary("no names for a series column", block(0), "dictionary count=0 does not fit the store"),
                dictionary("count beyond the block", block(1000, "a"), "dictionary count=1000 does not fit the store"),
                dictionary("name past the block end", cut(block(2, "a", "bcd"), 2), "dictionary entry 1 has length=3"),
                dictionary("name longer than allowed", block(2, "a", "x".repeat(StoreLayout.MAX_NAME_BYTES + 1)), "dictionary entry 1 has length=4097"),
                dictionary("invalid UTF-8", withBadUtf8(), "dictionary entry 1 is not valid UTF-8"),
                dictionary("duplicate names", block(2, "a", "a"), "the dictionary holds a duplicate series name 'a'"),
                dictionary("trailing bytes", block(1, "a", "b"), "dictionary has 5 bytes after its last entry"));
    }

    private static Object dictionary(String name, byte[] block, String problem) {
        return arguments(Named.of(name, block), problem);
    }

    /** A dictionary block declaring {@code count} names and holding {@code names}. */
    private static byte[] block(int count, String... names) {
        ByteBuffer out = ByteBuffer.allocate(8192 + 4 * names.length).order(ByteOrder.LITTLE_ENDIAN).putInt(count);
        for (String name : names) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            out.putInt(utf8.length).put(utf8);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] cut(byte[] block, int bytes) {
        return Arrays.copyOf(block, block.length - bytes);
    }

    private static byte[] withBadUtf8() {
        byte[] block = block(2, "a", "bc");
        block[block.length - 2] = (byte) 0xC3; // a lead byte followed by ASCII: malformed
        return block;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDictionaries")
    void rejectsBadDictionaryBehindValidChecksum(byte[] block, String problem, @TempDir Path dir) throws IOException {
        Path file = small(dir);
        StoreFiles.replaceDictionary(file, block);
        assertRejected(file, problem);
    }

    /**
     * Random damage, checksums resealed: whatever the bytes, open either fails with a
     * CorruptStoreException or yields a store whose every byte can be read.
     */
    @Property(tries = 300)
    void anyResealedDamageIsRejectedOrReadable(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits) throws IOException {
        Random random = new Random(seed);
        byte[] whole = SMALL_BYTES.clone();
        Path file = Files.createTempFile("fuzz", ".tsp");
        try {
            // Damage mostly the metadata, where the offsets and lengths live.
            for (int i = 0; i < edits; i++) {
                int at = random.nextInt(4) == 0 ? random.nextInt(whole.length) : random.nextInt(StoreLayout.headerLength(3));
                whole[at] = random.nextBoolean() ? (byte) random.nextInt() : (byte) (whole[at] ^ (1 << random.nextInt(8)));
            }
            ByteBuffer bytes = ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN);
            StoreFiles.sealHeader(bytes);
            int length = random.nextInt(3) == 0 ? random.nextInt(whole.length + 1) : whole.length;
            Files.write(file, Arrays.copyOf(bytes.array(), length));
            try (Store store = Store.open(file)) {
                for (Store.ColumnInfo info : store.columns()) {
                    assertThat(store.column(info.column()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).hasSize((int) info.byteLength());
                }
                store.verifyChecksums();
            } catch (CorruptStoreException expected) {
                assertThat(expected).hasMessageStartingWith(invalid(file));
            }
        } finally {
            Files.delete(file);
        }
    }
}
