package dev.tsproc.ingest.arrow;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.tsproc.ingest.ExportTable;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.Store;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.DictionaryEncoding;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.flatbuf.TimeUnit;
import org.apache.arrow.flatbuf.Timestamp;
import org.apache.arrow.flatbuf.Type;
import org.apache.arrow.flatbuf.Utf8;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a store, or any {@link ExportTable}, as an Arrow IPC file that pyarrow, Polars and
 * DuckDB read as they are. A store's columns are {@code ts timestamp[ns, tz=UTC]} (not null),
 * {@code value double} (a missing value is null), and {@code series dictionary<int32, utf8>}
 * (not null) when the store has series — the store's own ids and dictionary, so series cost four
 * bytes a row here as in the store. Other tables (a query's answer) add {@code int64} columns.
 *
 * <p>The fields' buffers are written from their memory — a store's mapping — with no copy (both
 * are little-endian, 8-byte aligned); only the validity bitmaps of double fields are computed.
 * Rows go in record batches of {@link #BATCH_ROWS}. {@link #export} writes the file beside the
 * target and publishes it whole ({@link AtomicFile}), so a failed export leaves nothing.
 *
 * <p>Written by hand over {@code arrow-format}'s flatbuffer classes rather than with
 * {@code arrow-vector}, which needs {@code --add-opens=java.base/java.nio} and would copy every
 * column into its own buffers first.
 */
public final class ArrowExporter {
    private static final ValueLayout.OfDouble VALUE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Rows per record batch: large enough that per-batch costs vanish, small enough for readers that load a batch at once. */
    public static final int BATCH_ROWS = 1 << 20;

    private final ExportTable table;
    private final FileChannel out;
    private final long batchRows;
    private long position;

    private ArrowExporter(ExportTable table, FileChannel out, long batchRows) {
        this.table = table;
        this.out = out;
        this.batchRows = batchRows;
    }

    /** Writes {@code store} to the new file {@code target}; returns the rows written. */
    public static long export(Store store, Path target) throws IOException {
        return export(store, target, BATCH_ROWS);
    }

    /** As {@link #export(Store, Path)}, in record batches of {@code batchRows} rows. */
    static long export(Store store, Path target, long batchRows) throws IOException {
        try (AtomicFile file = AtomicFile.create(target)) {
            write(ExportTable.of(store), file.channel(), batchRows);
            file.commit();
        }
        return store.rowCount();
    }

    /** Writes {@code table} as a whole Arrow IPC file into {@code out}, from position 0. */
    public static void write(ExportTable table, FileChannel out) throws IOException {
        write(table, out, BATCH_ROWS);
    }

    private static void write(ExportTable table, FileChannel out, long batchRows) throws IOException {
        new ArrowExporter(table, out, batchRows).write();
    }

    private void write() throws IOException {
        writeFully(ByteBuffer.wrap(ArrowIpc.MAGIC));
        writeFully(ByteBuffer.allocate(ArrowIpc.HEADER_BYTES - ArrowIpc.MAGIC.length));
        FlatBufferBuilder schema = new FlatBufferBuilder();
        schema.finish(Message.createMessage(schema, MetadataVersion.V5, MessageHeader.Schema, schema(schema), 0, 0));
        writeMessage(schema, List.of());
        List<long[]> dictionaries = new ArrayList<>();
        int dictionaryId = 0;
        for (ExportTable.Field f : table.fields()) {
            if (f.type() == ExportTable.Type.DICTIONARY_STRING) {
                dictionaries.add(writeDictionary(dictionaryId++, f.dictionary()));
            }
        }
        List<long[]> batches = new ArrayList<>();
        for (long first = 0; first < table.rowCount(); first += batchRows) {
            batches.add(writeBatch(first, Math.min(batchRows, table.rowCount() - first)));
        }
        FlatBufferBuilder footer = new FlatBufferBuilder();
        int schemaAt = schema(footer);
        int dictionariesAt = blocks(footer, dictionaries, true);
        int batchesAt = blocks(footer, batches, false);
        footer.finish(Footer.createFooter(footer, MetadataVersion.V5, schemaAt, dictionariesAt, batchesAt, 0));
        ByteBuffer bytes = footer.dataBuffer();
        int length = bytes.remaining();
        writeFully(bytes);
        ByteBuffer trailer = ByteBuffer.allocate(ArrowIpc.TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt(length).put(ArrowIpc.MAGIC).flip();
        writeFully(trailer);
    }

    private int schema(FlatBufferBuilder b) {
        int[] fields = new int[table.fields().size()];
        int dictionaryId = 0;
        for (int i = 0; i < fields.length; i++) {
            ExportTable.Field f = table.fields().get(i);
            fields[i] = switch (f.type()) {
                case TIMESTAMP -> {
                    int tz = b.createString("UTC");
                    Timestamp.startTimestamp(b);
                    Timestamp.addUnit(b, TimeUnit.NANOSECOND);
                    Timestamp.addTimezone(b, tz);
                    yield field(b, f.name(), false, Type.Timestamp, Timestamp.endTimestamp(b), 0);
                }
                case INT64 -> field(b, f.name(), false, Type.Int, Int.createInt(b, 64, true), 0);
                case DOUBLE -> field(b, f.name(), true, Type.FloatingPoint, FloatingPoint.createFloatingPoint(b, Precision.DOUBLE), 0);
                case DICTIONARY_STRING -> {
                    Utf8.startUtf8(b);
                    int utf8 = Utf8.endUtf8(b);
                    int indexType = Int.createInt(b, 32, true);
                    int encoding = DictionaryEncoding.createDictionaryEncoding(b, dictionaryId++, indexType, false, (short) 0);
                    yield field(b, f.name(), false, Type.Utf8, utf8, encoding);
                }
            };
        }
        return Schema.createSchema(b, (short) 0, Schema.createFieldsVector(b, fields), 0, 0);
    }

    private static int field(FlatBufferBuilder b, String name, boolean nullable, byte type, int typeAt, int dictionary) {
        int nameAt = b.createString(name);
        int children = Field.createChildrenVector(b, new int[0]);
        return Field.createField(b, nameAt, nullable, type, typeAt, dictionary, children, 0);
    }

    /** Writes {@code names} as dictionary batch {@code id}; returns its block. */
    private long[] writeDictionary(int id, List<String> names) throws IOException {
        int n = names.size();
        ByteBuffer offsets = ByteBuffer.allocate(Math.toIntExact(4L * (n + 1))).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> encoded = new ArrayList<>(n);
        int at = 0;
        offsets.putInt(0);
        for (String name : names) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            encoded.add(utf8);
            at = Math.addExact(at, utf8.length);
            offsets.putInt(at);
        }
        ByteBuffer data = ByteBuffer.allocate(at);
        encoded.forEach(data::put);
        List<ByteBuffer> body = List.of(ByteBuffer.allocate(0), offsets.flip(), data.flip());
        FlatBufferBuilder b = new FlatBufferBuilder();
        int batch = recordBatch(b, n, new long[][] {{n, 0}}, body);
        int dictionaryBatch = DictionaryBatch.createDictionaryBatch(b, id, batch, false);
        b.finish(Message.createMessage(b, MetadataVersion.V5, MessageHeader.DictionaryBatch, dictionaryBatch, bodyLength(body), 0));
        return writeMessage(b, body);
    }

    /** Writes rows {@code [first, first + rows)} as one record batch; returns its block. */
    private long[] writeBatch(long first, long rows) throws IOException {
        table.check().check(first, rows);
        List<ExportTable.Field> fields = table.fields();
        long[][] nodes = new long[fields.size()][];
        List<ByteBuffer> body = new ArrayList<>(2 * fields.size());
        for (int i = 0; i < nodes.length; i++) {
            ExportTable.Field f = fields.get(i);
            int width = f.type().byteWidth();
            MemorySegment data = f.data().asSlice(first * width, rows * width);
            long nulls = 0;
            ByteBuffer validity = ByteBuffer.allocate(0);
            if (f.type() == ExportTable.Type.DOUBLE) {
                ByteBuffer bitmap = ByteBuffer.allocate(Math.toIntExact((rows + 7) / 8));
                for (long r = 0; r < rows; r++) {
                    double v = data.getAtIndex(VALUE, r);
                    if (v == v) {
                        int byteIndex = (int) (r >>> 3);
                        bitmap.put(byteIndex, (byte) (bitmap.get(byteIndex) | 1 << (r & 7)));
                    } else {
                        nulls++;
                    }
                }
                validity = nulls == 0 ? validity : bitmap;
            }
            nodes[i] = new long[] {rows, nulls};
            body.add(validity);
            body.add(data.asByteBuffer());
        }
        FlatBufferBuilder b = new FlatBufferBuilder();
        int batch = recordBatch(b, rows, nodes, body);
        b.finish(Message.createMessage(b, MetadataVersion.V5, MessageHeader.RecordBatch, batch, bodyLength(body), 0));
        return writeMessage(b, body);
    }

    /** A RecordBatch of {@code nodes} (length, null count) whose buffers are {@code body}, laid out one after another. */
    private static int recordBatch(FlatBufferBuilder b, long rows, long[][] nodes, List<ByteBuffer> body) {
        RecordBatch.startNodesVector(b, nodes.length);
        for (int i = nodes.length - 1; i >= 0; i--) { // flatbuffer vectors are built back to front
            FieldNode.createFieldNode(b, nodes[i][0], nodes[i][1]);
        }
        int nodesAt = b.endVector();
        long[] offsets = new long[body.size()];
        long at = 0;
        for (int i = 0; i < body.size(); i++) {
            offsets[i] = at;
            at = ArrowIpc.align(at + body.get(i).remaining(), ArrowIpc.BUFFER_ALIGNMENT);
        }
        RecordBatch.startBuffersVector(b, body.size());
        for (int i = body.size() - 1; i >= 0; i--) {
            Buffer.createBuffer(b, offsets[i], body.get(i).remaining());
        }
        int buffersAt = b.endVector();
        RecordBatch.startRecordBatch(b);
        RecordBatch.addLength(b, rows);
        RecordBatch.addNodes(b, nodesAt);
        RecordBatch.addBuffers(b, buffersAt);
        return RecordBatch.endRecordBatch(b);
    }

    private static long bodyLength(List<ByteBuffer> body) {
        long at = 0;
        for (ByteBuffer buffer : body) {
            at = ArrowIpc.align(at + buffer.remaining(), ArrowIpc.BUFFER_ALIGNMENT);
        }
        return at;
    }

    /** Writes a message and its body at the current position; returns its block (offset, metadata length, body length). */
    private long[] writeMessage(FlatBufferBuilder message, List<ByteBuffer> body) throws IOException {
        long offset = position;
        ByteBuffer metadata = message.dataBuffer();
        int padded = (int) ArrowIpc.align(8 + metadata.remaining(), 8) - 8;
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(ArrowIpc.CONTINUATION).putInt(padded).flip();
        int metadataBytes = metadata.remaining();
        writeFully(prefix);
        writeFully(metadata);
        writeFully(ByteBuffer.allocate(padded - metadataBytes));
        long bodyStart = position;
        for (ByteBuffer buffer : body) {
            writeFully(buffer.duplicate());
            long pad = ArrowIpc.align(position - bodyStart, ArrowIpc.BUFFER_ALIGNMENT) - (position - bodyStart);
            writeFully(ByteBuffer.allocate((int) pad));
        }
        return new long[] {offset, 8 + padded, position - bodyStart};
    }

    private static int blocks(FlatBufferBuilder b, List<long[]> blocks, boolean dictionaries) {
        if (dictionaries) {
            Footer.startDictionariesVector(b, blocks.size());
        } else {
            Footer.startRecordBatchesVector(b, blocks.size());
        }
        for (int i = blocks.size() - 1; i >= 0; i--) {
            long[] block = blocks.get(i);
            Block.createBlock(b, block[0], (int) block[1], block[2]);
        }
        return b.endVector();
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            position += out.write(buffer, position);
        }
    }
}
