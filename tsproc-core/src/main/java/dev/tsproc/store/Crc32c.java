package dev.tsproc.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * CRC32C over memory segments, and the combination of two CRCs of adjacent ranges.
 *
 * <p>The JDK's {@link CRC32C} uses the CPU's CRC instructions but has no {@code combine}, and
 * a column's checksum must be computed by many threads that each see one chunk. {@link
 * #combine} is zlib's {@code crc32_combine} (Mark Adler), ported here because no maintained
 * Java library offers it for CRC32C.
 */
public final class Crc32c {
    private Crc32c() {}

    private static final int POLY_REFLECTED = 0x82F63B78;
    /** Checksum ranges in pieces that a {@link java.nio.ByteBuffer} can address. */
    private static final long PIECE = 1 << 30;
    /** Bytes copied at a time from segments that have no {@link java.nio.ByteBuffer} view. */
    private static final int COPY_PIECE = 1 << 16;

    /** CRC32C of all bytes of {@code segment}, whatever memory backs it. */
    public static int of(MemorySegment segment) {
        CRC32C crc = new CRC32C();
        long size = segment.byteSize();
        if (hasByteBufferView(segment)) {
            for (long at = 0; at < size; at += PIECE) {
                crc.update(segment.asSlice(at, Math.min(PIECE, size - at)).asByteBuffer());
            }
        } else {
            byte[] copy = new byte[COPY_PIECE];
            for (long at = 0; at < size; at += COPY_PIECE) {
                int length = (int) Math.min(COPY_PIECE, size - at);
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, copy, 0, length);
                crc.update(copy, 0, length);
            }
        }
        return (int) crc.getValue();
    }

    /**
     * Whether {@link MemorySegment#asByteBuffer()} works for {@code segment}: it does for native
     * and mapped memory and for heap memory over a {@code byte[]}, but throws for a heap segment
     * over {@code long[]}, {@code double[]} or {@code int[]} — natural chunks of a column.
     */
    static boolean hasByteBufferView(MemorySegment segment) {
        return segment.isNative() || segment.heapBase().map(base -> base instanceof byte[]).orElse(false);
    }

    /**
     * CRC32C of the concatenation {@code A || B}, given {@code crcA}, {@code crcB} and the length
     * of {@code B} in bytes: {@code crcA} times x^(8·lengthB) modulo the polynomial, plus
     * {@code crcB}. The power is a product of the precomputed x^(2^k) for the bits of the length,
     * as zlib's {@code crc32_combine} has done since 1.2.12: about 30 multiplications of 32 steps,
     * where squaring 32×32 matrices per bit (zlib's earlier method) made combining the blocks a
     * twelfth of a one-shot Parquet import's samples (docs/BENCHMARKS.md).
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int power = X_0;
        int k = 3; // 8 bits a byte: x^(8·lengthB) is the product of x^(2^(k+i)) over the set bits i of lengthB
        for (long n = lengthB; n != 0; n >>>= 1, k++) {
            if ((n & 1) != 0) {
                power = multiply(X_TO_2_TO_THE[k], power);
            }
        }
        return multiply(power, crcA) ^ crcB;
    }

    /** The polynomial 1 (x^0), reflected: the top bit is the constant term. */
    private static final int X_0 = 1 << 31;

    /**
     * x^(2^k) modulo the polynomial, for k = 0..65: every bit of a length in bytes, from 2^3
     * bits. (zlib keeps 32 and wraps k, as x^(2^32) = x for its polynomial; for CRC32C's that
     * does not hold, which a test over lengths past 2^32 caught.)
     */
    private static final int[] X_TO_2_TO_THE = new int[3 + 63];

    static {
        int p = X_0 >>> 1; // x^1
        for (int k = 0; k < X_TO_2_TO_THE.length; k++) {
            X_TO_2_TO_THE[k] = p;
            p = multiply(p, p);
        }
    }

    /** {@code a × b} modulo the polynomial, both reflected; {@code a} must not be 0. */
    private static int multiply(int a, int b) {
        int product = 0;
        for (int m = X_0; ; m >>>= 1) {
            if ((a & m) != 0) {
                product ^= b;
                if ((a & (m - 1)) == 0) {
                    return product;
                }
            }
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY_REFLECTED : b >>> 1;
        }
    }
}
