package dev.tsproc.store;

import dev.tsproc.data.Column;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A store is read whole once, again after any write to it, and a damaged one is never marked. */
class VerifiedMarksTest {
    @TempDir
    Path dir;

    @Test
    void verifiesOnceUntilTheStoreIsWritten() throws Exception {
        Path file = TestStores.write(dir.resolve("s.tsp"), new double[] {1, 2, 3, 4});
        VerifiedMarks marks = new VerifiedMarks(dir.resolve("marks"));
        try (Store store = Store.open(file)) {
            assertThat(marks.verifyOnce(store)).isTrue();
            assertThat(marks.verifyOnce(store)).isFalse();
        }
        // The same bytes written again: the change time moves, so the mark no longer holds.
        try (Store store = Store.open(file)) {
            long at = store.columns().getFirst().byteOffset();
            ByteBuffer same = ByteBuffer.allocate(1);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.read(same, at);
                ch.write(same.flip(), at);
            }
            assertThat(marks.verifyOnce(store)).isTrue();
        }
    }

    @Test
    void aDamagedStoreFailsAndIsNotMarked() throws Exception {
        Path file = TestStores.write(dir.resolve("s.tsp"), new double[] {1, 2, 3, 4});
        VerifiedMarks marks = new VerifiedMarks(dir.resolve("marks"));
        try (Store store = Store.open(file)) {
            long at = store.columns().stream().filter(c -> c.column() == Column.VALUE).findFirst().orElseThrow().byteOffset();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {0x55}), at + 3);
            }
            assertThatThrownBy(() -> marks.verifyOnce(store)).isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining("value column's checksum does not match");
            assertThatThrownBy(() -> marks.verifyOnce(store)).isInstanceOf(CorruptStoreException.class);
        }
    }
}
