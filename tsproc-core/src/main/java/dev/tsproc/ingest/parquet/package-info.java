/**
 * Parquet import and export. Import: a file, a directory or a glob of Parquet files into a store, in parallel over
 * files and row groups, read with hardwood (pure Java, no Hadoop on the class path).
 * {@link dev.tsproc.ingest.parquet.ParquetSources} finds the files,
 * {@link dev.tsproc.ingest.parquet.ParquetImporter} reads their footers and row groups, and
 * {@link dev.tsproc.ingest.ColumnarImport} writes the store; the CSV import's
 * timestamp scanner, series tables and time-order merge do the parts the two formats share.
 *
 * <p>Parquet export: {@link dev.tsproc.ingest.parquet.ParquetExporter} writes a store, or any
 * {@link dev.tsproc.ingest.ExportTable}, as a Parquet file — a small hand-written writer
 * (hardwood only reads), in classes of its own: the page encoder, the RLE/bit-packed encoder,
 * the Thrift compact writer and the footer.
 */
package dev.tsproc.ingest.parquet;
