package dev.tsproc.cli;

/** How results are printed on stdout. */
enum OutputFormat {
    table, csv, json
}
