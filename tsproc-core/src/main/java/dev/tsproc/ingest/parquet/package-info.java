/**
 * Parquet import: a file, a directory or a glob of Parquet files into a store, in parallel over
 * files and row groups, read with hardwood (pure Java, no Hadoop on the class path).
 * {@link dev.tsproc.ingest.parquet.ParquetSources} finds the files,
 * {@link dev.tsproc.ingest.parquet.ParquetImporter} reads their footers and row groups, and
 * {@link dev.tsproc.ingest.ColumnarImport} writes the store; the CSV import's
 * timestamp scanner, series tables and time-order merge do the parts the two formats share.
 */
package dev.tsproc.ingest.parquet;
