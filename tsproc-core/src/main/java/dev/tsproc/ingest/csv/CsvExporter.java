package dev.tsproc.ingest.csv;

import dev.tsproc.concurrent.OrderedPipeline;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a store as CSV that {@link CsvImporter} reads back to the same store:
 * {@code import(export(s))} has the same columns, bit for bit, and the same dictionary, for
 * every store whose dictionary is sorted by UTF-8 bytes and whose every series has a row (all
 * stores that import writes, and the generator's).
 *
 * {@snippet :
 * try (Store store = Store.open(Path.of("prices.tsp"))) {
 *     CsvExporter.export(store, Path.of("prices.csv"), CsvExporter.Options.defaults());
 * }
 * }
 *
 * <p><b>Format.</b> A header {@code series,ts,value} (or {@code ts,value} without series),
 * then one line per row, LF line ends, in store order. Timestamps as epoch nanoseconds
 * (integers), or ISO-8601 UTC ({@code 2024-05-01T12:00:00.250Z}) with
 * {@link TimestampStyle#ISO}. Values in their shortest form that reads back to the same double
 * ({@link Double#toString}, without a trailing {@code .0}); a missing value (NaN) as an empty
 * field; infinities as {@code Infinity} and {@code -Infinity}.
 *
 * <p><b>Series names</b> are quoted (RFC 4180) when they hold a comma or a quote, or are
 * empty. A name that a spreadsheet would run as a formula (starting with {@code = + - @}, a
 * tab, or apostrophes followed by one of those) gets one apostrophe in front (CWE-1236), which
 * import removes again. Values are numbers, never text, so a negative value is written as is.
 * A name holding a line break or a NUL byte cannot be read back by import, so export refuses
 * it.
 *
 * <p>Rows are formatted in blocks on several threads and written in order by one more
 * ({@link OrderedPipeline}): an interrupt or the first failure stops them all, and memory stays
 * bounded however far the writer lags.
 *
 * <p><b>A damaged store</b> is never written out: each block's rows are checked as they are
 * formatted ({@link Store#checkRows(long, long)}), and the first damage fails the export, so
 * {@link #export(Store, Path, Options)} leaves no file (to a stream, the rows before the damaged
 * block may have been written). A version-1 store has no block checksums: verify it first
 * ({@link Store#verify()}).
 */
public final class CsvExporter {
    /** How timestamps are written. */
    public enum TimestampStyle {
        /** Epoch nanoseconds, an integer: what import reads by default. */
        EPOCH_NS,
        /** ISO-8601 UTC with the fraction trimmed to 0, 3, 6 or 9 digits. */
        ISO
    }

    /**
     * Export options.
     *
     * @param timestamps how timestamps are written
     * @param header     whether to write the header line
     * @param threads    formatting threads
     */
    public record Options(TimestampStyle timestamps, boolean header, int threads) {
        public Options {
            Objects.requireNonNull(timestamps, "timestamps");
            if (threads < 1) {
                throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
            }
        }

        /** Epoch nanoseconds, a header, all cores. */
        public static Options defaults() {
            return new Options(TimestampStyle.EPOCH_NS, true, Runtime.getRuntime().availableProcessors());
        }
    }

    private static final int BLOCK_ROWS = 1 << 15;

    private CsvExporter() {}

    /**
     * Exports {@code store} to a new file {@code target}, written aside and published whole
     * ({@link AtomicFile}), so a failed export leaves nothing.
     *
     * @return the number of rows written
     * @throws FileAlreadyExistsException if {@code target} exists
     * @throws IllegalArgumentException   if a series name cannot be written (see the class comment)
     */
    public static long export(Store store, Path target, Options options) throws IOException, InterruptedException {
        try (AtomicFile file = AtomicFile.create(target)) {
            long rows = export(store, file.outputStream(), options);
            file.commit();
            return rows;
        }
    }

    /**
     * Writes {@code store} as CSV to {@code out} (not closed).
     *
     * @return the number of rows written
     */
    public static long export(Store store, OutputStream out, Options options) throws IOException, InterruptedException {
        byte[][] names = encodeNames(store.dictionary());
        if (options.header()) {
            out.write((store.hasSeries() ? "series,ts,value\n" : "ts,value\n").getBytes(StandardCharsets.US_ASCII));
        }
        long rows = store.rowCount();
        long blocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        try {
            OrderedPipeline.run("export", blocks, options.threads(), block -> {
                long first = block * BLOCK_ROWS;
                return format(store, names, first, (int) Math.min(BLOCK_ROWS, rows - first), options.timestamps());
            }, (block, bytes) -> out.write(bytes));
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
        out.flush();
        return rows;
    }

    private static byte[] format(Store store, byte[][] names, long first, int count, TimestampStyle style)
            throws CorruptStoreException {
        store.checkRows(first, count);
        MemorySegment ts = store.column(Column.TS);
        MemorySegment values = store.column(Column.VALUE);
        MemorySegment series = store.hasSeries() ? store.column(Column.SERIES) : null;
        Line out = new Line(count * 40);
        for (long i = first, end = first + count; i < end; i++) {
            if (series != null) {
                int id = series.getAtIndex(Column.SERIES_LAYOUT, i);
                if (id < 0 || id >= names.length) {
                    throw new IllegalStateException(store.path() + " row " + i + " has series id " + id
                            + " outside its dictionary of " + names.length + " names");
                }
                out.bytes(names[id]).ascii(',');
            }
            long t = ts.getAtIndex(Column.TS_LAYOUT, i);
            if (style == TimestampStyle.ISO) {
                out.iso(t);
            } else {
                out.text(Long.toString(t));
            }
            out.ascii(',');
            double v = values.getAtIndex(Column.VALUE_LAYOUT, i);
            if (!Double.isNaN(v)) {
                out.text(formatValue(v));
            }
            out.ascii('\n');
        }
        return out.toArray();
    }

    /** The shortest text that reads back to {@code v}: {@code 1.5}, {@code 2}, {@code 1.0E-7}. */
    public static String formatValue(double v) {
        String s = Double.toString(v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** Each series name as written in a CSV field; see the class comment. */
    static byte[][] encodeNames(SeriesDictionary dictionary) {
        byte[][] encoded = new byte[dictionary.size()][];
        for (int id = 0; id < encoded.length; id++) {
            encoded[id] = escapeName(dictionary.name(id), id).getBytes(StandardCharsets.UTF_8);
        }
        return encoded;
    }

    /** A series name as a CSV field: formula-escaped, then quoted if needed. */
    public static String escapeName(String name, int id) {
        if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("series " + id + " has a name holding a line break or NUL byte ("
                    + name.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0")
                    + "), which CSV import cannot read back");
        }
        String escaped = looksLikeFormula(name) ? "'" + name : name;
        if (escaped.isEmpty() || escaped.indexOf(',') >= 0 || escaped.indexOf('"') >= 0) {
            return '"' + escaped.replace("\"", "\"\"") + '"';
        }
        return escaped;
    }

    /** Whether {@code name} matches {@code '*[=+\-@\t\r].*}: a spreadsheet would run it. */
    static boolean looksLikeFormula(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '\'') {
            i++;
        }
        if (i == name.length()) {
            return false;
        }
        char c = name.charAt(i);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }

    /** A growable byte buffer for one block of lines. */
    private static final class Line {
        private byte[] bytes;
        private int size;

        Line(int capacity) {
            bytes = new byte[Math.max(64, capacity)];
        }

        Line ascii(char c) {
            ensure(1);
            bytes[size++] = (byte) c;
            return this;
        }

        Line text(String ascii) {
            ensure(ascii.length());
            for (int i = 0; i < ascii.length(); i++) {
                bytes[size++] = (byte) ascii.charAt(i);
            }
            return this;
        }

        Line bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return this;
        }

        /** {@code YYYY-MM-DDThh:mm:ss[.fff[fff[fff]]]Z}; years within int64 nanoseconds have four digits. */
        void iso(long epochNanos) {
            long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
            int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
            long days = Math.floorDiv(seconds, 86_400L);
            int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
            // H. Hinnant's civil_from_days.
            long z = days + 719_468;
            long era = Math.floorDiv(z, 146_097);
            long dayOfEra = z - era * 146_097;
            long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
            long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            long mp = (5 * dayOfYear + 2) / 153;
            int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
            int month = (int) (mp < 10 ? mp + 3 : mp - 9);
            long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
            ensure(40);
            digits(year, 4);
            ascii('-');
            digits(month, 2);
            ascii('-');
            digits(day, 2);
            ascii('T');
            digits(secondOfDay / 3600, 2);
            ascii(':');
            digits(secondOfDay / 60 % 60, 2);
            ascii(':');
            digits(secondOfDay % 60, 2);
            if (nanos != 0) {
                ascii('.');
                if (nanos % 1_000_000 == 0) {
                    digits(nanos / 1_000_000, 3);
                } else if (nanos % 1_000 == 0) {
                    digits(nanos / 1_000, 6);
                } else {
                    digits(nanos, 9);
                }
            }
            ascii('Z');
        }

        private void digits(long value, int width) {
            ensure(width);
            for (int i = width - 1; i >= 0; i--) {
                bytes[size + i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            size += width;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
