package dev.tsproc.store;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.StoreFiles.Contents;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreWriterTest {
    private static final SeriesDictionary NO_SERIES = SeriesDictionary.empty();

    @ParameterizedTest(name = "{0} rows, {1} series")
    @CsvSource({"0, 0", "1, 0", "0, 3", "1, 1", "63, 0", "64, 2", "65, 0", "10007, 0", "10007, 17"})
    void roundTripsEveryValue(int rowCount, int seriesCount, @TempDir Path dir) throws IOException {
        Contents contents = Contents.random(new Random(rowCount), rowCount, seriesCount);
        Path file = StoreFiles.write(dir.resolve("s.tsp"), contents);
        try (Store store = Store.open(file)) {
            StoreFiles.assertHolds(store, contents);
            store.verifyChecksums();
        }
    }

    @Test
    void roundTripsChunksWrittenFromManyThreadsInRandomOrder(@TempDir Path dir) throws IOException {
        Contents contents = Contents.random(new Random(1), 200_003, 40);
        Path file = StoreFiles.write(dir.resolve("s.tsp"), contents, new Random(2), 997, 8);
        try (Store store = Store.open(file)) {
            StoreFiles.assertHolds(store, contents);
            store.verifyChecksums();
        }
    }

    @Property(tries = 60)
    void roundTripsAnyContentsInAnyChunking(@ForAll @IntRange(max = 3000) int rowCount,
                                            @ForAll @IntRange(max = 20) int seriesCount,
                                            @ForAll @IntRange(min = 1, max = 400) int maxChunkRows,
                                            @ForAll @IntRange(min = 1, max = 4) int threads,
                                            @ForAll long seed) throws IOException {
        Contents contents = Contents.random(new Random(seed), rowCount, seriesCount);
        Path dir = Files.createTempDirectory("store-writer-property");
        try {
            Path file = StoreFiles.write(dir.resolve("s.tsp"), contents, new Random(seed), maxChunkRows, threads);
            try (Store store = Store.open(file)) {
                StoreFiles.assertHolds(store, contents);
                store.verifyChecksums();
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void emptyChunksAnywhereAreHarmless(@TempDir Path dir) throws IOException {
        // A writer that splits rows among more threads than there are rows hands some threads
        // nothing: their empty chunks may arrive in any order among the real ones.
        Path file = dir.resolve("s.tsp");
        try (StoreWriter writer = StoreWriter.create(file, 2, NO_SERIES); Arena arena = Arena.ofConfined()) {
            for (Column column : List.of(Column.TS, Column.VALUE)) {
                MemorySegment one = StoreWriter.allocateChunk(arena, column, 1);
                MemorySegment none = StoreWriter.allocateChunk(arena, column, 0);
                writer.write(column, 0, one);
                writer.write(column, 0, none);
                writer.write(column, 1, none);
                writer.write(column, 1, one);
                writer.write(column, 2, none);
            }
            writer.commit();
        }
        try (Store store = Store.open(file)) {
            assertThat(store.rowCount()).isEqualTo(2);
            store.verifyChecksums();
        }
    }

    @Test
    void acceptsChunksOverJavaArrays(@TempDir Path dir) throws IOException {
        Contents contents = Contents.random(new Random(4), 1000, 3);
        Path file = dir.resolve("s.tsp");
        try (StoreWriter writer = StoreWriter.create(file, 1000, contents.dictionary())) {
            writer.write(Column.TS, 0, MemorySegment.ofArray(contents.ts()));
            writer.write(Column.VALUE, 0, MemorySegment.ofArray(contents.values()));
            writer.write(Column.SERIES, 0, MemorySegment.ofArray(contents.series()).asSlice(0, 400));
            writer.write(Column.SERIES, 100, MemorySegment.ofArray(contents.series()).asSlice(400));
            writer.commit();
        }
        try (Store store = Store.open(file)) {
            StoreFiles.assertHolds(store, contents);
            store.verifyChecksums();
        }
    }

    @Test
    void takesTheDictionaryAtCommitAndRowsRewrittenInPlace(@TempDir Path dir) throws IOException {
        Contents contents = Contents.random(new Random(5), 1000, 3);
        Path file = dir.resolve("s.tsp");
        try (StoreWriter writer = StoreWriter.create(file, 1000, true); Arena arena = Arena.ofConfined()) {
            writer.write(Column.TS, 0, MemorySegment.ofArray(contents.ts()));
            writer.write(Column.VALUE, 0, MemorySegment.ofArray(contents.values()));
            MemorySegment ids = arena.allocate(Column.SERIES.byteSize(600)).copyFrom(
                    MemorySegment.ofArray(contents.series()).asSlice(0, Column.SERIES.byteSize(600)));
            for (long i = 0; i < 600; i++) { // written first as ids + 7, as an import writes chunk-local ids
                ids.setAtIndex(Column.SERIES_LAYOUT, i, ids.getAtIndex(Column.SERIES_LAYOUT, i) + 7);
            }
            writer.write(Column.SERIES, 0, ids);
            writer.write(Column.SERIES, 600, MemorySegment.ofArray(contents.series()).asSlice(Column.SERIES.byteSize(600)));
            MemorySegment back = arena.allocate(Column.SERIES.byteSize(600));
            writer.read(Column.SERIES, 0, back);
            assertThat(back.mismatch(ids)).isEqualTo(-1);
            for (long i = 0; i < 600; i++) {
                back.setAtIndex(Column.SERIES_LAYOUT, i, back.getAtIndex(Column.SERIES_LAYOUT, i) - 7);
            }
            assertThatThrownBy(() -> writer.overwrite(Column.SERIES, 0, back.asSlice(0, 40)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("were not written before");
            writer.overwrite(Column.SERIES, 0, back);
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.commit(NO_SERIES)).isInstanceOf(IllegalArgumentException.class);
            writer.commit(contents.dictionary());
        }
        try (Store store = Store.open(file)) {
            StoreFiles.assertHolds(store, contents); // the checksum is that of the rewritten ids
            store.verifyChecksums();
        }
    }

    @Test
    void mapsWhatWasWrittenWithUnwrittenRowsAsZero(@TempDir Path dir) throws IOException {
        try (StoreWriter writer = StoreWriter.create(dir.resolve("s.tsp"), 100, false); Arena arena = Arena.ofConfined()) {
            writer.write(Column.VALUE, 10, MemorySegment.ofArray(new double[] {1.5, 2.5}));
            MemorySegment values = writer.mapWritten(Column.VALUE, arena);
            assertThat(values.byteSize()).isEqualTo(Column.VALUE.byteSize(100));
            assertThat(values.getAtIndex(Column.VALUE_LAYOUT, 11)).isEqualTo(2.5);
            assertThat(values.getAtIndex(Column.VALUE_LAYOUT, 99)).isZero();
            assertThat(writer.mapWritten(Column.TS, arena).getAtIndex(Column.TS_LAYOUT, 0)).isZero();
        }
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void closeWithoutCommitLeavesNoFile(@TempDir Path dir) throws IOException {
        try (StoreWriter writer = StoreWriter.create(dir.resolve("s.tsp"), 100, NO_SERIES); Arena arena = Arena.ofConfined()) {
            writer.write(Column.TS, 0, StoreWriter.allocateChunk(arena, Column.TS, 50));
            assertThat(listing(dir)).as("the partial file exists while writing").hasSize(1);
        }
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void refusesExistingTarget(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("s.tsp"), "keep me");
        assertThatThrownBy(() -> StoreWriter.create(file, 1, NO_SERIES))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(file.toString());
        assertThat(Files.readString(file)).isEqualTo("keep me");
        assertThat(listing(dir)).containsExactly(file);
    }

    @Test
    void refusesDanglingSymlinkAsTarget(@TempDir Path dir) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("s.tsp"), dir.resolve("elsewhere"));
        assertThatThrownBy(() -> StoreWriter.create(link, 1, NO_SERIES)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }

    @ParameterizedTest(name = "chunks {0} of 10 rows")
    @CsvSource(delimiter = ';', value = {
            "0+3, 5+5; rows [3, 5) were never written",
            "0+5, 3+7; rows [3, 5) were twice written",
            "0+5, 0+5, 5+5; rows [0, 5) were twice written",
            "0+4; rows [4, 10) were never written",
            "; rows [0, 10) were never written"})
    void commitOfBadTilingFailsAndLeavesNothing(String chunks, String problem, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.tsp");
        try (StoreWriter writer = StoreWriter.create(file, 10, NO_SERIES); Arena arena = Arena.ofConfined()) {
            writeAll(writer, Column.VALUE, "0+10", arena);
            writeAll(writer, Column.TS, chunks == null ? "" : chunks, arena);
            assertThatThrownBy(writer::commit)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("TS " + problem);
            assertThat(file).doesNotExist();
        }
        assertThat(listing(dir)).isEmpty();
    }

    /** Writes chunks given as {@code "first+rows, ..."}. */
    private static void writeAll(StoreWriter writer, Column column, String chunks, Arena arena) throws IOException {
        for (String chunk : chunks.split(",")) {
            if (chunk.isBlank()) {
                continue;
            }
            String[] parts = chunk.strip().split("\\+");
            writer.write(column, Long.parseLong(parts[0]), StoreWriter.allocateChunk(arena, column, Long.parseLong(parts[1])));
        }
    }

    @Test
    void rejectsChunksOutsideTheRows(@TempDir Path dir) throws IOException {
        try (StoreWriter writer = StoreWriter.create(dir.resolve("s.tsp"), 10, NO_SERIES); Arena arena = Arena.ofConfined()) {
            MemorySegment two = StoreWriter.allocateChunk(arena, Column.TS, 2);
            for (long firstRow : new long[] {-1, 9, 11, Long.MAX_VALUE, Long.MIN_VALUE}) {
                assertThatThrownBy(() -> writer.write(Column.TS, firstRow, two))
                        .as("firstRow=%d", firstRow)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("outside [0, 10)");
            }
        }
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void rejectsChunkOfPartialElements(@TempDir Path dir) throws IOException {
        try (StoreWriter writer = StoreWriter.create(dir.resolve("s.tsp"), 10, NO_SERIES); Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> writer.write(Column.TS, 0, arena.allocate(7)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsSeriesChunkInStoreWithoutSeries(@TempDir Path dir) throws IOException {
        try (StoreWriter writer = StoreWriter.create(dir.resolve("s.tsp"), 10, NO_SERIES); Arena arena = Arena.ofConfined()) {
            assertThat(writer.hasSeries()).isFalse();
            assertThatThrownBy(() -> writer.write(Column.SERIES, 0, StoreWriter.allocateChunk(arena, Column.SERIES, 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no SERIES column");
        }
    }

    @Test
    void rejectsNegativeRowCountWithoutCreatingAFile(@TempDir Path dir) {
        assertThatThrownBy(() -> StoreWriter.create(dir.resolve("s.tsp"), -3, NO_SERIES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rowCount=-3");
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void rejectsMissingDirectory(@TempDir Path dir) {
        Path file = dir.resolve("absent").resolve("s.tsp");
        assertThatThrownBy(() -> StoreWriter.create(file, 1, NO_SERIES))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void rejectsSecondCommit(@TempDir Path dir) throws IOException {
        try (StoreWriter writer = StoreWriter.create(dir.resolve("s.tsp"), 0, NO_SERIES)) {
            writer.commit();
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class).hasMessage("already committed");
        }
        assertThat(listing(dir)).containsExactly(dir.resolve("s.tsp"));
    }

    @Test
    void createsOwnerOnlyFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.tsp");
        try (StoreWriter writer = StoreWriter.create(file, 0, NO_SERIES)) {
            Path partial = listing(dir).getFirst();
            assertThat(partial.getFileName().toString()).startsWith(".s.tsp.partial-");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(partial))).isEqualTo("rw-------");
            writer.commit();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    private static List<Path> listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
