package dev.tsproc.ingest.parquet;

import dev.tsproc.ingest.BadInputException;
import dev.hardwood.metadata.LogicalType;
import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.schema.ColumnSchema;
import dev.hardwood.schema.FileSchema;
import dev.tsproc.ingest.csv.TimestampFormat;

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
 * @param unitGuessed whether timestamps are plain integers whose unit {@code --ts-format auto}
 *                    leaves to their magnitude ({@link TimestampFormat#epochUnitOf(long)}):
 *                    nanoseconds unless the file's first time tells another unit
 */
record ParquetLayout(Timestamps ts, Values value, Series series, boolean unitGuessed) {

    /** How a timestamp column is read. */
    enum TimestampKind {
        /** INT32 or INT64 times {@code nanosPerUnit}: a timestamp type, a date, or an epoch integer. */
        INTEGER,
        /** INT96: nanoseconds of the day and a Julian day, as Impala and Spark wrote timestamps. */
        INT96,
        /** Text, read by the CSV timestamp scanner in the import's {@code --ts-format}. */
        TEXT
    }

    record Timestamps(ColumnSchema column, TimestampKind kind, long nanosPerUnit, boolean unsigned) {}

    /** How a value column is read. */
    enum ValueKind { DOUBLE, FLOAT, INT32, INT64, DECIMAL_INT32, DECIMAL_INT64, DECIMAL_BYTES, BOOLEAN }

    record Values(ColumnSchema column, ValueKind kind, int scale, boolean unsigned) {}

    /** How a series column is read. */
    enum SeriesKind { TEXT, INT32, INT64, BOOLEAN }

    record Series(ColumnSchema column, SeriesKind kind, boolean unsigned) {}

    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    /** This layout without its series column, which is then not read. */
    ParquetLayout withoutSeries() {
        return new ParquetLayout(ts, value, null, unitGuessed);
    }

    /** This layout with its plain integer timestamps read in {@code unit}, as their magnitude tells. */
    ParquetLayout inUnit(TimestampFormat unit) {
        return new ParquetLayout(new Timestamps(ts.column, ts.kind, unit.nanosPerUnit(), ts.unsigned), value, series, false);
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
                series == null ? null : series(file, series), guessed);
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
