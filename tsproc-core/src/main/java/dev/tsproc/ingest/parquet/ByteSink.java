package dev.tsproc.ingest.parquet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growing byte array that a page, a column chunk or a Thrift message is written into, little-endian. */
final class ByteSink {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private byte[] bytes;
    private int size;

    ByteSink(int capacity) {
        bytes = new byte[Math.max(capacity, 16)];
    }

    int size() {
        return size;
    }

    /** The array written into; its first {@link #size()} bytes are the content. */
    byte[] array() {
        return bytes;
    }

    void reset() {
        size = 0;
    }

    void put(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void put(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, bytes, size, length);
        size += length;
    }

    void put(ByteSink other) {
        put(other.bytes, 0, other.size);
    }

    /** Copies {@code length} bytes of {@code segment} from {@code byteOffset}. */
    void put(MemorySegment segment, long byteOffset, int length) {
        ensure(length);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, byteOffset, bytes, size, length);
        size += length;
    }

    void putInt(int value) {
        ensure(4);
        MemorySegment.ofArray(bytes).set(INT, size, value);
        size += 4;
    }

    void putIntAt(int offset, int value) {
        MemorySegment.ofArray(bytes).set(INT, offset, value);
    }

    /** An unsigned LEB128 varint, as Thrift and the RLE/bit-packed hybrid write lengths. */
    void putVarint(long n) {
        ensure(10);
        while ((n & ~0x7FL) != 0) {
            bytes[size++] = (byte) (n & 0x7F | 0x80);
            n >>>= 7;
        }
        bytes[size++] = (byte) n;
    }

    /** Makes room for {@code more} bytes; returns the offset they go to (then {@link #skip} them). */
    int reserve(int more) {
        ensure(more);
        return size;
    }

    void skip(int count) {
        size += count;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.toIntExact(Math.max(bytes.length * 2L, (long) size + more)));
        }
    }
}
