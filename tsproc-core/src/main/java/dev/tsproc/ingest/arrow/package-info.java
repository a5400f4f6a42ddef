/**
 * Arrow IPC files in and out: {@link dev.tsproc.ingest.arrow.ArrowImporter} reads one through a
 * memory mapping into a store (record batches as parts of {@link dev.tsproc.ingest.ColumnarImport}),
 * {@link dev.tsproc.ingest.arrow.ArrowExporter} writes a store's columns as one. Both are small
 * hand-written codecs over {@code arrow-format}'s flatbuffer classes ({@link dev.tsproc.ingest.arrow.ArrowIpc}
 * draws the framing); {@code arrow-vector} would need {@code --add-opens} and copy every buffer.
 */
package dev.tsproc.ingest.arrow;
