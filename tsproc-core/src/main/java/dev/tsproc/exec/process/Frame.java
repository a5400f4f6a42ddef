package dev.tsproc.exec.process;

import java.nio.ByteBuffer;

/**
 * The frame every message between a coordinator and a worker process travels in: a fixed
 * 16-byte header, then the payload. docs/PROCESSES.md mirrors this drawing.
 *
 * <pre>
 *   0       4       6       8               12              16
 *   +-------+-------+-------+---------------+---------------+-----------------------+
 *   | magic |version| type  | payloadLength | payloadCrc32c | payload               |
 *   | "TSPW"|  u16  |  u16  |  u32          |  u32          | payloadLength bytes   |
 *   +-------+-------+-------+---------------+---------------+-----------------------+
 * </pre>
 *
 * <p>All integers are big-endian (network order). {@code version} is {@value #VERSION}; a peer
 * speaking another version is refused at its first frame, which doubles as the version
 * handshake. {@code type} is one of {@link Message}'s type codes. {@code payloadLength} is at
 * most {@value #MAX_PAYLOAD} (64 MiB), checked before anything is allocated, so a huge or
 * negative length — {@code 2^31-1}, {@code 0xFFFFFFFF} — is rejected, not trusted.
 * {@code payloadCrc32c} covers the payload, so a damaged or misaligned frame is caught
 * instead of decoded into a wrong answer.
 */
public final class Frame {
    private Frame() {}

    /** "TSPW": tsproc worker protocol. */
    public static final int MAGIC = 0x5453_5057;
    /** The protocol version this build speaks. */
    public static final int VERSION = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    public static final int TYPE_OFFSET = VERSION_OFFSET + 2;
    public static final int LENGTH_OFFSET = TYPE_OFFSET + 2;
    public static final int CRC_OFFSET = LENGTH_OFFSET + 4;
    /** Size of the header; the payload follows it. */
    public static final int HEADER_SIZE = CRC_OFFSET + 4;

    /** Largest payload accepted: 64 MiB. Column bytes travel in chunks far below it. */
    public static final int MAX_PAYLOAD = 64 << 20;

    /**
     * A validated frame header.
     *
     * @param type          the message type code
     * @param payloadLength payload bytes that follow, {@code 0..MAX_PAYLOAD}
     * @param payloadCrc    CRC32C of the payload
     */
    public record Header(int type, int payloadLength, int payloadCrc) {}

    /** Writes a header at {@code buffer}'s position 0. */
    static void writeHeader(ByteBuffer buffer, int type, int payloadLength, int payloadCrc) {
        buffer.putInt(MAGIC_OFFSET, MAGIC)
                .putShort(VERSION_OFFSET, (short) VERSION)
                .putShort(TYPE_OFFSET, (short) type)
                .putInt(LENGTH_OFFSET, payloadLength)
                .putInt(CRC_OFFSET, payloadCrc);
    }

    /**
     * Reads and validates the {@value #HEADER_SIZE} header bytes at {@code buffer}'s position 0.
     *
     * @throws ProtocolException naming the first field that is wrong, and its value
     */
    public static Header readHeader(ByteBuffer buffer) throws ProtocolException {
        int magic = buffer.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ProtocolException("magic=0x" + Integer.toHexString(magic) + " is not a tsproc worker frame (0x"
                    + Integer.toHexString(MAGIC) + ")");
        }
        int version = Short.toUnsignedInt(buffer.getShort(VERSION_OFFSET));
        if (version != VERSION) {
            throw new ProtocolException("version=" + version + " is not the protocol version " + VERSION
                    + " of this build; coordinator and workers must run the same tsproc");
        }
        int type = Short.toUnsignedInt(buffer.getShort(TYPE_OFFSET));
        if (!Message.isKnownType(type)) {
            throw new ProtocolException("type=" + type + " is not a known message type");
        }
        long length = Integer.toUnsignedLong(buffer.getInt(LENGTH_OFFSET));
        if (length > MAX_PAYLOAD) {
            throw new ProtocolException("payloadLength=" + length + " exceeds the limit of " + MAX_PAYLOAD + " bytes");
        }
        return new Header(type, (int) length, buffer.getInt(CRC_OFFSET));
    }
}
