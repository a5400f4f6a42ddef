package dev.tsproc.ingest.parquet;

import dev.tsproc.concurrent.OrderedPipeline;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.ingest.ExportTable;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes a store, or any {@link ExportTable}, as a Parquet file that pyarrow, Polars and DuckDB
 * read as they are, and that {@code tsproc import} reads back to the same store.
 *
 * {@snippet :
 * ParquetExporter.export(store, Path.of("walk.parquet"), new ParquetExporter.Options(ParquetCodec.ZSTD, 4));
 * }
 *
 * <p><b>Layout.</b> Row groups of {@link #ROW_GROUP_ROWS} rows; in each, one column chunk per
 * field of data pages (v1) of {@link #PAGE_ROWS} rows, each compressed by the
 * {@linkplain ParquetCodec codec}. Numbers are PLAIN-encoded, written from the store's mapping
 * as they are; a double field is optional, its definition levels (RLE/bit-packed,
 * {@link RleHybridEncoder}) saying where the value is NaN, which is written as null. A
 * dictionary-string field — the store's series — is dictionary-encoded with the store's own
 * dictionary as each chunk's dictionary page and its ids as the indices, so nothing is looked
 * up; the dictionary page is encoded and compressed once for the file. Column chunks carry
 * min/max statistics and null counts ({@link ParquetFooter} writes the footer).
 *
 * <p><b>Threads.</b> Row groups are encoded on {@link Options#threads()} threads and written in
 * order by one more ({@link OrderedPipeline}); the file is the same bytes for any thread count.
 *
 * <p><b>Why hand-written.</b> No pure-Java Parquet writer without Hadoop was acceptable on
 * Maven Central: hardwood 1.0.1, which tsproc reads Parquet with, only reads; parquet-java's
 * writer needs Hadoop's classes at run time, and the small libraries that avoid that
 * (parquet-floor) do it by copying Hadoop classes into {@code org.apache.hadoop} and write row by
 * row through parquet-java's record API, boxing every value. What a store needs is small: three
 * flat columns, two encodings, three codecs, and Thrift's compact protocol for the metadata
 * ({@link ThriftCompactWriter}).
 *
 * <p><b>Failure.</b> The file is written beside the target and published whole
 * ({@link AtomicFile}): an error or an interrupt leaves nothing.
 */
public final class ParquetExporter {
    /** Rows per row group: pyarrow's default, and a store's batch of work for a reader's thread. */
    public static final long ROW_GROUP_ROWS = 1 << 20;
    /** Rows per data page: 1 MiB of a 64-bit column, as pyarrow's default page size. */
    static final int PAGE_ROWS = 1 << 17;
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    /**
     * How to write.
     *
     * @param codec   how pages are compressed
     * @param threads threads encoding and compressing row groups
     */
    public record Options(ParquetCodec codec, int threads) {
        public Options {
            Objects.requireNonNull(codec, "codec");
            if (threads < 1) {
                throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
            }
        }

        /** Snappy on every core. */
        public static Options defaults() {
            return new Options(ParquetCodec.SNAPPY, Runtime.getRuntime().availableProcessors());
        }
    }

    private ParquetExporter() {}

    /** Writes {@code store} to the new file {@code target}; returns the rows written. */
    public static long export(Store store, Path target, Options options) throws IOException, InterruptedException {
        return export(ExportTable.of(store), target, options);
    }

    /** Writes {@code table} to the new file {@code target}; returns the rows written. */
    public static long export(ExportTable table, Path target, Options options) throws IOException, InterruptedException {
        return export(table, target, options, ROW_GROUP_ROWS, PAGE_ROWS);
    }

    /** As {@link #export(ExportTable, Path, Options)}, with row groups and pages of the given sizes. */
    static long export(ExportTable table, Path target, Options options, long rowGroupRows, int pageRows)
            throws IOException, InterruptedException {
        try (AtomicFile file = AtomicFile.create(target)) {
            write(table, file.outputStream(), options, rowGroupRows, pageRows);
            file.commit();
        }
        return table.rowCount();
    }

    /** Writes {@code table} as a whole Parquet file to {@code out} (not closed). */
    public static void write(ExportTable table, OutputStream out, Options options) throws IOException, InterruptedException {
        write(table, out, options, ROW_GROUP_ROWS, PAGE_ROWS);
    }

    private static void write(ExportTable table, OutputStream out, Options options, long rowGroupRows, int pageRows)
            throws IOException, InterruptedException {
        List<ColumnChunkEncoder.Dictionary> dictionaries = new ArrayList<>();
        for (ExportTable.Field f : table.fields()) {
            dictionaries.add(f.type() == ExportTable.Type.DICTIONARY_STRING
                    ? ColumnChunkEncoder.Dictionary.of(f.dictionary(), options.codec()) : null);
        }
        long rows = table.rowCount();
        long groups = (rows + rowGroupRows - 1) / rowGroupRows;
        out.write(MAGIC);
        List<ParquetFooter.RowGroup> written = new ArrayList<>();
        long[] position = {MAGIC.length};
        try {
            OrderedPipeline.run("parquet-export", groups, options.threads(), group -> {
                long first = group * rowGroupRows;
                int count = (int) Math.min(rowGroupRows, rows - first);
                table.check().check(first, count);
                ColumnChunkEncoder encoder = new ColumnChunkEncoder(options.codec(), pageRows);
                List<ColumnChunkEncoder.Encoded> chunks = new ArrayList<>();
                for (int i = 0; i < table.fields().size(); i++) {
                    chunks.add(encoder.encode(table.fields().get(i), dictionaries.get(i), first, count));
                }
                return chunks;
            }, (group, chunks) -> {
                List<ParquetFooter.Chunk> placed = new ArrayList<>(chunks.size());
                for (ColumnChunkEncoder.Encoded chunk : chunks) {
                    placed.add(chunk.placedAt(position[0]));
                    out.write(chunk.bytes().array(), 0, chunk.bytes().size());
                    position[0] += chunk.bytes().size();
                }
                written.add(new ParquetFooter.RowGroup(Math.min(rowGroupRows, rows - group * rowGroupRows), placed));
            });
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
        ByteSink footer = ParquetFooter.fileMetaData(table, written, options.codec());
        footer.putInt(footer.size());
        footer.put(MAGIC, 0, MAGIC.length);
        out.write(footer.array(), 0, footer.size());
        out.flush();
    }
}
