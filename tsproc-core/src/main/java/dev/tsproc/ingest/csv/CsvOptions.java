package dev.tsproc.ingest.csv;

import dev.tsproc.data.SeriesDictionary;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to read a CSV file: which fields hold what, the timestamp format, missing-value
 * spellings, what to do with bad lines, limits and threads. Immutable; build with
 * {@link #builder()}.
 *
 * <p>Defaults: a header line; comma-delimited; the timestamp in the column named {@code ts},
 * {@code timestamp} or {@code time}, the value in {@code value}, series names in
 * {@code series} if there is such a column (without a header: {@code ts,value} or
 * {@code series,ts,value} by field count); {@link TimestampFormat#AUTO}; missing values spelled
 * as an empty field or one of {@link #DEFAULT_MISSING}; stop at the first bad line; lines of at
 * most {@link #DEFAULT_MAX_LINE_BYTES}; all cores.
 */
public final class CsvOptions {
    /** What to do with a bad line. */
    public enum OnError {
        /** Stop at the first bad line; write nothing. */
        FAIL,
        /** Leave bad lines out, import the rest, report them. */
        SKIP
    }

    /** Missing-value spellings besides the empty field. */
    public static final List<String> DEFAULT_MISSING = List.of("NaN", "nan", "null", "NULL", "NA", "N/A", "None");
    /** Longest accepted line, including its line end: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    /** The smallest line limit: a line end, a timestamp and a value need more room than that. */
    public static final int MIN_MAX_LINE_BYTES = 16;

    private final String tsColumn;
    private final String valueColumn;
    private final String seriesColumn;
    private final boolean noSeries;
    private final boolean header;
    private final byte delimiter;
    private final TimestampFormat timestampFormat;
    private final List<String> missing;
    private final OnError onError;
    private final Path errorsOut;
    private final int maxLineBytes;
    private final int threads;
    private final long chunkBytes;
    private final int maxSeries;

    private CsvOptions(Builder b) {
        this.tsColumn = b.tsColumn;
        this.valueColumn = b.valueColumn;
        this.seriesColumn = b.seriesColumn;
        this.noSeries = b.noSeries;
        this.header = b.header;
        this.delimiter = b.delimiter;
        this.timestampFormat = b.timestampFormat;
        this.missing = List.copyOf(b.missing);
        this.onError = b.onError;
        this.errorsOut = b.errorsOut;
        this.maxLineBytes = b.maxLineBytes;
        this.threads = b.threads;
        this.chunkBytes = b.chunkBytes;
        this.maxSeries = b.maxSeries;
    }

    /** A builder holding these options, to change one of them. */
    Builder toBuilder() {
        Builder b = builder().tsColumn(tsColumn).valueColumn(valueColumn).seriesColumn(seriesColumn).noSeries(noSeries)
                .header(header).timestampFormat(timestampFormat).missing(missing).onError(onError).errorsOut(errorsOut)
                .maxLineBytes(maxLineBytes).threads(threads).chunkBytes(chunkBytes).maxSeries(maxSeries);
        b.delimiter = delimiter;
        return b;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default options. */
    public static CsvOptions defaults() {
        return builder().build();
    }

    public String tsColumn() { return tsColumn; }
    public String valueColumn() { return valueColumn; }
    public String seriesColumn() { return seriesColumn; }
    public boolean noSeries() { return noSeries; }
    public boolean header() { return header; }
    public byte delimiter() { return delimiter; }
    public TimestampFormat timestampFormat() { return timestampFormat; }
    public List<String> missing() { return missing; }
    public OnError onError() { return onError; }
    public Path errorsOut() { return errorsOut; }
    public int maxLineBytes() { return maxLineBytes; }
    public int threads() { return threads; }
    long chunkBytes() { return chunkBytes; }
    int maxSeries() { return maxSeries; }

    /** Builds {@link CsvOptions}; each setter checks its argument. */
    public static final class Builder {
        private String tsColumn;
        private String valueColumn;
        private String seriesColumn;
        private boolean noSeries;
        private boolean header = true;
        private byte delimiter = ',';
        private TimestampFormat timestampFormat = TimestampFormat.AUTO;
        private List<String> missing = DEFAULT_MISSING;
        private OnError onError = OnError.FAIL;
        private Path errorsOut;
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private int threads = Runtime.getRuntime().availableProcessors();
        private long chunkBytes;
        private int maxSeries = SeriesDictionary.MAX_SERIES;

        private Builder() {}

        /** The timestamp column: a header name, or a 1-based position. */
        public Builder tsColumn(String column) { this.tsColumn = column; return this; }
        /** The value column: a header name, or a 1-based position. */
        public Builder valueColumn(String column) { this.valueColumn = column; return this; }
        /** The series column: a header name, or a 1-based position. */
        public Builder seriesColumn(String column) { this.seriesColumn = column; return this; }
        /** Import no series column even if the header has one named {@code series}. */
        public Builder noSeries(boolean noSeries) { this.noSeries = noSeries; return this; }
        /** Whether the first line is a header. */
        public Builder header(boolean header) { this.header = header; return this; }

        /** The field delimiter: one ASCII character other than a quote, CR or LF. */
        public Builder delimiter(char delimiter) {
            if (delimiter == 0 || delimiter > 127 || delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
                throw new IllegalArgumentException("the delimiter must be one ASCII character other than a quote, CR, LF or NUL, got '"
                        + delimiter + "'");
            }
            this.delimiter = (byte) delimiter;
            return this;
        }

        public Builder timestampFormat(TimestampFormat format) {
            this.timestampFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Spellings of a missing value besides the empty field; they are matched exactly. */
        public Builder missing(List<String> spellings) {
            this.missing = List.copyOf(spellings);
            return this;
        }

        public Builder onError(OnError onError) { this.onError = Objects.requireNonNull(onError, "onError"); return this; }

        /** Where to list every bad line, one per line; null for nowhere. */
        public Builder errorsOut(Path file) { this.errorsOut = file; return this; }

        public Builder maxLineBytes(int bytes) {
            if (bytes < MIN_MAX_LINE_BYTES) {
                throw new IllegalArgumentException("maxLineBytes=" + bytes + " must be at least " + MIN_MAX_LINE_BYTES);
            }
            this.maxLineBytes = bytes;
            return this;
        }

        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
            }
            this.threads = threads;
            return this;
        }

        /** Bytes per parallel chunk; 0 chooses. For tests of chunk boundaries. */
        Builder chunkBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("chunkBytes=" + bytes + " must not be negative");
            }
            this.chunkBytes = bytes;
            return this;
        }

        /** The series cardinality limit; for tests (the default is the store's). */
        Builder maxSeries(int maxSeries) {
            this.maxSeries = Math.min(maxSeries, SeriesDictionary.MAX_SERIES);
            return this;
        }

        public CsvOptions build() {
            return new CsvOptions(this);
        }
    }
}
