package dev.tsproc.exec.process;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Writes framed messages to a stream, one whole frame at a time and flushed.
 *
 * <p>Thread-safe: frames from several threads (a worker's reader and its compute thread)
 * never interleave.
 */
final class FrameWriter {
    /** Column bytes per {@link Message.ColumnChunk}: 1 MiB. */
    static final int CHUNK_BYTES = 1 << 20;

    private final OutputStream out;
    private final byte[] header = new byte[Frame.HEADER_SIZE];
    private byte[] chunk;

    FrameWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes {@code message} as one frame. */
    synchronized void write(Message message) throws IOException {
        Payload.Writer payload = new Payload.Writer();
        message.write(payload);
        if (payload.size() > Frame.MAX_PAYLOAD) {
            throw new ProtocolException(Message.typeName(message.type()) + " payload of " + payload.size()
                    + " bytes exceeds the limit of " + Frame.MAX_PAYLOAD + " bytes");
        }
        frame(message.type(), payload.array(), payload.size());
        out.flush();
    }

    /**
     * Writes {@code column} bytes of a batch as {@link Message.ColumnChunk} frames of at most
     * {@link #CHUNK_BYTES}, copying them out of {@code column} (a slice of the store) — the copy
     * that {@code --transfer copy} exists to show.
     */
    synchronized void writeColumn(long batchIndex, int columnId, MemorySegment column) throws IOException {
        if (chunk == null) {
            chunk = new byte[Message.ColumnChunk.PREFIX_BYTES + CHUNK_BYTES];
        }
        ByteBuffer prefix = ByteBuffer.wrap(chunk);
        for (long from = 0; from < column.byteSize(); from += CHUNK_BYTES) {
            int n = (int) Math.min(CHUNK_BYTES, column.byteSize() - from);
            prefix.putLong(0, batchIndex).put(8, (byte) columnId).putLong(9, from);
            MemorySegment.copy(column, ValueLayout.JAVA_BYTE, from, chunk, Message.ColumnChunk.PREFIX_BYTES, n);
            frame(Message.COLUMN_CHUNK, chunk, Message.ColumnChunk.PREFIX_BYTES + n);
        }
        out.flush();
    }

    private void frame(int type, byte[] payload, int length) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, length);
        Frame.writeHeader(ByteBuffer.wrap(header), type, length, (int) crc.getValue());
        out.write(header);
        out.write(payload, 0, length);
    }
}
