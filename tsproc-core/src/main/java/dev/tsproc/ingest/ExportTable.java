package dev.tsproc.ingest;

import dev.tsproc.data.Column;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Columns to write as a file for other tools — a store's, or a query's answer — each a block of
 * little-endian values in memory, as a store holds them, so that the Arrow and Parquet writers
 * read a store's mapping directly and a query's answer the same way.
 *
 * @param rowCount rows in every field
 * @param fields   the columns, in the order they are written
 * @param check    what a writer runs over rows before it reads them, so a damaged store is never written out
 */
public record ExportTable(long rowCount, List<Field> fields, RowCheck check) {
    /** Checks rows {@code [firstRow, firstRow + rowCount)} of every field before they are read. */
    @FunctionalInterface
    public interface RowCheck {
        /** Rows with nothing to check: a query's answer, computed from checked rows. */
        RowCheck NONE = (firstRow, rowCount) -> {};

        /** @throws IOException naming the first damage found */
        void check(long firstRow, long rowCount) throws IOException;
    }

    /** What a field holds, and so how each file format types it. */
    public enum Type {
        /** int64 epoch nanoseconds, UTC; never null. */
        TIMESTAMP(8),
        /** int64; never null. */
        INT64(8),
        /** float64, where NaN is written as null: a missing value, or an aggregate with no value. */
        DOUBLE(8),
        /** int32 ids into the field's dictionary of UTF-8 names; never null. */
        DICTIONARY_STRING(4);

        private final int byteWidth;

        Type(int byteWidth) {
            this.byteWidth = byteWidth;
        }

        /** Bytes per row in {@link Field#data()}. */
        public int byteWidth() {
            return byteWidth;
        }
    }

    /**
     * One column.
     *
     * @param data       {@code rowCount} values of {@code type}, little-endian
     * @param dictionary the names the ids refer to, for {@link Type#DICTIONARY_STRING}; empty otherwise
     */
    public record Field(String name, Type type, MemorySegment data, List<String> dictionary) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            dictionary = List.copyOf(dictionary);
            if (type != Type.DICTIONARY_STRING && !dictionary.isEmpty()) {
                throw new IllegalArgumentException("field " + name + " of type " + type + " has a dictionary");
            }
        }

        /** A field without a dictionary. */
        public Field(String name, Type type, MemorySegment data) {
            this(name, type, data, List.of());
        }
    }

    public ExportTable {
        fields = List.copyOf(fields);
        Objects.requireNonNull(check, "check");
        for (Field f : fields) {
            if (f.data().byteSize() != rowCount * f.type().byteWidth()) {
                throw new IllegalArgumentException("field " + f.name() + " holds " + f.data().byteSize() + " bytes, not "
                        + rowCount + " rows of " + f.type().byteWidth());
            }
        }
    }

    /** Columns with nothing to check ({@link RowCheck#NONE}). */
    public ExportTable(long rowCount, List<Field> fields) {
        this(rowCount, fields, RowCheck.NONE);
    }

    /**
     * A store's columns, straight from its mapping: {@code ts} (timestamp), {@code value}
     * (double, missing values null) and, when it has series, {@code series} (its ids and dictionary).
     * The rows a writer reads are checked first ({@link Store#checkRows(long, long)}: every
     * column's blocks of a version-2 store; a version-1 store is verified whole by the caller).
     */
    public static ExportTable of(Store store) {
        List<Field> fields = new ArrayList<>(3);
        fields.add(new Field("ts", Type.TIMESTAMP, store.column(Column.TS)));
        fields.add(new Field("value", Type.DOUBLE, store.column(Column.VALUE)));
        if (store.hasSeries()) {
            fields.add(new Field("series", Type.DICTIONARY_STRING, store.column(Column.SERIES), store.dictionary().names()));
        }
        return new ExportTable(store.rowCount(), fields, store::checkRows);
    }
}
