package dev.tsproc.cli.command;

import dev.tsproc.ingest.csv.TimestampFormat;
import dev.tsproc.ingest.parquet.ParquetOptions;
import picocli.CommandLine.Option;

/**
 * Which columns of an input file hold the time, the value and the series, and how its times
 * read: {@code import} takes these for CSV, Parquet and Arrow files, {@code run} for the Parquet
 * and Arrow files it loads. One mixin, so both commands name and describe them alike.
 */
final class ColumnOptions {
    @Option(names = "--ts-col", paramLabel = "COLUMN",
            description = "Timestamp column: header name or 1-based position. Default: the column named ts, timestamp or time"
                    + " (a CSV without a header: field 1 of 2, field 2 of 3).")
    String tsColumn;

    @Option(names = "--value-col", paramLabel = "COLUMN",
            description = "Value column: header name or 1-based position. Default: the column named value (a CSV without a header:"
                    + " the last of 2 or 3).")
    String valueColumn;

    @Option(names = "--series-col", paramLabel = "COLUMN",
            description = "Series column: header name or 1-based position. Default: the column named series, if any"
                    + " (a CSV without a header: field 1 of 3).")
    String seriesColumn;

    @Option(names = "--no-series", description = "Read no series column even if there is one named series.")
    boolean noSeries;

    @Option(names = "--ts-format", paramLabel = "FORMAT",
            description = "auto (integers without a timestamp type, in CSV, Parquet or Arrow, in the epoch unit their"
                    + " magnitude tells; text as ISO-8601), iso, epoch-s, epoch-ms, epoch-us, epoch-ns, or"
                    + " pattern:<java.time pattern> (UTC unless it has an offset). Default: auto.")
    String tsFormat;

    /**
     * How timestamps read.
     *
     * @throws IllegalArgumentException if {@code --ts-format} is not a format
     */
    TimestampFormat timestampFormat() {
        return TimestampFormat.parse(tsFormat == null ? "auto" : tsFormat);
    }

    /**
     * These options for Parquet or Arrow files read on {@code threads} threads.
     *
     * @throws IllegalArgumentException if they contradict each other or {@code --ts-format} is not a format
     */
    ParquetOptions parquet(int threads) {
        return new ParquetOptions(tsColumn, valueColumn, seriesColumn, noSeries, timestampFormat(), threads);
    }

    /** The first of these options given on the command line, or {@code null}. */
    String firstGiven() {
        return tsColumn != null ? "--ts-col" : valueColumn != null ? "--value-col" : seriesColumn != null ? "--series-col"
                : noSeries ? "--no-series" : tsFormat != null ? "--ts-format" : null;
    }
}
