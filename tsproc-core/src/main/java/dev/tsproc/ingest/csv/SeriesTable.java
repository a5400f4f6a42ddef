package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The series names met in one chunk of a CSV file, numbered in order of first appearance, keyed
 * by their UTF-8 bytes so that looking a name up allocates nothing.
 *
 * <p>An open-addressing hash table (linear probing, load at most 1/2) of ids; the names' bytes
 * live end to end in one pool. The previous row's name is checked first, since rows of one
 * series often come together.
 *
 * <p>Thread confinement: one instance per chunk parser.
 */
final class SeriesTable {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private int[] slots = new int[64]; // id + 1, or 0 when empty
    private int[] hashes = new int[16];
    private int[] starts = new int[17]; // name i is pool[starts[i], starts[i + 1])
    private byte[] pool = new byte[256];
    private int size;
    private int lastId = -1;

    /** Number of distinct names. */
    int size() {
        return size;
    }

    /** The UTF-8 bytes of name {@code id}. */
    byte[] name(int id) {
        return Arrays.copyOfRange(pool, starts[id], starts[id + 1]);
    }

    /** The id of the name held in {@code s[from, from + length)}, adding it if new. */
    int idOf(MemorySegment s, long from, int length) {
        if (lastId >= 0 && equals(lastId, s, from, length)) {
            return lastId;
        }
        int hash = hash(s, from, length);
        int mask = slots.length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int id = slots[slot] - 1;
            if (id < 0) {
                id = add(s, from, length, hash);
                slots[slot] = id + 1;
                if (size * 2 > slots.length) {
                    rehash();
                }
                return lastId = id;
            }
            if (hashes[id] == hash && equals(id, s, from, length)) {
                return lastId = id;
            }
        }
    }

    private boolean equals(int id, MemorySegment s, long from, int length) {
        int start = starts[id];
        if (starts[id + 1] - start != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (pool[start + i] != s.get(BYTE, from + i)) {
                return false;
            }
        }
        return true;
    }

    private int add(MemorySegment s, long from, int length, int hash) {
        int id = size++;
        if (id == hashes.length) {
            hashes = Arrays.copyOf(hashes, hashes.length * 2);
            starts = Arrays.copyOf(starts, hashes.length + 1);
        }
        int start = starts[id];
        if (start + length > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, start + length));
        }
        MemorySegment.copy(s, BYTE, from, pool, start, length);
        starts[id + 1] = start + length;
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

    private static int hash(MemorySegment s, long from, int length) {
        int h = 0x9E3779B9;
        for (int i = 0; i < length; i++) {
            h = (h ^ s.get(BYTE, from + i)) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}
