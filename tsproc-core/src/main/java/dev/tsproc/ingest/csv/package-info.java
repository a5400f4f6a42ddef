/**
 * CSV in and out: the parallel importer (chunking at line ends, a strict grammar for numbers
 * and timestamps, bad lines with exact line numbers, plain or gzip input) and the exporter.
 * Part of the {@code ingest} stage: it may use {@code store}, {@code data} and
 * {@code concurrent}. docs/IMPORT.md describes how it works and what it costs.
 */
package dev.tsproc.ingest.csv;
