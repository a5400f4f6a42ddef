package dev.tsproc.store;

import java.lang.foreign.MemorySegment;
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

    /** CRC32C of all bytes of {@code segment}. */
    public static int of(MemorySegment segment) {
        CRC32C crc = new CRC32C();
        for (long at = 0; at < segment.byteSize(); at += PIECE) {
            crc.update(segment.asSlice(at, Math.min(PIECE, segment.byteSize() - at)).asByteBuffer());
        }
        return (int) crc.getValue();
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
