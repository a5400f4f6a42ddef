package dev.tsproc.ingest.csv;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses gzip data (RFC 1952), one member or several in a row, and insists that the input
 * ends exactly after the last member.
 *
 * <p>{@link java.util.zip.GZIPInputStream} stops silently at bytes after a member that do not
 * start another one, so a file with something appended (or a damaged second member) imported
 * as if it were whole. Here anything after a member's trailer must be another member's header,
 * and each member's CRC-32 and length are checked; a file that ends early is an
 * {@link EOFException} and anything else wrong a {@link ZipException}, each with a message.
 */
final class StrictGzipInputStream extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xE0;

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    /** Compressed bytes before {@code buffer[0]}, for messages. */
    private long bufferBase;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private boolean ended;

    /** Starts reading gzip data from {@code in} (closed with this stream); reads the first header. */
    StrictGzipInputStream(InputStream in) throws IOException {
        this.in = in;
        try {
            member(read8());
        } catch (IOException | RuntimeException e) {
            inflater.end();
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!ended) {
            int n;
            try {
                n = inflater.inflate(into, offset, length);
            } catch (DataFormatException e) {
                throw new ZipException("invalid compressed data near byte " + at()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            if (n > 0) {
                crc.update(into, offset, n);
                return n;
            }
            if (inflater.finished()) {
                position = limit - inflater.getRemaining();
                endOfMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("the compressed data near byte " + at() + " needs a preset dictionary");
            } else if (inflater.needsInput()) {
                position = limit;
                if (!fill()) {
                    throw new EOFException("the file ends at byte " + at() + ", inside the compressed data");
                }
                inflater.setInput(buffer, position, limit - position);
            }
        }
        return -1;
    }

    /** Checks a member's trailer, then reads the next member's header or the end of the input. */
    private void endOfMember() throws IOException {
        long expectedCrc = readInt();
        long expectedSize = readInt();
        if (expectedCrc != crc.getValue() || expectedSize != (inflater.getBytesWritten() & 0xFFFF_FFFFL)) {
            throw new ZipException("the gzip trailer before byte " + at() + " does not match the data (CRC-32 or length)");
        }
        int next = read8();
        if (next < 0) {
            ended = true;
        } else {
            member(next);
        }
    }

    /** Reads a member's header whose first byte is {@code first}, and starts inflating its data. */
    private void member(int first) throws IOException {
        long start = at() - 1;
        if (first != 0x1F || read8() != 0x8B) {
            throw new ZipException(start == 0 ? "the file does not start with a gzip header"
                    : "something other than a gzip member follows the gzip data at byte " + start);
        }
        if (byteOfHeader() != 8) {
            throw new ZipException("the gzip member at byte " + start + " uses an unknown compression method");
        }
        int flags = byteOfHeader();
        if ((flags & RESERVED) != 0) {
            throw new ZipException("the gzip member at byte " + start + " has reserved flags set");
        }
        for (int i = 0; i < 6; i++) { // MTIME, XFL, OS
            byteOfHeader();
        }
        if ((flags & FEXTRA) != 0) {
            int extra = byteOfHeader() | byteOfHeader() << 8;
            for (int i = 0; i < extra; i++) {
                byteOfHeader();
            }
        }
        for (int flag : new int[] {FNAME, FCOMMENT}) {
            if ((flags & flag) != 0) {
                while (byteOfHeader() != 0) {
                    // a zero-terminated file name or comment
                }
            }
        }
        if ((flags & FHCRC) != 0) {
            byteOfHeader();
            byteOfHeader();
        }
        inflater.reset();
        crc.reset();
        inflater.setInput(buffer, position, limit - position);
    }

    private int byteOfHeader() throws IOException {
        int b = read8();
        if (b < 0) {
            throw new EOFException("the file ends at byte " + at() + ", inside a gzip header");
        }
        return b;
    }

    private long readInt() throws IOException {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            int b = read8();
            if (b < 0) {
                throw new EOFException("the file ends at byte " + at() + ", inside a gzip trailer");
            }
            value |= (long) b << (8 * i);
        }
        return value;
    }

    /** The next compressed byte, or -1 at the end of the input. */
    private int read8() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xFF;
    }

    /** Refills the empty buffer; false at the end of the input. */
    private boolean fill() throws IOException {
        bufferBase += limit;
        position = 0;
        limit = 0;
        for (int n; limit == 0; limit = n) {
            n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                return false;
            }
        }
        return true;
    }

    /** The offset in the compressed input of the next byte not yet consumed. */
    private long at() {
        return bufferBase + position;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
