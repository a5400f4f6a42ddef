package dev.tsproc.ingest.parquet;

import dev.tsproc.ingest.csv.TimestampFormat;

import java.util.Objects;

/**
 * How a Parquet import picks and reads its columns: the options of a CSV import that apply to
 * typed columns.
 *
 * @param tsColumn        the timestamp column, by name or 1-based position; null: {@code ts},
 *                        {@code timestamp} or {@code time}
 * @param valueColumn     the value column; null: {@code value}
 * @param seriesColumn    the series column; null: {@code series} if the file has one
 * @param noSeries        import no series column even if there is one named {@code series}
 * @param timestampFormat how integers without a timestamp type (and text) are read; a
 *                        Parquet timestamp type always says its own unit
 * @param threads         threads reading row groups
 * @param readSeries      whether the series column is read at all: false when files are loaded
 *                        for a query that does not use it, which then costs nothing; a series
 *                        column named by {@code seriesColumn} must exist all the same, so that a
 *                        misspelt option is an error whatever the query
 * @param fromNanos       with {@code toNanos}, the times a query over the load reads,
 *                        {@code fromNanos <= ts < toNanos}: a Parquet row group whose timestamp
 *                        statistics say it holds none of them is not read (its rows would be
 *                        filtered out anyway); {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE}
 *                        for every row group. An import keeps every row.
 */
public record ParquetOptions(String tsColumn, String valueColumn, String seriesColumn, boolean noSeries,
                             TimestampFormat timestampFormat, int threads, boolean readSeries,
                             long fromNanos, long toNanos) {
    public ParquetOptions {
        Objects.requireNonNull(timestampFormat, "timestampFormat");
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
        }
        if (noSeries && seriesColumn != null) {
            throw new IllegalArgumentException("--no-series and --series-col contradict each other");
        }
        if (fromNanos > toNanos) {
            throw new IllegalArgumentException("fromNanos=" + fromNanos + " is after toNanos=" + toNanos);
        }
    }

    /** Options that read the series column, if there is one. */
    public ParquetOptions(String tsColumn, String valueColumn, String seriesColumn, boolean noSeries,
                          TimestampFormat timestampFormat, int threads) {
        this(tsColumn, valueColumn, seriesColumn, noSeries, timestampFormat, threads, true, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Columns by their default names, timestamps as {@code auto}, on every core. */
    public static ParquetOptions defaults() {
        return new ParquetOptions(null, null, null, false, TimestampFormat.AUTO, Runtime.getRuntime().availableProcessors());
    }

    /** These options on {@code threads} threads. */
    public ParquetOptions withThreads(int threads) {
        return new ParquetOptions(tsColumn, valueColumn, seriesColumn, noSeries, timestampFormat, threads, readSeries,
                fromNanos, toNanos);
    }

    /** These options, reading the series column only if {@code read}. */
    public ParquetOptions readingSeries(boolean read) {
        return new ParquetOptions(tsColumn, valueColumn, seriesColumn, noSeries, timestampFormat, threads, read,
                fromNanos, toNanos);
    }

    /** These options, reading only row groups that may hold times in {@code [fromNanos, toNanos)}. */
    public ParquetOptions within(long fromNanos, long toNanos) {
        return new ParquetOptions(tsColumn, valueColumn, seriesColumn, noSeries, timestampFormat, threads, readSeries,
                fromNanos, toNanos);
    }
}
