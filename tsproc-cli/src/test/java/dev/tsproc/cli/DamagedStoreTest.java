package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.data.Column;
import dev.tsproc.store.Crc32c;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13.8: a plain {@code run} of a store whose column data was damaged after it was
 * written — a flipped value byte, a series id, a timestamp moved back — fails in one sentence
 * with exit 1, where it used to answer: on its first run, in worker threads and in worker JVMs
 * (each checks the blocks of the batches it reads), and on a later run of a version-1 store,
 * which the verified-once mark guards. Nor does a damaged store leave through {@code export}
 * or {@code import --append-to}: one sentence, exit 1, no output file, the store unchanged.
 */
class DamagedStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"VALUE, 70000, threads", "SERIES, 777, threads", "TS, 4512, threads",
            "VALUE, 1000, processes", "SERIES, 70000, processes", "TS, 99999, processes"})
    void aDamagedStoreNeverAnswersEvenOnItsFirstRun(Column column, long row, String executor) throws Exception {
        Path store = generate();
        damage(store, column, row);

        // Two worker threads, but one worker JVM: each JVM checks what it reads alike, and one starts faster.
        Cli after = Cli.run("run", store.toString(), "--by", "series", "--every", "1m", "--executor", executor,
                "--workers", executor.equals("threads") ? "2" : "1");
        long block = row / StoreLayout.BLOCK_ROWS;
        assertFailsNaming(after, store, "the " + column.name().toLowerCase() + " column's checksum does not match in rows "
                + block * StoreLayout.BLOCK_ROWS + "..");
        assertThat(after.err()).contains("(block " + block + ": stored ");
    }

    /** A query is checked on the columns it reads: damage in another cannot change its answer, and does not fail it. */
    @Test
    void aQueryThatDoesNotReadTheDamagedColumnGivesTheSameAnswer() throws Exception {
        Path store = generate();
        String[] query = {"run", store.toString(), "--by", "series", "--format", "csv"};
        Cli before = Cli.run(query);
        assertThat(before.exitCode()).as(before.err()).isZero();
        damage(store, Column.TS, 70_000);
        Cli after = Cli.run(query);
        assertThat(after.exitCode()).as(after.err()).isZero();
        assertThat(after.out()).isEqualTo(before.out());
    }

    /** The case: a timestamp moved back inside a time range that a query selects. */
    @Test
    void aTimestampMovedBackFailsATimeRangeQuery() throws Exception {
        Path store = generate();
        String[] query = {"run", store.toString(), "--agg", "count", "--from", "2023-11-14T22:13:21Z", "--to", "2023-11-14T22:14:40Z",
                "--format", "csv"};
        Cli before = Cli.run(query);
        assertThat(before.exitCode()).as(before.err()).isZero();
        assertThat(before.out()).isNotBlank();
        damage(store, Column.TS, 70_000);
        assertFailsNaming(Cli.run(query), store, "the ts column's checksum does not match in rows 65536..");
    }

    /** A version-1 store has no block checksums: its first run verifies it whole and marks it, and a change after that is found again. */
    @Test
    void aVersion1StoreIsVerifiedWholeOnceAndAgainAfterAChange() throws Exception {
        Path store = generate();
        downgradeToVersion1(store);
        String[] query = {"run", store.toString(), "--by", "series"};
        Cli first = Cli.run(query);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(Cli.run(query).out()).isEqualTo(first.out());
        damage(store, Column.VALUE, 1000);
        assertFailsNaming(Cli.run(query), store, "the value column's checksum does not match (stored ");
    }

    @ParameterizedTest
    @CsvSource({"csv, VALUE, 70000", "csv, SERIES, 777", "csv, TS, 99999",
            "arrow, VALUE, 1000", "arrow, SERIES, 70000", "arrow, TS, 4512",
            "parquet, VALUE, 99999", "parquet, SERIES, 1000", "parquet, TS, 70000"})
    void aDamagedStoreIsNeverExported(String format, Column column, long row) throws Exception {
        Path store = generate();
        damage(store, column, row);
        Path out = dir.resolve("out." + format);

        Cli export = Cli.run("export", store.toString(), "--format", format, "--out", out.toString(), "--threads", "2");
        long block = row / StoreLayout.BLOCK_ROWS;
        assertFailsNaming(export, store, "the " + column.name().toLowerCase() + " column's checksum does not match in rows "
                + block * StoreLayout.BLOCK_ROWS + "..");
        assertThat(dir).isDirectoryNotContaining(path -> !path.equals(store)); // no output file, no temporary one
    }

    @Test
    void aDamagedVersion1StoreIsNeverExported() throws Exception {
        Path store = generate();
        downgradeToVersion1(store);
        damage(store, Column.TS, 4512);
        Path out = dir.resolve("out.csv");

        assertFailsNaming(Cli.run("export", store.toString(), "--out", out.toString()), store,
                "the ts column's checksum does not match (stored ");
        assertThat(dir).isDirectoryNotContaining(path -> !path.equals(store));
    }

    @Test
    void rowsAreNeverAppendedToADamagedStore() throws Exception {
        Path store = generate();
        Path added = dir.resolve("new.csv");
        Cli export = Cli.run("export", store.toString(), "--out", added.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        damage(store, Column.VALUE, 70_000);
        byte[] damaged = Files.readAllBytes(store);

        assertFailsNaming(Cli.run("import", added.toString(), "--append-to", store.toString()), store,
                "the value column's checksum does not match");
        assertThat(store).hasBinaryContent(damaged);
        assertThat(dir).isDirectoryNotContaining(path -> !path.equals(store) && !path.equals(added)); // no scratch store
    }

    private Path generate() {
        Path store = dir.resolve("s.tsp");
        Cli generated = Cli.run("generate", "--rows", "100000", "--series", "3", "--out", store.toString());
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        return store;
    }

    private static void assertFailsNaming(Cli run, Path store, String message) {
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(store + " is not a valid tsproc store: " + message);
        // Worker JVMs' own stderr is forwarded as "[worker-N] ..." lines (here the test JVM's incubator-module warning).
        assertThat(run.err().lines().filter(line -> !line.startsWith("[worker-"))).as(run.err()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("tsproc: "));
        assertThat(run.err()).doesNotContain("\tat ");
    }

    /** Damages one cell of {@code column} in place, as a failing disk or a stray write would. */
    private static void damage(Path store, Column column, long row) throws Exception {
        try (Store opened = Store.open(store);
             FileChannel ch = FileChannel.open(store, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = opened.columns().stream().filter(c -> c.column() == column).findFirst().orElseThrow().byteOffset()
                    + row * column.byteWidth();
            ByteBuffer cell = ByteBuffer.allocate(column.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(cell, at);
            switch (column) {
                case VALUE -> cell.put(0, (byte) (cell.get(0) ^ 0x10)); // a flipped bit of the mantissa
                case SERIES -> cell.putInt(0, (cell.getInt(0) + 1) % 3); // another series of the store
                case TS -> cell.putLong(0, cell.getLong(0) - 1_000_000_000L); // a second back
            }
            ch.write(cell.flip(), at);
        }
    }

    /** Rewrites the header as version 1 wrote it: the block checksum table stays, unreferenced, as bytes no block covers. */
    private static void downgradeToVersion1(Path store) throws Exception {
        try (FileChannel ch = FileChannel.open(store, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(StoreLayout.headerLength(3)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            header.putInt(StoreLayout.VERSION_OFFSET, 1);
            header.putLong(StoreLayout.BLOCK_CRC_OFFSET_OFFSET, 0);
            header.putInt(StoreLayout.HEADER_CRC_OFFSET, 0);
            header.putInt(StoreLayout.HEADER_CRC_OFFSET, Crc32c.of(MemorySegment.ofArray(header.array())));
            ch.write(header.clear(), 0);
        }
    }
}
