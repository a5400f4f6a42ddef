package dev.tsproc.store;

import dev.tsproc.data.Column;

import java.nio.charset.StandardCharsets;

/**
 * Byte offsets of the store format, version 1. docs/FORMAT.md mirrors this drawing.
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
 *   | dictOffset    | dictLength    |dictCrc|hdrCrc | reserved (0)  |
 *   |   i64         |   i64         |  u32  |  u32  |               |
 *   +---------------+---------------+-------+-------+---------------+
 *
 * column table, colCnt entries of 32 bytes, starting at byte 64
 *   0       4       8               16              24      28      32
 *   +-------+-------+---------------+---------------+-------+-------+
 *   |colId  | type  | offset        | length        | crc32c| 0     |
 *   |  u32  |  u32  |  i64 (64-al.) |  i64 bytes    |  u32  |  u32  |
 *   +-------+-------+---------------+---------------+-------+-------+
 *
 * then column blocks, each starting at a multiple of 64 bytes, then the dictionary block:
 *   u32 count, then count times (u32 byteLength, UTF-8 bytes)
 * </pre>
 *
 * <p>{@code hdrLen} is the size of header plus column table. {@code hdrCrc} is the CRC32C of
 * those bytes with the {@code hdrCrc} field taken as zero, so a flipped bit anywhere in the
 * metadata is caught before any offset is trusted. Column types repeat the column id's fixed
 * type so a reader can reject a file whose table disagrees with itself. {@code flags} and the
 * reserved bytes are zero in version 1; a reader rejects anything else rather than ignore a
 * meaning it does not know.
 */
public final class StoreLayout {
    private StoreLayout() {}

    /** The eight magic bytes at the start of every store. */
    public static final byte[] MAGIC = "TSPSTORE".getBytes(StandardCharsets.US_ASCII);
    /** The only format version this build writes and reads. */
    public static final int VERSION = 1;
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
    /** Eight bytes closing the header; version 1 writes zeros and readers require them. */
    public static final int RESERVED_OFFSET = HEADER_CRC_OFFSET + 4;
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

    /** {@code offset} rounded up to the next multiple of {@link #ALIGNMENT}. */
    public static long align(long offset) {
        return Math.addExact(offset, ALIGNMENT - 1) & -ALIGNMENT;
    }
}
