package dev.tsproc.ingest.parquet;

import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.reader.ColumnReader;
import dev.hardwood.reader.Validity;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.csv.ColumnBuffers;
import dev.tsproc.ingest.csv.SeriesTable;
import dev.tsproc.ingest.csv.TimestampFormat;
import dev.tsproc.ingest.csv.TimestampScanner;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Turns the batches of one row group's columns into rows: timestamps to epoch nanoseconds,
 * values to doubles (null to the missing value, NaN), series to ids in the row group's own
 * {@link SeriesTable}. Decimals become the nearest double; an unscaled value of at most 2^53
 * with at most 22 decimal places is one correctly rounded division of two exact doubles, other
 * decimals go through {@link BigDecimal#doubleValue()}, which also rounds to nearest.
 *
 * <p>Thread confinement: one instance per row group being read.
 */
final class RowGroupReader {
    private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
    private static final long NANOS_PER_DAY = 86_400_000_000_000L;
    private static final long EXACT_INTEGER = 1L << 53;
    private static final double[] POWERS_OF_TEN = new double[23];
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = Double.parseDouble("1e" + i);
        }
    }

    private final Path file;
    private final int rowGroup;
    private final ParquetLayout layout;
    private final TimestampFormat format;
    private final TimestampScanner scanner;
    private final SeriesTable series;
    private final byte[] digits = new byte[20];
    private long[] ts = new long[0];
    private double[] values = new double[0];
    private int[] ids = new int[0];
    /** Rows of the row group read before the current batch. */
    private long rowsBefore;

    RowGroupReader(Path file, int rowGroup, ParquetLayout layout, TimestampFormat format, SeriesTable series) {
        this.file = file;
        this.series = series;
        this.rowGroup = rowGroup;
        this.layout = layout;
        this.format = format;
        // A delimiter no text holds: both a space and a comma may then separate what ISO allows.
        this.scanner = layout.ts().kind() == ParquetLayout.TimestampKind.TEXT ? new TimestampScanner(format, (byte) 0) : null;
    }

    /** Appends the {@code n} rows of the current batch of {@code tsColumn, ...} to {@code rows}. */
    void append(int n, ColumnReader tsColumn, ColumnReader valueColumn, ColumnReader seriesColumn, ColumnBuffers rows)
            throws BadInputException {
        if (ts.length < n) {
            ts = new long[n];
            values = new double[n];
            ids = new int[n];
        }
        timestamps(tsColumn, n);
        values(valueColumn, n);
        if (seriesColumn != null) {
            series(seriesColumn, n);
        }
        rows.append(ts, values, ids, n);
        rowsBefore += n;
    }

    private void timestamps(ColumnReader c, int n) throws BadInputException {
        Validity validity = c.getLeafValidity();
        if (validity.hasNulls()) {
            throw problem(validity.nextNull(0, n), "the timestamp is null");
        }
        ParquetLayout.Timestamps kind = layout.ts();
        switch (kind.kind()) {
            case INTEGER -> {
                long unit = kind.nanosPerUnit();
                if (c.getColumnSchema().type() == PhysicalType.INT32) {
                    int[] raw = c.getInts();
                    for (int i = 0; i < n; i++) {
                        ts[i] = scaled(kind.unsigned() ? raw[i] & 0xFFFF_FFFFL : raw[i], unit, i);
                    }
                } else {
                    long[] raw = c.getLongs();
                    for (int i = 0; i < n; i++) {
                        if (kind.unsigned() && raw[i] < 0) {
                            throw problem(i, "the timestamp " + Long.toUnsignedString(raw[i]) + " is outside the range of int64 nanoseconds");
                        }
                        ts[i] = unit == 1 ? raw[i] : scaled(raw[i], unit, i);
                    }
                }
            }
            case INT96 -> {
                ByteBuffer bytes = ByteBuffer.wrap(c.getBinaryValues()).order(ByteOrder.LITTLE_ENDIAN);
                int[] offsets = c.getBinaryOffsets();
                for (int i = 0; i < n; i++) {
                    long nanosOfDay = bytes.getLong(offsets[i]);
                    long julianDay = bytes.getInt(offsets[i] + 8) & 0xFFFF_FFFFL;
                    try {
                        ts[i] = Math.addExact(Math.multiplyExact(julianDay - JULIAN_DAY_OF_EPOCH, NANOS_PER_DAY), nanosOfDay);
                    } catch (ArithmeticException e) {
                        throw problem(i, "the INT96 timestamp is outside the range of int64 nanoseconds");
                    }
                }
            }
            case TEXT -> {
                MemorySegment text = MemorySegment.ofArray(c.getBinaryValues());
                int[] offsets = c.getBinaryOffsets();
                for (int i = 0; i < n; i++) {
                    long end = scanner.scan(text, offsets[i], offsets[i + 1]);
                    if (end != offsets[i + 1]) {
                        String shown = new String(c.getBinaryValues(), offsets[i], Math.min(64, offsets[i + 1] - offsets[i]),
                                StandardCharsets.UTF_8);
                        throw problem(i, "'" + shown + "' " + (end == TimestampScanner.OUT_OF_RANGE
                                ? "is outside the range of int64 nanoseconds" : "is not a timestamp in format " + format));
                    }
                    ts[i] = scanner.value();
                }
            }
        }
    }

    private long scaled(long raw, long unit, int i) throws BadInputException {
        long high = Math.multiplyHigh(raw, unit);
        long low = raw * unit;
        if ((high != 0 || low < 0) && (high != -1 || low >= 0)) {
            throw problem(i, "the timestamp " + raw + " (" + unit + " ns a unit) is outside the range of int64 nanoseconds");
        }
        return low;
    }

    private void values(ColumnReader c, int n) {
        ParquetLayout.Values kind = layout.value();
        switch (kind.kind()) {
            case DOUBLE -> {
                double[] raw = c.getDoubles();
                for (int i = 0; i < n; i++) {
                    double v = raw[i];
                    values[i] = v != v ? Double.NaN : v; // every missing value is the canonical NaN
                }
            }
            case FLOAT -> {
                float[] raw = c.getFloats();
                for (int i = 0; i < n; i++) {
                    values[i] = raw[i] != raw[i] ? Double.NaN : raw[i];
                }
            }
            case INT32 -> {
                int[] raw = c.getInts();
                for (int i = 0; i < n; i++) {
                    values[i] = kind.unsigned() ? raw[i] & 0xFFFF_FFFFL : raw[i];
                }
            }
            case INT64 -> {
                long[] raw = c.getLongs();
                for (int i = 0; i < n; i++) {
                    values[i] = kind.unsigned() ? unsignedToDouble(raw[i]) : raw[i];
                }
            }
            case DECIMAL_INT32 -> {
                int[] raw = c.getInts();
                for (int i = 0; i < n; i++) {
                    values[i] = decimal(raw[i], kind.scale());
                }
            }
            case DECIMAL_INT64 -> {
                long[] raw = c.getLongs();
                for (int i = 0; i < n; i++) {
                    values[i] = decimal(raw[i], kind.scale());
                }
            }
            case DECIMAL_BYTES -> {
                byte[] bytes = c.getBinaryValues();
                int[] offsets = c.getBinaryOffsets();
                for (int i = 0; i < n; i++) {
                    int length = offsets[i + 1] - offsets[i];
                    values[i] = length == 0 ? 0.0
                            : new BigDecimal(new BigInteger(bytes, offsets[i], length), kind.scale()).doubleValue();
                }
            }
            case BOOLEAN -> {
                boolean[] raw = c.getBooleans();
                for (int i = 0; i < n; i++) {
                    values[i] = raw[i] ? 1.0 : 0.0;
                }
            }
        }
        Validity validity = c.getLeafValidity();
        if (validity.hasNulls()) {
            for (int i = validity.nextNull(0, n); i >= 0 && i < n; i = validity.nextNull(i + 1, n)) {
                values[i] = Double.NaN;
            }
        }
    }

    /** The double nearest to {@code unscaled / 10^scale}. */
    static double decimal(long unscaled, int scale) {
        if (unscaled >= -EXACT_INTEGER && unscaled <= EXACT_INTEGER && scale >= 0 && scale < POWERS_OF_TEN.length) {
            return unscaled / POWERS_OF_TEN[scale];
        }
        return new BigDecimal(BigInteger.valueOf(unscaled), scale).doubleValue();
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : new BigDecimal(Long.toUnsignedString(v)).doubleValue();
    }

    /** Series ids; a null series is the series with the empty name, as an empty CSV field is. */
    private void series(ColumnReader c, int n) throws BadInputException {
        Validity validity = c.getLeafValidity();
        boolean hasNulls = validity.hasNulls();
        ParquetLayout.Series kind = layout.series();
        switch (kind.kind()) {
            case TEXT -> {
                byte[] bytes = c.getBinaryValues();
                MemorySegment text = MemorySegment.ofArray(bytes);
                int[] offsets = c.getBinaryOffsets();
                for (int i = 0; i < n; i++) {
                    int length = hasNulls && validity.isNull(i) ? 0 : offsets[i + 1] - offsets[i];
                    ids[i] = id(text, offsets[i], length, i);
                }
            }
            case INT32, INT64 -> {
                int[] ints = kind.kind() == ParquetLayout.SeriesKind.INT32 ? c.getInts() : null;
                long[] longs = ints == null ? c.getLongs() : null;
                MemorySegment text = MemorySegment.ofArray(digits);
                for (int i = 0; i < n; i++) {
                    if (hasNulls && validity.isNull(i)) {
                        ids[i] = id(text, 0, 0, i);
                        continue;
                    }
                    long v = ints != null ? (kind.unsigned() ? ints[i] & 0xFFFF_FFFFL : ints[i]) : longs[i];
                    String name = kind.unsigned() && ints == null ? Long.toUnsignedString(v) : null;
                    int length = name != null ? ascii(name) : decimalDigits(v);
                    ids[i] = id(text, digits.length - length, length, i);
                }
            }
            case BOOLEAN -> {
                boolean[] raw = c.getBooleans();
                for (int i = 0; i < n; i++) {
                    byte[] name = hasNulls && validity.isNull(i) ? new byte[0] : raw[i] ? TRUE : FALSE;
                    ids[i] = id(MemorySegment.ofArray(name), 0, name.length, i);
                }
            }
        }
    }

    /** Writes {@code v} in decimal at the end of {@link #digits}; returns its length. */
    private int decimalDigits(long v) {
        int at = digits.length;
        long rest = v;
        do {
            digits[--at] = (byte) ('0' + Math.abs(rest % 10));
            rest /= 10;
        } while (rest != 0);
        if (v < 0) {
            digits[--at] = '-';
        }
        return digits.length - at;
    }

    private int ascii(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, digits, digits.length - b.length, b.length);
        return b.length;
    }

    /** The series id of the name {@code text[from, from + length)}, checking a name when first met. */
    private int id(MemorySegment text, long from, int length, int i) throws BadInputException {
        try {
            return series.idOfChecked(text, from, length);
        } catch (IllegalArgumentException e) {
            throw problem(i, e.getMessage());
        }
    }

    private BadInputException problem(int indexInBatch, String what) {
        return new BadInputException(file, "row group " + rowGroup + ", row " + (rowsBefore + indexInBatch) + ": " + what);
    }
}
