package dev.tsproc.cli.output;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** How results are printed on stdout or written to a file. */
public enum OutputFormat {
    table, csv, json,
    /** An Arrow IPC file: never to a terminal, where binary output is of no use, nor a pipe (it is written at positions). */
    arrow,
    /** A Parquet file: never to a terminal. */
    parquet;

    /** Whether the format is a binary file for other tools (pyarrow, Polars, DuckDB), never written to a terminal. */
    public boolean isBinary() {
        return this == arrow || this == parquet;
    }

    /**
     * The format a file's name asks for: {@code .txt} a table, {@code .csv}, {@code .json},
     * {@code .arrow} (or {@code .feather}), {@code .parquet}; empty for any other name.
     */
    public static Optional<OutputFormat> ofFileName(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (name.lastIndexOf('.') < 0 ? "" : extension) {
            case "txt" -> Optional.of(table);
            case "csv" -> Optional.of(csv);
            case "json" -> Optional.of(json);
            case "arrow", "feather" -> Optional.of(arrow);
            case "parquet" -> Optional.of(parquet);
            default -> Optional.empty();
        };
    }
}
