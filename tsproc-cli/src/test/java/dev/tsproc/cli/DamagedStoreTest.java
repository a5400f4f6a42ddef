package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.data.Column;
import dev.tsproc.store.Store;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13.8: a plain {@code run} of a store whose column data was damaged after it was
 * written — a flipped value byte, a series id, a timestamp moved back — fails in one sentence
 * with exit 1, where it used to answer; the same store ran once before, so a verified-once
 * mark does not hide a later change.
 */
class DamagedStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"VALUE, 1000, value column's checksum", "SERIES, 777, series column's checksum",
            "TS, 4512, ts column's checksum"})
    void aDamagedStoreNeverAnswers(Column column, long row, String message) throws Exception {
        Path store = dir.resolve("s.tsp");
        assertThat(Cli.run("generate", "--rows", "10000", "--series", "3", "--out", store.toString()).exitCode()).isZero();
        String[] query = {"run", store.toString(), "--by", "series"};
        Cli before = Cli.run(query);
        assertThat(before.exitCode()).as(before.err()).isZero();

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

        Cli after = Cli.run(query);
        assertThat(after.exitCode()).as(after.out() + after.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(after.out()).isEmpty();
        assertThat(after.err()).contains(store + " is not a valid tsproc store: the " + message + " does not match");
        assertThat(after.oneLineError()).as(after.err()).isTrue();
    }
}
