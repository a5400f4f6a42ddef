package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Counts the lines of a chunk of CSV text that can hold a row: an upper bound on the rows the
 * chunk parses to, known before it is parsed.
 *
 * <p>The importer uses the bounds to give every chunk of a plain file its rows' place in the
 * store before parsing starts, so parsed rows go straight from a reused buffer into the store
 * instead of waiting in fresh memory until the row count is known (fresh pages cost this
 * virtual machine more than the counting: see docs/BENCHMARKS.md, CSV import).
 *
 * <p>A line end (LF) counts unless the byte before it is also an LF, that is unless it ends an
 * empty line, which the parser skips; a last line without a line end counts too. Other lines
 * that hold no row (bad lines under {@code --on-error skip}, CRLF-only lines) still count, so the
 * bound can exceed the rows parsed; the importer then rewrites the rows without the gaps.
 *
 * <p>Eight bytes a step with SWAR masks, as in {@link ChunkParser}'s fast path, because the
 * Vector API is an incubator module that {@code bin/tsproc} does not load.
 */
final class LineCounter {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long LINE_FEEDS = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;
    /** A mark in the top byte's high bit: "the byte before was a line end". */
    private static final long AFTER_LINE_END = 0x80L << 56;

    private LineCounter() {}

    /**
     * The most rows the lines in {@code s[from, to)} can hold; {@code from} must be a line start
     * (the start of the data or just after an LF).
     */
    static long maxRows(MemorySegment s, long from, long to) {
        long count = 0;
        long previous = AFTER_LINE_END;
        long p = from;
        for (; p + 8 <= to; p += 8) {
            long ends = lineFeeds(s.get(WORD, p));
            // An LF's mark shifted up a byte lands on the next byte: there both marks mean an empty line.
            long emptyLines = ends & ((ends << 8) | (previous >>> 56));
            count += Long.bitCount(ends) - Long.bitCount(emptyLines);
            previous = ends;
        }
        boolean afterLineEnd = previous < 0;
        for (; p < to; p++) {
            boolean lineEnd = s.get(ValueLayout.JAVA_BYTE, p) == '\n';
            if (lineEnd && !afterLineEnd) {
                count++;
            }
            afterLineEnd = lineEnd;
        }
        return to > from && !afterLineEnd ? count + 1 : count;
    }

    /** The high bit of every byte of {@code word} that is an LF, and no other bit. */
    private static long lineFeeds(long word) {
        long x = word ^ LINE_FEEDS;
        return ~(((x & LOW_SEVEN) + LOW_SEVEN) | x | LOW_SEVEN);
    }
}
