package dev.tsproc.ingest.parquet;

import dev.tsproc.ingest.BadInputException;
import dev.hardwood.metadata.LogicalType;
import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.metadata.RowGroup;
import dev.hardwood.metadata.Statistics;
import dev.hardwood.reader.ColumnReader;
import dev.hardwood.reader.ColumnReaders;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowGroupPredicate;
import dev.hardwood.schema.ColumnProjection;
import dev.hardwood.schema.ColumnSchema;
import dev.hardwood.schema.FileSchema;
import dev.tsproc.ingest.csv.TimestampFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which columns of one Parquet file become the store's ts, value and series, and how each one's
 * type is read: decided once per file from its schema, so that a file with a column tsproc
 * cannot read fails before any row is read.
 *
 * @param ts          the timestamp column and how it becomes epoch nanoseconds
 * @param value       the value column and how it becomes a double
 * @param series      the series column and how it becomes a name, or null for none
 * @param unitGuessed whether timestamps are plain integers read as nanoseconds because
 *                    {@code --ts-format auto} found no other unit in their magnitude
 * @param unitTold    the epoch unit {@code --ts-format auto} found in the magnitude of plain
 *                    integer timestamps ({@link TimestampFormat#epochUnitOf(long)}), or null
 */
record ParquetLayout(Timestamps ts, Values value, Series series, boolean unitGuessed, TimestampFormat unitTold) {

    /** How a timestamp column is read. */
    enum TimestampKind {
        /** INT32 or INT64 times {@code nanosPerUnit}: a timestamp type, a date, or an epoch integer. */
        INTEGER,
        /** INT96: nanoseconds of the day and a Julian day, as Impala and Spark wrote timestamps. */
        INT96,
        /** Text, read by the CSV timestamp scanner in the import's {@code --ts-format}. */
        TEXT
    }

    record Timestamps(ColumnSchema column, TimestampKind kind, long nanosPerUnit, boolean unsigned) {
        /**
         * The current (not deprecated) min or max statistic of {@code group}'s timestamps as the
         * column's raw integer, or null where there is none.
         */
        Long statistic(RowGroup group, boolean min) {
            Statistics statistics = group.columns().get(column.columnIndex()).metaData().statistics();
            byte[] bytes = statistics == null || statistics.isMinMaxDeprecated() ? null
                    : min ? statistics.minValue() : statistics.maxValue();
            Long value = bytes == null ? null : integer(bytes);
            return value != null && unsigned && bytes.length == Integer.BYTES ? Long.valueOf(value & 0xFFFF_FFFFL) : value;
        }

        /** A little-endian INT32 or INT64 statistic, or null for any other length. */
        private static Long integer(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            return bytes.length == Long.BYTES ? Long.valueOf(b.getLong())
                    : bytes.length == Integer.BYTES ? Long.valueOf(b.getInt()) : null;
        }
    }

    /** How a value column is read. */
    enum ValueKind { DOUBLE, FLOAT, INT32, INT64, DECIMAL_INT32, DECIMAL_INT64, DECIMAL_BYTES, BOOLEAN }

    record Values(ColumnSchema column, ValueKind kind, int scale, boolean unsigned) {}

    /** How a series column is read. */
    enum SeriesKind { TEXT, INT32, INT64, BOOLEAN }

    record Series(ColumnSchema column, SeriesKind kind, boolean unsigned) {}

    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    /** This layout without its series column, which is then not read. */
    ParquetLayout withoutSeries() {
        return new ParquetLayout(ts, value, null, unitGuessed, unitTold);
    }

    /** The names of the columns read, for the reader's projection. */
    List<String> columnNames() {
        List<String> names = new ArrayList<>(List.of(ts.column.name(), value.column.name()));
        if (series != null) {
            names.add(series.column.name());
        }
        return names;
    }

    /**
     * The layout of {@code file}, open in {@code reader}: as its schema says, with plain integer
     * timestamps under {@code --ts-format auto} in the epoch unit their magnitude tells.
     *
     * @param withSeries whether the store has a series column, as decided by the first file;
     *                   null for the first file
     * @throws BadInputException if a column is missing or unreadable, or the unit cannot be told
     */
    static ParquetLayout of(Path file, ParquetFileReader reader, ParquetOptions options, Boolean withSeries)
            throws IOException {
        ParquetLayout layout = of(file, reader.getFileSchema(), options, withSeries);
        return layout.unitGuessed() ? layout.inUnitTold(file, reader) : layout;
    }

    /**
     * This layout with its plain integer timestamps in the epoch unit their magnitude tells
     * ({@link TimestampFormat#epochUnitOf(long)}), judged as a CSV file's first data line is: from
     * the first row group's smallest time (its statistics' min, the file's first time when it is in
     * time order), or, without statistics, from its first time. 11, 14 and 17 digits, a time since
     * 1973 in no unit, are refused rather than read as nanoseconds in 1970.
     */
    private ParquetLayout inUnitTold(Path file, ParquetFileReader reader) throws BadInputException {
        List<RowGroup> rowGroups = reader.getFileMetaData().rowGroups();
        for (int g = 0; g < rowGroups.size(); g++) {
            RowGroup group = rowGroups.get(g);
            if (group.numRows() == 0 || group.columns().isEmpty()) {
                continue;
            }
            Long first = ts.statistic(group, true);
            if (first == null) {
                first = firstTime(file, reader, g, group);
            }
            if (first == null) {
                return this; // a null time, which the read reports
            }
            if (TimestampFormat.epochUnitUnclear(first)) {
                throw new BadInputException(file, "row group " + g + ": "
                        + TimestampFormat.noEpochUnit(Long.toString(first), Long.toString(first).length()));
            }
            TimestampFormat unit = TimestampFormat.epochUnitOf(first);
            if (unit == null) {
                return this;
            }
            return new ParquetLayout(new Timestamps(ts.column, ts.kind, unit.nanosPerUnit(), ts.unsigned), value, series,
                    false, unit);
        }
        return this;
    }

    /** The first time of row group {@code g}, as the column's raw integer, or null if it is null. */
    private Long firstTime(Path file, ParquetFileReader parquet, int g, RowGroup group) throws BadInputException {
        long midpoint = ParquetImporter.midpoint(group);
        try (ColumnReaders columns = parquet.buildColumnReaders(ColumnProjection.columns(ts.column().name()))
                     .filter(RowGroupPredicate.byteRange(midpoint, midpoint + 1)).build()) {
            ColumnReader reader = columns.getColumnReader(ts.column().name());
            if (!columns.nextBatch() || columns.getRecordCount() == 0 || reader.getLeafValidity().isNull(0)) {
                return null;
            }
            if (ts.column().type() == PhysicalType.INT32) {
                int first = reader.getInts()[0];
                return ts.unsigned() ? first & 0xFFFF_FFFFL : first;
            }
            return reader.getLongs()[0];
        } catch (RuntimeException e) {
            throw new BadInputException(file + ": row group " + g, "it cannot be read, the file is damaged (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The layout of {@code file}, whose schema is {@code schema}.
     *
     * @param withSeries whether the store has a series column, as decided by the first file;
     *                   null for the first file
     */
    static ParquetLayout of(Path file, FileSchema schema, ParquetOptions options, Boolean withSeries)
            throws BadInputException {
        ColumnSchema ts = column(file, schema, options.tsColumn(), List.of("ts", "timestamp", "time"), "--ts-col");
        ColumnSchema value = column(file, schema, options.valueColumn(), List.of("value"), "--value-col");
        ColumnSchema series = null;
        if (options.seriesColumn() != null) {
            series = column(file, schema, options.seriesColumn(), List.of(), "--series-col");
        } else if (!options.noSeries()) {
            series = find(schema, "series");
            if (withSeries != null && withSeries && series == null) {
                throw new BadInputException(file, "it has no column named series, which the files before it have;"
                        + " use --no-series to import none");
            }
            if (withSeries != null && !withSeries) {
                series = null; // the first file had none: the store has none
            }
        }
        if (ts.equals(value) || ts.equals(series) || value.equals(series)) {
            throw new BadInputException(file, "one column cannot be two of timestamp, value and series");
        }
        boolean guessed = ts.logicalType() == null && (ts.type() == PhysicalType.INT64 || ts.type() == PhysicalType.INT32)
                && options.timestampFormat() == TimestampFormat.AUTO;
        return new ParquetLayout(timestamps(file, ts, options.timestampFormat()), values(file, value),
                series == null ? null : series(file, series), guessed, null);
    }

    private static ColumnSchema column(Path file, FileSchema schema, String chosen, List<String> defaults, String option)
            throws BadInputException {
        if (chosen == null) {
            for (String name : defaults) {
                ColumnSchema c = find(schema, name);
                if (c != null) {
                    return c;
                }
            }
            throw new BadInputException(file, "it has no column named " + String.join(" or ", defaults)
                    + "; name the column with " + option + " (columns: " + names(schema) + ")");
        }
        ColumnSchema c = find(schema, chosen);
        if (c == null && chosen.matches("[1-9][0-9]{0,8}")) {
            int position = Integer.parseInt(chosen);
            if (position <= schema.getColumnCount()) {
                c = schema.getColumn(position - 1);
            }
        }
        if (c == null) {
            throw new BadInputException(file, option + " '" + chosen + "' is not a column of the file (columns: " + names(schema) + ")");
        }
        if (!flat(c)) {
            throw new BadInputException(file, "column '" + c.name() + "' is nested or repeated; tsproc reads flat columns only");
        }
        return c;
    }

    private static ColumnSchema find(FileSchema schema, String name) {
        for (ColumnSchema c : schema.getColumns()) {
            if (c.name().equals(name) && flat(c)) {
                return c;
            }
        }
        return null;
    }

    private static String names(FileSchema schema) {
        List<String> names = new ArrayList<>();
        for (ColumnSchema c : schema.getColumns()) {
            names.add(c.name());
        }
        return String.join(", ", names);
    }

    private static Timestamps timestamps(Path file, ColumnSchema c, TimestampFormat format) throws BadInputException {
        LogicalType type = c.logicalType();
        boolean unsigned = type instanceof LogicalType.IntType i && !i.isSigned();
        switch (c.type()) {
            case INT64, INT32 -> {
                if (type instanceof LogicalType.TimestampType t) {
                    // Local (not UTC-adjusted) times are taken as UTC, as CSV text without an offset is.
                    return new Timestamps(c, TimestampKind.INTEGER, switch (t.unit()) {
                        case MILLIS -> 1_000_000L;
                        case MICROS -> 1_000L;
                        case NANOS -> 1L;
                    }, false);
                }
                if (type instanceof LogicalType.DateType) {
                    return new Timestamps(c, TimestampKind.INTEGER, NANOS_PER_DAY, false);
                }
                if (type == null || type instanceof LogicalType.IntType) {
                    if (format.kind() != TimestampFormat.Kind.AUTO && format.kind() != TimestampFormat.Kind.EPOCH) {
                        throw new BadInputException(file, "column '" + c.name() + "' holds integers, which --ts-format "
                                + format + " does not read; use auto or epoch-s, epoch-ms, epoch-us, epoch-ns");
                    }
                    return new Timestamps(c, TimestampKind.INTEGER, format.nanosPerUnit(), unsigned);
                }
            }
            case INT96 -> {
                return new Timestamps(c, TimestampKind.INT96, 1, false);
            }
            case BYTE_ARRAY -> {
                if (type == null || type instanceof LogicalType.StringType) {
                    return new Timestamps(c, TimestampKind.TEXT, 1, false);
                }
            }
            default -> { }
        }
        throw unreadable(file, c, "timestamp");
    }

    private static Values values(Path file, ColumnSchema c) throws BadInputException {
        LogicalType type = c.logicalType();
        boolean unsigned = type instanceof LogicalType.IntType i && !i.isSigned();
        if (type instanceof LogicalType.DecimalType d) {
            ValueKind kind = switch (c.type()) {
                case INT32 -> ValueKind.DECIMAL_INT32;
                case INT64 -> ValueKind.DECIMAL_INT64;
                case FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY -> ValueKind.DECIMAL_BYTES;
                default -> throw unreadable(file, c, "value");
            };
            return new Values(c, kind, d.scale(), false);
        }
        if (type != null && !(type instanceof LogicalType.IntType)) {
            throw unreadable(file, c, "value");
        }
        return new Values(c, switch (c.type()) {
            case DOUBLE -> ValueKind.DOUBLE;
            case FLOAT -> ValueKind.FLOAT;
            case INT32 -> ValueKind.INT32;
            case INT64 -> ValueKind.INT64;
            case BOOLEAN -> ValueKind.BOOLEAN;
            default -> throw unreadable(file, c, "value");
        }, 0, unsigned);
    }

    private static Series series(Path file, ColumnSchema c) throws BadInputException {
        LogicalType type = c.logicalType();
        boolean unsigned = type instanceof LogicalType.IntType i && !i.isSigned();
        SeriesKind kind = switch (c.type()) {
            case BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY -> type == null || type instanceof LogicalType.StringType
                    || type instanceof LogicalType.EnumType ? SeriesKind.TEXT : null;
            case INT32 -> type == null || type instanceof LogicalType.IntType ? SeriesKind.INT32 : null;
            case INT64 -> type == null || type instanceof LogicalType.IntType ? SeriesKind.INT64 : null;
            case BOOLEAN -> SeriesKind.BOOLEAN;
            default -> null;
        };
        if (kind == null) {
            throw unreadable(file, c, "series");
        }
        return new Series(c, kind, unsigned);
    }

    private static BadInputException unreadable(Path file, ColumnSchema c, String role) {
        return new BadInputException(file, "column '" + c.name() + "' is of type " + c.type()
                + (c.logicalType() == null ? "" : " (" + c.logicalType() + ")") + ", which tsproc cannot read as a " + role);
    }

    /** Whether {@code c} is a top-level column holding one value per row. */
    private static boolean flat(ColumnSchema c) {
        return c.maxRepetitionLevel() == 0 && c.fieldPath().elements().size() == 1;
    }
}
