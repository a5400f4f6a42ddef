package dev.tsproc.store;

import dev.tsproc.data.Column;

import java.nio.charset.StandardCharsets;

/**
 * Byte offsets of the store format, version 2 (and version 1, which it extends). docs/FORMAT.md
 * mirrors this drawing.
 *
 * <pre>
 * header, 64 bytes, little-endian
 *   0               8       12      16              24      28      32
 *   +---------------+-------+-------+---------------+-------+-------+
 *   | magic         |version| hdrLen| rowCount      |colCnt | flags |
 *   | "TSPSTORE"    |  u32  |  u32  |   i64         |  u32  |  u32  |
 *   +---------------+-------+-------+---------------+-------+-------+
 *   32              40              48      52      56              64
 *   +---------------+---------------+-------+-------+---------------+
 *   | dictOffset    | dictLength    |dictCrc|hdrCrc | blockCrcOffset|
 *   |   i64         |   i64         |  u32  |  u32  |  i64 (v1: 0)  |
 *   +---------------+---------------+-------+-------+---------------+
 *
 * column table, colCnt entries of 32 bytes, starting at byte 64
 *   0       4       8               16              24      28      32
 *   +-------+-------+---------------+---------------+-------+-------+
 *   |colId  | type  | offset        | length        | crc32c| 0     |
 *   |  u32  |  u32  |  i64 (64-al.) |  i64 bytes    |  u32  |  u32  |
 *   +-------+-------+---------------+---------------+-------+-------+
 *
 * then column blocks, each starting at a multiple of 64 bytes; then (version 2) the block
 * checksum table, 64-aligned: for each column in table order, one u32 CRC32C per block of
 * BLOCK_ROWS rows (the last block holds the rest); then the dictionary block:
 *   u32 count, then count times (u32 byteLength, UTF-8 bytes)
 * </pre>
 *
 * <p>{@code hdrLen} is the size of header plus column table. {@code hdrCrc} is the CRC32C of
 * those bytes with the {@code hdrCrc} field taken as zero, so a flipped bit anywhere in the
 * metadata is caught before any offset is trusted. Column types repeat the column id's fixed
 * type so a reader can reject a file whose table disagrees with itself. {@code flags} are zero;
 * a reader rejects anything else rather than ignore a meaning it does not know.
 *
 * <p>Version 2 adds the block checksum table so that a reader can check the rows it reads as it
 * reads them, a block at a time, instead of reading every byte of a column to check the
 * column's one CRC; its offset takes the eight bytes that version 1 reserves (zero there).
 */
public final class StoreLayout {
    private StoreLayout() {}

    /** The eight magic bytes at the start of every store. */
    public static final byte[] MAGIC = "TSPSTORE".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes. */
    public static final int VERSION = 2;
    /** The oldest format version this build reads. */
    public static final int OLDEST_READABLE_VERSION = 1;
    /** Rows per checksum block in version 2: 512 KiB of an 8-byte column, 16 blocks in a default batch. */
    public static final int BLOCK_ROWS = 1 << 16;
    /** Alignment of every column block. */
    public static final int ALIGNMENT = 64;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + 4;
    public static final int ROW_COUNT_OFFSET = HEADER_LENGTH_OFFSET + 4;
    public static final int COLUMN_COUNT_OFFSET = ROW_COUNT_OFFSET + 8;
    public static final int FLAGS_OFFSET = COLUMN_COUNT_OFFSET + 4;
    public static final int DICTIONARY_OFFSET_OFFSET = FLAGS_OFFSET + 4;
    public static final int DICTIONARY_LENGTH_OFFSET = DICTIONARY_OFFSET_OFFSET + 8;
    public static final int DICTIONARY_CRC_OFFSET = DICTIONARY_LENGTH_OFFSET + 8;
    public static final int HEADER_CRC_OFFSET = DICTIONARY_CRC_OFFSET + 4;
    /** Offset of the block checksum table (version 2); eight zero bytes in version 1. */
    public static final int BLOCK_CRC_OFFSET_OFFSET = HEADER_CRC_OFFSET + 4;
    /** Size of the fixed header; the column table follows it. */
    public static final int HEADER_SIZE = 64;

    public static final int ENTRY_COLUMN_ID_OFFSET = 0;
    public static final int ENTRY_TYPE_OFFSET = ENTRY_COLUMN_ID_OFFSET + 4;
    public static final int ENTRY_OFFSET_OFFSET = ENTRY_TYPE_OFFSET + 4;
    public static final int ENTRY_LENGTH_OFFSET = ENTRY_OFFSET_OFFSET + 8;
    public static final int ENTRY_CRC_OFFSET = ENTRY_LENGTH_OFFSET + 8;
    /** Four bytes closing each entry; version 1 writes zeros and readers require them. */
    public static final int ENTRY_RESERVED_OFFSET = ENTRY_CRC_OFFSET + 4;
    /** Size of one column-table entry. */
    public static final int ENTRY_SIZE = 32;

    /** Most columns a version-1 store may declare (ts, value, series). */
    public static final int MAX_COLUMNS = 3;
    /** Longest series name in bytes. */
    public static final int MAX_NAME_BYTES = 4096;

    /** Type codes of the column table. */
    public static final int TYPE_INT64 = 1;
    public static final int TYPE_FLOAT64 = 2;
    public static final int TYPE_INT32 = 3;

    /** The type code a column's entry must carry. */
    public static int typeCode(Column column) {
        return switch (column) {
            case TS -> TYPE_INT64;
            case VALUE -> TYPE_FLOAT64;
            case SERIES -> TYPE_INT32;
        };
    }

    /** Byte offset of column-table entry {@code i}. */
    public static long entryOffset(int i) {
        return HEADER_SIZE + (long) i * ENTRY_SIZE;
    }

    /** Size of header plus a table of {@code columnCount} entries. */
    public static int headerLength(int columnCount) {
        return HEADER_SIZE + columnCount * ENTRY_SIZE;
    }

    /** Checksum blocks of a column of {@code rowCount} rows: {@code ceil(rowCount / BLOCK_ROWS)}. */
    public static long blockCount(long rowCount) {
        return rowCount / BLOCK_ROWS + (rowCount % BLOCK_ROWS == 0 ? 0 : 1);
    }

    /** Bytes of the block checksum table of {@code columnCount} columns of {@code rowCount} rows. */
    public static long blockCrcTableLength(int columnCount, long rowCount) {
        return Math.multiplyExact(blockCount(rowCount), 4L * columnCount);
    }

    /** {@code offset} rounded up to the next multiple of {@link #ALIGNMENT}. */
    public static long align(long offset) {
        return Math.addExact(offset, ALIGNMENT - 1) & -ALIGNMENT;
    }
}
