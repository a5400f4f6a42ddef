package dev.tsproc.ingest.arrow;

import java.nio.charset.StandardCharsets;

/**
 * The framing of the Arrow IPC file format (columnar format 1.0, metadata version V5), which
 * the reader and the writer share:
 *
 * <pre>
 * "ARROW1" 00 00                      magic, padded to 8
 * message*                            schema, dictionary batches, record batches
 * footer                              flatbuffer Footer: schema, Blocks of the batches
 * int32 footer length, "ARROW1"
 *
 * message:  FF FF FF FF | int32 n | n bytes: flatbuffer Message, padded so that 8 + n is a multiple of 8 | body
 * body:     the buffers, each at an 8-aligned offset from the body's start (64 here), as the Message's Buffers say
 * Block:    (offset of the message, 8 + n, body length)
 * </pre>
 *
 * All numbers are little-endian, as tsproc's stores are.
 */
final class ArrowIpc {
    static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    /** The magic and its padding at the start of a file. */
    static final int HEADER_BYTES = 8;
    /** The int32 footer length and the magic at the end of a file. */
    static final int TRAILER_BYTES = 4 + 6;
    static final int CONTINUATION = 0xFFFF_FFFF;
    /** Buffers in a body start at multiples of this: what the format recommends, for SIMD. */
    static final int BUFFER_ALIGNMENT = 64;

    private ArrowIpc() {}

    static long align(long n, int to) {
        return (n + to - 1) & -to;
    }
}
