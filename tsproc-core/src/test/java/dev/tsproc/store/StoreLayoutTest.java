package dev.tsproc.store;

import dev.tsproc.data.Column;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins the offsets to the drawing in {@link StoreLayout} and docs/FORMAT.md: changing one is a format change. */
class StoreLayoutTest {

    @Test
    void headerFieldsSitWhereTheDrawingSays() {
        assertThat(new int[] {
                StoreLayout.MAGIC_OFFSET, StoreLayout.VERSION_OFFSET, StoreLayout.HEADER_LENGTH_OFFSET,
                StoreLayout.ROW_COUNT_OFFSET, StoreLayout.COLUMN_COUNT_OFFSET, StoreLayout.FLAGS_OFFSET,
                StoreLayout.DICTIONARY_OFFSET_OFFSET, StoreLayout.DICTIONARY_LENGTH_OFFSET,
                StoreLayout.DICTIONARY_CRC_OFFSET, StoreLayout.HEADER_CRC_OFFSET, StoreLayout.BLOCK_CRC_OFFSET_OFFSET,
                StoreLayout.HEADER_SIZE})
                .containsExactly(0, 8, 12, 16, 24, 28, 32, 40, 48, 52, 56, 64);
        assertThat(StoreLayout.MAGIC).asString().isEqualTo("TSPSTORE");
        assertThat(StoreLayout.VERSION).isEqualTo(2);
        assertThat(StoreLayout.OLDEST_READABLE_VERSION).isEqualTo(1);
    }

    @Test
    void blockChecksumTableHasOneCrcPerColumnPerBlock() {
        assertThat(StoreLayout.BLOCK_ROWS).isEqualTo(65_536);
        assertThat(StoreLayout.blockCount(0)).isZero();
        assertThat(StoreLayout.blockCount(1)).isEqualTo(1);
        assertThat(StoreLayout.blockCount(65_536)).isEqualTo(1);
        assertThat(StoreLayout.blockCount(65_537)).isEqualTo(2);
        assertThat(StoreLayout.blockCrcTableLength(3, 65_537)).isEqualTo(24);
        assertThat(StoreLayout.blockCount(Long.MAX_VALUE)).isEqualTo(1L << 47);
    }

    @Test
    void columnEntryFieldsSitWhereTheDrawingSays() {
        assertThat(new int[] {
                StoreLayout.ENTRY_COLUMN_ID_OFFSET, StoreLayout.ENTRY_TYPE_OFFSET, StoreLayout.ENTRY_OFFSET_OFFSET,
                StoreLayout.ENTRY_LENGTH_OFFSET, StoreLayout.ENTRY_CRC_OFFSET, StoreLayout.ENTRY_RESERVED_OFFSET,
                StoreLayout.ENTRY_SIZE})
                .containsExactly(0, 4, 8, 16, 24, 28, 32);
        assertThat(StoreLayout.entryOffset(0)).isEqualTo(64);
        assertThat(StoreLayout.entryOffset(2)).isEqualTo(128);
        assertThat(StoreLayout.headerLength(2)).isEqualTo(128);
        assertThat(StoreLayout.headerLength(3)).isEqualTo(160);
    }

    @Test
    void columnIdsAndTypeCodesAreFixed() {
        assertThat(Column.TS.id()).isEqualTo(1);
        assertThat(Column.VALUE.id()).isEqualTo(2);
        assertThat(Column.SERIES.id()).isEqualTo(3);
        assertThat(StoreLayout.typeCode(Column.TS)).isEqualTo(StoreLayout.TYPE_INT64).isEqualTo(1);
        assertThat(StoreLayout.typeCode(Column.VALUE)).isEqualTo(StoreLayout.TYPE_FLOAT64).isEqualTo(2);
        assertThat(StoreLayout.typeCode(Column.SERIES)).isEqualTo(StoreLayout.TYPE_INT32).isEqualTo(3);
    }

    @Test
    void alignRoundsUpToSixtyFour() {
        assertThat(StoreLayout.align(0)).isZero();
        assertThat(StoreLayout.align(1)).isEqualTo(64);
        assertThat(StoreLayout.align(64)).isEqualTo(64);
        assertThat(StoreLayout.align(65)).isEqualTo(128);
        assertThat(StoreLayout.align(Long.MAX_VALUE - 63)).isEqualTo(Long.MAX_VALUE - 63);
    }

    @Test
    void alignRefusesToOverflow() {
        assertThatThrownBy(() -> StoreLayout.align(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    }
}
