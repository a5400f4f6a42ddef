package dev.tsproc.ingest.parquet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes Thrift's compact protocol, the encoding of Parquet's footer and page headers, into a
 * growing byte array: fields by id and type, structs, lists, zigzag varints.
 *
 * <p>Only what Parquet's structures need: no maps, sets or doubles. A struct field is opened with
 * {@link #beginStruct(int)} and closed with {@link #endStruct()}; a list of structs with
 * {@link #beginList(int, byte, int)}, then {@link #beginStruct()}/{@link #endStruct()} per element.
 * The protocol is specified in Thrift's {@code doc/specs/thrift-compact-protocol.md}.
 */
final class ThriftCompactWriter {
    static final byte BOOLEAN_TRUE = 1;
    static final byte BOOLEAN_FALSE = 2;
    static final byte I8 = 3;
    static final byte I32 = 5;
    static final byte I64 = 6;
    static final byte BINARY = 8;
    static final byte LIST = 9;
    static final byte STRUCT = 12;

    private final ByteSink out = new ByteSink(256);
    /** The last field id written in each open struct: ids are written as deltas from it. */
    private short[] lastFieldIds = new short[8];
    private int depth;

    /** The message written so far. */
    ByteSink bytes() {
        return out;
    }

    /** Forgets what was written, to write another message into the same buffer. */
    void reset() {
        out.reset();
        depth = 0;
        lastFieldIds[0] = 0;
    }

    /** Begins the outermost struct of a message. */
    ThriftCompactWriter beginStruct() {
        push();
        return this;
    }

    /** Begins a struct-typed field. */
    ThriftCompactWriter beginStruct(int id) {
        fieldHeader(id, STRUCT);
        return beginStruct();
    }

    ThriftCompactWriter endStruct() {
        writeByte(0); // stop
        depth--;
        return this;
    }

    ThriftCompactWriter i32(int id, int value) {
        fieldHeader(id, I32);
        varint(zigzag(value));
        return this;
    }

    ThriftCompactWriter i64(int id, long value) {
        fieldHeader(id, I64);
        varint(zigzag(value));
        return this;
    }

    ThriftCompactWriter i8(int id, byte value) {
        fieldHeader(id, I8);
        writeByte(value);
        return this;
    }

    ThriftCompactWriter bool(int id, boolean value) {
        fieldHeader(id, value ? BOOLEAN_TRUE : BOOLEAN_FALSE); // the value is the field's type
        return this;
    }

    ThriftCompactWriter binary(int id, byte[] value) {
        fieldHeader(id, BINARY);
        binaryValue(value);
        return this;
    }

    ThriftCompactWriter string(int id, String value) {
        return binary(id, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Begins a list field of {@code size} elements of {@code elementType}; write the elements next. */
    ThriftCompactWriter beginList(int id, byte elementType, int size) {
        fieldHeader(id, LIST);
        if (size < 15) {
            writeByte(size << 4 | elementType);
        } else {
            writeByte(0xF0 | elementType);
            varint(size);
        }
        return this;
    }

    /** An i32 element of a list. */
    ThriftCompactWriter i32Element(int value) {
        varint(zigzag(value));
        return this;
    }

    /** A string element of a list. */
    ThriftCompactWriter stringElement(String value) {
        binaryValue(value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private void binaryValue(byte[] value) {
        varint(value.length);
        out.put(value, 0, value.length);
    }

    private void push() {
        if (depth + 1 == lastFieldIds.length) {
            lastFieldIds = Arrays.copyOf(lastFieldIds, lastFieldIds.length * 2);
        }
        lastFieldIds[++depth] = 0;
    }

    private void fieldHeader(int id, byte type) {
        int delta = id - lastFieldIds[depth];
        if (delta > 0 && delta <= 15) {
            writeByte(delta << 4 | type);
        } else {
            writeByte(type);
            varint(zigzag(id));
        }
        lastFieldIds[depth] = (short) id;
    }

    private static long zigzag(long n) {
        return n << 1 ^ n >> 63;
    }

    private void varint(long n) {
        out.putVarint(n);
    }

    private void writeByte(int b) {
        out.put(b);
    }
}
