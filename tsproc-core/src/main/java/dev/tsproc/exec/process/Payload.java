package dev.tsproc.exec.process;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writing and reading the fields of a message payload: big-endian integers and length-prefixed
 * UTF-8 strings. The reader checks every field as it goes — enough bytes left, within its
 * range, strictly decodable — and names the message and the field in its errors.
 */
final class Payload {
    private Payload() {}

    /** A growable payload under construction. */
    static final class Writer {
        private byte[] bytes = new byte[64];
        private int size;

        private ByteBuffer room(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + n, 2 * bytes.length));
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, size, n);
            size += n;
            return b;
        }

        Writer i64(long v) {
            room(8).putLong(v);
            return this;
        }

        Writer i32(int v) {
            room(4).putInt(v);
            return this;
        }

        Writer u8(int v) {
            room(1).put((byte) v);
            return this;
        }

        Writer bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        /** A string as u32 byte length and UTF-8 bytes; cut to {@code maxBytes} on a character boundary. */
        Writer str(String s, int maxBytes) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(utf8.length, maxBytes);
            while (n < utf8.length && n > 0 && (utf8[n] & 0xC0) == 0x80) {
                n--; // never cut inside a character
            }
            i32(n);
            room(n).put(utf8, 0, n);
            return this;
        }

        /** Raw bytes to the end of the payload. */
        Writer rest(byte[] b) {
            room(b.length).put(b);
            return this;
        }

        int size() {
            return size;
        }

        byte[] array() {
            return bytes;
        }
    }

    /** Reads the fields of one payload of message {@code message}. */
    static final class Reader {
        private final ByteBuffer buffer;
        private final String message;

        Reader(ByteBuffer buffer, String message) {
            this.buffer = buffer;
            this.message = message;
        }

        private void need(int n, String field) throws ProtocolException {
            if (buffer.remaining() < n) {
                throw new ProtocolException(message + " is truncated: field " + field + " needs " + n + " bytes, "
                        + buffer.remaining() + " remain");
            }
        }

        long i64(String field) throws ProtocolException {
            need(8, field);
            return buffer.getLong();
        }

        /** An i64 in {@code [min, max]}. */
        long i64(String field, long min, long max) throws ProtocolException {
            long v = i64(field);
            if (v < min || v > max) {
                throw new ProtocolException(message + " " + field + "=" + v + " is outside [" + min + ", " + max + "]");
            }
            return v;
        }

        int i32(String field, int min, int max) throws ProtocolException {
            need(4, field);
            int v = buffer.getInt();
            if (v < min || v > max) {
                throw new ProtocolException(message + " " + field + "=" + v + " is outside [" + min + ", " + max + "]");
            }
            return v;
        }

        int u8(String field) throws ProtocolException {
            need(1, field);
            return Byte.toUnsignedInt(buffer.get());
        }

        boolean bool(String field) throws ProtocolException {
            int v = u8(field);
            if (v > 1) {
                throw new ProtocolException(message + " " + field + "=" + v + " is not 0 or 1");
            }
            return v == 1;
        }

        /** A string of at most {@code maxBytes} UTF-8 bytes, strictly decoded. */
        String str(String field, int maxBytes) throws ProtocolException {
            int n = i32(field + " length", 0, maxBytes);
            need(n, field);
            ByteBuffer utf8 = buffer.slice(buffer.position(), n);
            buffer.position(buffer.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(utf8).toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException(message + " " + field + " is not valid UTF-8");
            }
        }

        /** The bytes left, as a read-only view. */
        ByteBuffer rest() {
            ByteBuffer rest = buffer.slice().asReadOnlyBuffer();
            buffer.position(buffer.limit());
            return rest;
        }

        /** Checks that every byte was read. */
        void end() throws ProtocolException {
            if (buffer.hasRemaining()) {
                throw new ProtocolException(message + " has " + buffer.remaining() + " trailing bytes");
            }
        }
    }
}
