package dev.tsproc.store;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

class Crc32cTest {

    @Test
    void matchesTheCastagnoliCheckValue() {
        // The standard check value of CRC-32C over "123456789" (RFC 3720, appendix B.4).
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc32c.of(MemorySegment.ofArray(check))).isEqualTo(0xE3069283);
    }

    @Test
    void ofEmptyIsZero() {
        assertThat(Crc32c.of(MemorySegment.ofArray(new byte[0]))).isZero();
    }

    @Property
    void ofEqualsJdkCrc32c(@ForAll @Size(max = 5000) byte[] bytes) {
        assertThat(Crc32c.of(MemorySegment.ofArray(bytes))).isEqualTo(jdk(bytes));
    }

    @Property(tries = 100)
    void ofOffHeapEqualsJdkCrc32c(@ForAll @Size(max = 5000) byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
            offHeap.copyFrom(MemorySegment.ofArray(bytes));
            assertThat(Crc32c.of(offHeap)).isEqualTo(jdk(bytes));
        }
    }

    @Property(tries = 100)
    void ofReadsSegmentsOverAnyJavaArray(@ForAll long seed, @ForAll @IntRange(max = 700) int length) {
        java.util.Random random = new java.util.Random(seed);
        long[] longs = random.longs(length).toArray();
        int[] ints = random.ints(length).toArray();
        MemorySegment overLongs = MemorySegment.ofArray(longs);
        MemorySegment overInts = MemorySegment.ofArray(ints);
        assertThat(Crc32c.of(overLongs)).isEqualTo(jdk(overLongs.toArray(ValueLayout.JAVA_BYTE)));
        assertThat(Crc32c.of(overInts)).isEqualTo(jdk(overInts.toArray(ValueLayout.JAVA_BYTE)));
        // Read-only heap segments hide their array (heapBase() is empty) and have no ByteBuffer view either.
        assertThat(Crc32c.of(overLongs.asReadOnly())).isEqualTo(Crc32c.of(overLongs));
    }

    @Test
    void ofReadsLargeSegmentOverJavaArrayAcrossCopyPieces() {
        double[] values = new java.util.Random(3).doubles(300_001).toArray(); // 2.4 MB, not a multiple of any piece
        MemorySegment segment = MemorySegment.ofArray(values);
        assertThat(Crc32c.of(segment)).isEqualTo(jdk(segment.toArray(ValueLayout.JAVA_BYTE)));
    }

    @Property
    void combineEqualsCrcOfConcatenation(@ForAll @Size(max = 3000) byte[] bytes, @ForAll @IntRange(max = 3000) int split) {
        int at = Math.min(split, bytes.length); // covers empty first and empty second parts
        byte[] a = Arrays.copyOfRange(bytes, 0, at);
        byte[] b = Arrays.copyOfRange(bytes, at, bytes.length);
        assertThat(Crc32c.combine(jdk(a), jdk(b), b.length)).isEqualTo(jdk(bytes));
    }

    @Property(tries = 200)
    void combiningManyPiecesInOrderEqualsCrcOfWhole(@ForAll @Size(max = 4000) byte[] bytes, @ForAll @Size(max = 12) int[] cuts) {
        int[] points = Arrays.stream(cuts).map(c -> Math.floorMod(c, bytes.length + 1)).sorted().toArray();
        int crc = 0;
        int from = 0;
        for (int to : points) {
            crc = Crc32c.combine(crc, jdk(Arrays.copyOfRange(bytes, from, to)), to - from);
            from = to;
        }
        crc = Crc32c.combine(crc, jdk(Arrays.copyOfRange(bytes, from, bytes.length)), bytes.length - from);
        assertThat(crc).isEqualTo(jdk(bytes));
    }

    @Test
    void combineOverLongSecondPartEqualsCrcOfConcatenation() {
        // Length bits up to 2^22.
        byte[] whole = new byte[(5 << 20) + 3];
        new java.util.Random(7).nextBytes(whole);
        int at = 17;
        byte[] a = Arrays.copyOfRange(whole, 0, at);
        byte[] b = Arrays.copyOfRange(whole, at, whole.length);
        assertThat(Crc32c.combine(jdk(a), jdk(b), b.length)).isEqualTo(jdk(whole));
    }

    /**
     * Lengths past 2^32 bytes, whose high bits reuse the powers x^(2^k) of the low ones, checked
     * by associativity: (A || B) || C and A || (B || C) must agree whatever the lengths' bits.
     */
    @Property(tries = 300)
    void combineIsAssociativeOverLengthsBeyondFourGigabytes(@ForAll int a, @ForAll int b, @ForAll int c,
                                                             @ForAll @LongRange(min = 1, max = 1L << 42) long lengthB,
                                                             @ForAll @LongRange(min = 1, max = 1L << 42) long lengthC) {
        assertThat(Crc32c.combine(Crc32c.combine(a, b, lengthB), c, lengthC))
                .isEqualTo(Crc32c.combine(a, Crc32c.combine(b, c, lengthC), lengthB + lengthC));
    }

    @Test
    void combineWithEmptySecondPartKeepsTheFirst() {
        assertThat(Crc32c.combine(0x12345678, 0, 0)).isEqualTo(0x12345678);
    }

    private static int jdk(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
