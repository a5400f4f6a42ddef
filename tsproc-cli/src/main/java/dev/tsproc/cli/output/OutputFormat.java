package dev.tsproc.cli.output;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** How results are printed on stdout or written to a file. */
public enum OutputFormat {
    table, csv, json;

    /** The format a file's name asks for: {@code .txt} a table, {@code .csv}, {@code .json}; empty for any other name. */
    public static Optional<OutputFormat> ofFileName(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (name.lastIndexOf('.') < 0 ? "" : extension) {
            case "txt" -> Optional.of(table);
            case "csv" -> Optional.of(csv);
            case "json" -> Optional.of(json);
            default -> Optional.empty();
        };
    }
}
