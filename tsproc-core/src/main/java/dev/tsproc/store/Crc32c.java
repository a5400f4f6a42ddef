package dev.tsproc.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * CRC32C over memory segments, and the combination of two CRCs of adjacent ranges.
 *
 * <p>The JDK's {@link CRC32C} uses the CPU's CRC instructions but has no {@code combine}, and
 * a column's checksum must be computed by many threads that each see one chunk. {@link
 * #combine} is the GF(2) matrix method from zlib's {@code crc32_combine} (Mark Adler), ported
 * here because no maintained Java library offers it for CRC32C.
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
     * of {@code B} in bytes.
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int[] odd = new int[32];
        int[] even = new int[32];
        odd[0] = POLY_REFLECTED;
        int row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        int crc = crcA;
        long len = lengthB;
        do {
            square(even, odd);
            if ((len & 1) != 0) {
                crc = times(even, crc);
            }
            len >>>= 1;
            if (len == 0) {
                break;
            }
            square(odd, even);
            if ((len & 1) != 0) {
                crc = times(odd, crc);
            }
            len >>>= 1;
        } while (len != 0);
        return crc ^ crcB;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(int[] square, int[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }
}
