package dev.tsproc.ingest.parquet;

import dev.tsproc.ingest.ExportTable;

import java.util.List;

/**
 * The Thrift structures the Parquet writer emits — page headers and the footer's
 * {@code FileMetaData} — with the field ids and enum numbers of Parquet's {@code parquet.thrift},
 * named here once.
 *
 * <p>The schema is flat: a root with one leaf per field. Timestamps are {@code INT64} with the
 * logical type {@code TIMESTAMP(isAdjustedToUTC=true, unit=NANOS)}; int64 fields plain
 * {@code INT64}; doubles {@code DOUBLE}, the only optional fields (null where the value is NaN);
 * dictionary strings {@code BYTE_ARRAY} with the logical type {@code STRING} (and the converted
 * type {@code UTF8} for older readers). Every column chunk has min/max statistics in
 * {@code min_value}/{@code max_value} and a null count, and {@code column_orders} says they
 * follow each type's own order, so that readers trust them.
 */
final class ParquetFooter {
    // Type
    private static final int INT64 = 2;
    private static final int DOUBLE = 5;
    private static final int BYTE_ARRAY = 6;
    // FieldRepetitionType
    private static final int REQUIRED = 0;
    private static final int OPTIONAL = 1;
    // ConvertedType
    private static final int UTF8 = 0;
    // Encoding
    static final int PLAIN = 0;
    static final int RLE = 3;
    static final int RLE_DICTIONARY = 8;
    // PageType
    static final int DATA_PAGE = 0;
    static final int DICTIONARY_PAGE = 2;

    /** Written as {@code created_by}: readers apply fixes for known writers by this name, and tsproc needs none. */
    private static final String CREATED_BY = "tsproc";

    private ParquetFooter() {}

    /**
     * A column chunk's statistics, values PLAIN-encoded.
     *
     * @param min the smallest value, or {@code null} when every value is null
     */
    record Statistics(byte[] min, byte[] max, long nullCount) {}

    /**
     * A column chunk as written at {@code fileOffset}: its pages' offsets in the file, sizes
     * with page headers, the number of values (nulls included) and the encodings used.
     */
    record Chunk(long fileOffset, long dictionaryPageOffset, long dataPageOffset, long uncompressedBytes,
                 long compressedBytes, long values, Statistics statistics, List<Integer> encodings) {}

    /** A row group as written: its rows and one chunk per field. */
    record RowGroup(long rows, List<Chunk> chunks) {}

    /** Writes a page header; {@code encoding} is the values' ({@link #PLAIN} or {@link #RLE_DICTIONARY}). */
    static void pageHeader(ThriftCompactWriter w, int pageType, int uncompressedBytes, int compressedBytes,
                           int values, int encoding) {
        w.beginStruct()
                .i32(1, pageType)
                .i32(2, uncompressedBytes)
                .i32(3, compressedBytes);
        if (pageType == DICTIONARY_PAGE) {
            w.beginStruct(7).i32(1, values).i32(2, encoding).endStruct();
        } else {
            w.beginStruct(5).i32(1, values).i32(2, encoding).i32(3, RLE).i32(4, RLE).endStruct();
        }
        w.endStruct();
    }

    /** The footer's {@code FileMetaData} for {@code table} written as {@code rowGroups}, codec {@code codec}. */
    static ByteSink fileMetaData(ExportTable table, List<RowGroup> rowGroups, ParquetCodec codec) {
        List<ExportTable.Field> fields = table.fields();
        ThriftCompactWriter w = new ThriftCompactWriter();
        w.beginStruct().i32(1, 2);
        w.beginList(2, ThriftCompactWriter.STRUCT, fields.size() + 1);
        w.beginStruct().string(4, "schema").i32(5, fields.size()).endStruct();
        for (ExportTable.Field f : fields) {
            schemaElement(w, f);
        }
        w.i64(3, table.rowCount());
        w.beginList(4, ThriftCompactWriter.STRUCT, rowGroups.size());
        for (RowGroup group : rowGroups) {
            long uncompressed = 0;
            long compressed = 0;
            for (Chunk c : group.chunks()) {
                uncompressed += c.uncompressedBytes();
                compressed += c.compressedBytes();
            }
            w.beginStruct();
            w.beginList(1, ThriftCompactWriter.STRUCT, group.chunks().size());
            for (int i = 0; i < fields.size(); i++) {
                columnChunk(w, fields.get(i), group.chunks().get(i), codec);
            }
            w.i64(2, uncompressed).i64(3, group.rows()).i64(5, group.chunks().getFirst().fileOffset()).i64(6, compressed);
            w.endStruct();
        }
        w.string(6, CREATED_BY);
        w.beginList(7, ThriftCompactWriter.STRUCT, fields.size());
        for (int i = 0; i < fields.size(); i++) {
            w.beginStruct().beginStruct(1).endStruct().endStruct(); // TYPE_ORDER
        }
        w.endStruct();
        return w.bytes();
    }

    private static void schemaElement(ThriftCompactWriter w, ExportTable.Field f) {
        w.beginStruct()
                .i32(1, physicalType(f.type()))
                .i32(3, f.type() == ExportTable.Type.DOUBLE ? OPTIONAL : REQUIRED)
                .string(4, f.name());
        switch (f.type()) {
            case TIMESTAMP -> w.beginStruct(10)
                    .beginStruct(8).bool(1, true).beginStruct(2).beginStruct(3).endStruct().endStruct().endStruct()
                    .endStruct();
            case DICTIONARY_STRING -> w.i32(6, UTF8).beginStruct(10).beginStruct(1).endStruct().endStruct();
            case INT64, DOUBLE -> { }
        }
        w.endStruct();
    }

    private static void columnChunk(ThriftCompactWriter w, ExportTable.Field f, Chunk c, ParquetCodec codec) {
        w.beginStruct().i64(2, c.fileOffset()).beginStruct(3);
        w.i32(1, physicalType(f.type()));
        w.beginList(2, ThriftCompactWriter.I32, c.encodings().size());
        c.encodings().forEach(w::i32Element);
        w.beginList(3, ThriftCompactWriter.BINARY, 1).stringElement(f.name());
        w.i32(4, codec.thriftId)
                .i64(5, c.values())
                .i64(6, c.uncompressedBytes())
                .i64(7, c.compressedBytes())
                .i64(9, c.dataPageOffset());
        if (c.dictionaryPageOffset() >= 0) {
            w.i64(11, c.dictionaryPageOffset());
        }
        Statistics s = c.statistics();
        w.beginStruct(12).i64(3, s.nullCount());
        if (s.min() != null) {
            w.binary(5, s.max()).binary(6, s.min());
        }
        w.endStruct();
        w.endStruct().endStruct();
    }

    private static int physicalType(ExportTable.Type type) {
        return switch (type) {
            case TIMESTAMP, INT64 -> INT64;
            case DOUBLE -> DOUBLE;
            case DICTIONARY_STRING -> BYTE_ARRAY;
        };
    }
}
