package dev.tsproc.store;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Test fixture: store contents held in arrays, written through {@link StoreWriter}, read back and edited. */
final class StoreFiles {
    private StoreFiles() {}

    /** What a store holds; {@code series} is null for a store without a series column. */
    record Contents(long[] ts, double[] values, int[] series, List<String> names) {
        int rowCount() {
            return ts.length;
        }

        SeriesDictionary dictionary() {
            return SeriesDictionary.of(names);
        }

        /** {@code rowCount} rows of awkward values (NaN, ±Infinity, -0.0) and, if {@code seriesCount > 0}, series ids. */
        static Contents random(Random random, int rowCount, int seriesCount) {
            double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE};
            long[] ts = new long[rowCount];
            double[] values = new double[rowCount];
            long t = random.nextLong(1L << 62);
            for (int i = 0; i < rowCount; i++) {
                t += random.nextInt(1_000_000);
                ts[i] = t;
                values[i] = random.nextInt(8) == 0 ? special[random.nextInt(special.length)] : random.nextGaussian();
            }
            if (seriesCount == 0) {
                return new Contents(ts, values, null, List.of());
            }
            int[] series = IntStream.range(0, rowCount).map(i -> random.nextInt(seriesCount)).toArray();
            // Names outside ASCII, so the dictionary's UTF-8 lengths differ from char counts.
            List<String> names = IntStream.range(0, seriesCount).mapToObj(i -> "sensor-" + i + "-µ°").toList();
            return new Contents(ts, values, series, names);
        }
    }

    /** Writes {@code contents} to {@code target} in one chunk per column and commits. */
    static Path write(Path target, Contents contents) throws IOException {
        return write(target, contents, new Random(0), Math.max(1, contents.rowCount()), 1);
    }

    /**
     * Writes {@code contents} to {@code target} in chunks of 1 to {@code maxChunkRows} rows,
     * submitted in random order to {@code threads} threads, and commits.
     */
    static Path write(Path target, Contents contents, Random random, int maxChunkRows, int threads) throws IOException {
        try (StoreWriter writer = StoreWriter.create(target, contents.rowCount(), contents.dictionary())) {
            List<Runnable> chunks = new ArrayList<>();
            for (Column column : writer.hasSeries() ? Column.values() : new Column[] {Column.TS, Column.VALUE}) {
                for (int first = 0; first < contents.rowCount(); ) {
                    int rows = Math.min(1 + random.nextInt(maxChunkRows), contents.rowCount() - first);
                    int from = first;
                    chunks.add(() -> writeChunk(writer, contents, column, from, rows));
                    first += rows;
                }
            }
            Collections.shuffle(chunks, random);
            runAll(chunks, threads);
            writer.commit();
        }
        return target;
    }

    private static void writeChunk(StoreWriter writer, Contents contents, Column column, int firstRow, int rows) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = StoreWriter.allocateChunk(arena, column, rows);
            for (int i = 0; i < rows; i++) {
                switch (column) {
                    case TS -> chunk.setAtIndex(Column.TS_LAYOUT, i, contents.ts()[firstRow + i]);
                    case VALUE -> chunk.setAtIndex(Column.VALUE_LAYOUT, i, contents.values()[firstRow + i]);
                    case SERIES -> chunk.setAtIndex(Column.SERIES_LAYOUT, i, contents.series()[firstRow + i]);
                }
            }
            writer.write(column, firstRow, chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void runAll(List<Runnable> tasks, int threads) {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = tasks.stream().<Future<?>>map(pool::submit).toList();
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (Exception e) {
            throw new AssertionError("writing a chunk failed", e);
        }
    }

    /** Asserts that {@code store} holds exactly {@code contents}, NaN payloads and -0.0 included. */
    static void assertHolds(Store store, Contents contents) {
        assertThat(store.rowCount()).isEqualTo(contents.rowCount());
        assertThat(store.dictionary().names()).isEqualTo(contents.names());
        assertThat(store.hasSeries()).isEqualTo(contents.series() != null);
        assertThat(store.column(Column.TS).toArray(Column.TS_LAYOUT)).isEqualTo(contents.ts());
        // Compare bit patterns: equals on doubles would let NaN payloads and -0.0 slip.
        long[] valueBits = store.column(Column.VALUE).toArray(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN));
        long[] expectedBits = new long[contents.rowCount()];
        Arrays.setAll(expectedBits, i -> Double.doubleToRawLongBits(contents.values()[i]));
        assertThat(valueBits).isEqualTo(expectedBits);
        if (contents.series() != null) {
            assertThat(store.column(Column.SERIES).toArray(Column.SERIES_LAYOUT)).isEqualTo(contents.series());
        }
        for (Store.ColumnInfo info : store.columns()) {
            assertThat(info.byteOffset() % StoreLayout.ALIGNMENT).as("%s offset", info.column()).isZero();
        }
    }

    /** The bytes of a store holding {@code contents}, written in a temporary directory that is then removed. */
    static byte[] bytesOf(Contents contents) {
        try {
            Path dir = Files.createTempDirectory("store-bytes");
            Path file = write(dir.resolve("s.tsp"), contents);
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's bytes as a little-endian buffer. */
    static ByteBuffer read(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Applies {@code edit} to the file's bytes, then recomputes the header CRC, so that the
     * reader's field validation is reached rather than stopped by the checksum.
     */
    static void editHeader(Path file, Consumer<ByteBuffer> edit) throws IOException {
        ByteBuffer bytes = read(file);
        edit.accept(bytes);
        sealHeader(bytes);
        Files.write(file, bytes.array());
    }

    /** Rewrites the header CRC of {@code bytes} to match its current header and column table. */
    static void sealHeader(ByteBuffer bytes) {
        int columnCount = bytes.getInt(StoreLayout.COLUMN_COUNT_OFFSET);
        int headerLength = StoreLayout.headerLength(Math.clamp(columnCount, 0, StoreLayout.MAX_COLUMNS));
        bytes.putInt(StoreLayout.HEADER_CRC_OFFSET, 0);
        int crc = Crc32c.of(MemorySegment.ofArray(bytes.array()).asSlice(0, headerLength));
        bytes.putInt(StoreLayout.HEADER_CRC_OFFSET, crc);
    }

    /** Replaces the dictionary block with {@code block} (same offset) and fixes its length, CRC and the header CRC. */
    static void replaceDictionary(Path file, byte[] block) throws IOException {
        ByteBuffer old = read(file);
        long offset = old.getLong(StoreLayout.DICTIONARY_OFFSET_OFFSET);
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(offset + block.length)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(old.array(), 0, (int) offset).put(block);
        bytes.putLong(StoreLayout.DICTIONARY_LENGTH_OFFSET, block.length);
        bytes.putInt(StoreLayout.DICTIONARY_CRC_OFFSET, Crc32c.of(MemorySegment.ofArray(block)));
        sealHeader(bytes);
        Files.write(file, bytes.array());
    }

    /** Byte offset of the column-table entry of {@code column} in the file. */
    static int entryOf(ByteBuffer bytes, Column column) {
        int columnCount = bytes.getInt(StoreLayout.COLUMN_COUNT_OFFSET);
        for (int i = 0; i < columnCount; i++) {
            int at = (int) StoreLayout.entryOffset(i);
            if (bytes.getInt(at + StoreLayout.ENTRY_COLUMN_ID_OFFSET) == column.id()) {
                return at;
            }
        }
        throw new AssertionError("no " + column + " entry");
    }
}
