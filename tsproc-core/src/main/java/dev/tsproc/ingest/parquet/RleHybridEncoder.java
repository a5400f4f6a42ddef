package dev.tsproc.ingest.parquet;

/**
 * Parquet's RLE/bit-packed hybrid encoding of small unsigned integers — definition levels and
 * dictionary indices.
 *
 * <p>The output is a sequence of runs, each headed by a varint: {@code count << 1} for a
 * repeated value (then the value in {@code ceil(bitWidth / 8)} little-endian bytes), or
 * {@code groups << 1 | 1} for groups of eight bit-packed values (then {@code bitWidth} bytes per
 * group, least significant bit first). A bit-packed run holds whole groups of eight, so before a
 * repeated run the values waiting to be packed are topped up to a multiple of eight from that
 * run; only the last group may be padded, since readers stop at the page's value count. A
 * repetition is worth a run of its own from eight values on, as in parquet-java's encoder.
 * Specified in Parquet's {@code Encodings.md}.
 */
final class RleHybridEncoder {
    /** Shortest repetition written as a run of its own. */
    private static final int MIN_REPEAT = 8;

    private RleHybridEncoder() {}

    /** The bits needed for values up to {@code max} (at least 1, as every reader accepts). */
    static int bitWidth(int max) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(max));
    }

    /** Appends {@code values[0, count)}, each below {@code 2^bitWidth}, to {@code out}. */
    static void encode(int[] values, int count, int bitWidth, ByteSink out) {
        int packedFrom = 0; // values [packedFrom, i) wait to be bit-packed
        int i = 0;
        while (i < count) {
            int runEnd = i + 1;
            while (runEnd < count && values[runEnd] == values[i]) {
                runEnd++;
            }
            int topUp = -(i - packedFrom) & 7; // of this run, to complete the waiting group
            if (runEnd - i - topUp >= MIN_REPEAT) {
                i += topUp;
                bitPack(values, packedFrom, i, bitWidth, out);
                repeat(values[i], runEnd - i, bitWidth, out);
                packedFrom = runEnd;
            }
            i = runEnd;
        }
        bitPack(values, packedFrom, count, bitWidth, out);
    }

    private static void repeat(int value, int count, int bitWidth, ByteSink out) {
        out.putVarint((long) count << 1);
        for (int b = 0; b < bitWidth; b += 8) {
            out.put(value >>> b);
        }
    }

    /** Values {@code [from, to)} as groups of eight, the last padded with zeros. */
    private static void bitPack(int[] values, int from, int to, int bitWidth, ByteSink out) {
        if (from == to) {
            return;
        }
        int groups = (to - from + 7) >>> 3;
        out.putVarint((long) groups << 1 | 1);
        int at = out.reserve(groups * bitWidth);
        byte[] bytes = out.array();
        long bits = 0;
        int held = 0;
        for (int i = from, end = from + groups * 8; i < end; i++) {
            bits |= (i < to ? values[i] & 0xFFFFFFFFL : 0) << held;
            held += bitWidth;
            while (held >= 8) {
                bytes[at++] = (byte) bits;
                bits >>>= 8;
                held -= 8;
            }
        }
        out.skip(groups * bitWidth);
    }
}
