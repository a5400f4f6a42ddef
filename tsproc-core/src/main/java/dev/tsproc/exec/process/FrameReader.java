package dev.tsproc.exec.process;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads framed messages from a stream, validating each frame before decoding it.
 *
 * <p>Payloads up to {@value #REUSED_BYTES} bytes (every column chunk) are read into one buffer
 * that is reused, so a message's byte-buffer fields are valid only until the next
 * {@link #read()}. Not thread-safe: one reading thread per stream.
 */
final class FrameReader {
    /** Payloads up to this size share one buffer; larger ones get their own. */
    static final int REUSED_BYTES = FrameWriter.CHUNK_BYTES + Message.ColumnChunk.PREFIX_BYTES;

    private final InputStream in;
    private final byte[] header = new byte[Frame.HEADER_SIZE];
    private final byte[] reused = new byte[REUSED_BYTES];

    FrameReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next message, or {@code null} if the stream ended cleanly between two frames.
     *
     * @throws ProtocolException if a frame is malformed, oversized or damaged
     * @throws EOFException      if the stream ended inside a frame
     */
    Message read() throws IOException {
        int first = in.readNBytes(header, 0, Frame.HEADER_SIZE);
        if (first == 0) {
            return null;
        }
        if (first < Frame.HEADER_SIZE) {
            throw new EOFException("the stream ended inside a frame header, after " + first + " of "
                    + Frame.HEADER_SIZE + " bytes");
        }
        Frame.Header h = Frame.readHeader(ByteBuffer.wrap(header));
        byte[] payload = h.payloadLength() <= REUSED_BYTES ? reused : new byte[h.payloadLength()];
        int got = in.readNBytes(payload, 0, h.payloadLength());
        if (got < h.payloadLength()) {
            throw new EOFException("the stream ended inside a " + Message.typeName(h.type()) + " payload, after "
                    + got + " of " + h.payloadLength() + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, h.payloadLength());
        if ((int) crc.getValue() != h.payloadCrc()) {
            throw new ProtocolException(Message.typeName(h.type()) + " payloadCrc32c=0x" + Integer.toHexString(h.payloadCrc())
                    + " does not match the payload (0x" + Integer.toHexString((int) crc.getValue()) + "); the frame is damaged");
        }
        return Message.decode(h.type(), ByteBuffer.wrap(payload, 0, h.payloadLength()).slice());
    }
}
