package dev.tsproc.cli.output;

/** How results are printed on stdout. */
public enum OutputFormat {
    table, csv, json
}
