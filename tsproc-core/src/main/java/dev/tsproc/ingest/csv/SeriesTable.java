package dev.tsproc.ingest.csv;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.StoreLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The series names met in one chunk of a CSV file, numbered in order of first appearance, keyed
 * by their UTF-8 bytes so that looking a name up allocates nothing.
 *
 * <p>A name's key is its length and two 8-byte words: its bytes 0–7 and 8–15, zero-padded (a
 * name holds no NUL byte, so for names of up to 16 bytes the words are the whole name). The
 * parser's fast path has these words in registers already, from finding the name's end, and
 * looks them up with {@link #idOf(long, long, int, MemorySegment, long)}; longer names also
 * compare their bytes from 16 on with the stored copy.
 *
 * <p>An open-addressing hash table, linear probing, at most a quarter full: then a lookup
 * rarely needs a second probe, whose branch would mispredict (with 1,000 series in random
 * order and a hash that collided more, a half-full table cost the parser 40% more time per
 * row than a quarter-full one).
 * Each slot holds the key itself (two words, and the length beside the id), so a probe loads
 * adjacent words rather than an id and then, dependent on it, that id's key. The names' bytes
 * live end to end in one pool. The previous row's key is checked first, since rows of one series often
 * come together.
 *
 * <p>Thread confinement: one instance per chunk parser.
 */
public final class SeriesTable {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int SLOT_LONGS = 3;

    /** Per slot: first word, second word, {@code length << 32 | (id + 1)}; the last is 0 when empty. */
    private long[] slots = new long[64 * SLOT_LONGS];
    private int slotMask = 63;
    private int slotShift = 64 - 6; // the home slot is the top log2(slots) bits of the hash
    private int[] starts = new int[17]; // name i is pool[starts[i], starts[i + 1])
    private byte[] pool = new byte[256];
    private int size;
    private long lastFirst;
    private long lastSecond;
    private long lastLengthAndId; // length << 32 | id + 1, 0 before the first lookup

    /** An empty table. */
    public SeriesTable() {}

    /**
     * One dictionary for the names of several tables, and each table's ids in it.
     *
     * @param globalIds for table {@code t}, the dictionary id of its name {@code i} is {@code globalIds.get(t)[i]}
     */
    public record Merged(SeriesDictionary dictionary, List<int[]> globalIds) {}

    /**
     * Merges {@code tables} into one dictionary sorted by the names' UTF-8 bytes (= code point
     * order), so that ids depend neither on the order of rows nor on how they were cut into
     * tables; or returns null if they hold more than {@code maxSeries} distinct names.
     */
    public static Merged merge(List<SeriesTable> tables, int maxSeries) {
        Map<ByteKey, Integer> ids = new HashMap<>();
        List<byte[]> names = new ArrayList<>();
        List<int[]> globalIds = new ArrayList<>(tables.size());
        for (SeriesTable table : tables) {
            int[] global = new int[table.size()];
            for (int local = 0; local < global.length; local++) {
                byte[] utf8 = table.name(local);
                Integer id = ids.putIfAbsent(new ByteKey(utf8), names.size());
                if (id == null) {
                    id = names.size();
                    if (id >= maxSeries) {
                        return null;
                    }
                    names.add(utf8);
                }
                global[local] = id;
            }
            globalIds.add(global);
        }
        Integer[] byName = new Integer[names.size()];
        Arrays.setAll(byName, i -> i);
        Arrays.sort(byName, (a, b) -> Arrays.compareUnsigned(names.get(a), names.get(b)));
        int[] rank = new int[names.size()];
        List<String> sorted = new ArrayList<>(names.size());
        for (int i = 0; i < byName.length; i++) {
            rank[byName[i]] = i;
            sorted.add(new String(names.get(byName[i]), StandardCharsets.UTF_8));
        }
        for (int[] global : globalIds) {
            for (int local = 0; local < global.length; local++) {
                global[local] = rank[global[local]];
            }
        }
        return new Merged(SeriesDictionary.of(sorted), globalIds);
    }

    /** A byte array compared by content, as a map key. */
    private record ByteKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** Number of distinct names. */
    public int size() {
        return size;
    }

    /** The UTF-8 bytes of name {@code id}. */
    public byte[] name(int id) {
        return Arrays.copyOfRange(pool, starts[id], starts[id + 1]);
    }

    /**
     * As {@link #idOf(MemorySegment, long, int)}, for names from typed columns (Parquet, Arrow),
     * which the CSV parser's checks have not seen: a name is checked when first met.
     *
     * @throws IllegalArgumentException saying what is wrong with the name: longer than a store
     *                                  allows, not valid UTF-8, or holding a NUL byte
     */
    public int idOfChecked(MemorySegment s, long from, int length) {
        if (length > StoreLayout.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("the series name is longer than " + StoreLayout.MAX_NAME_BYTES + " bytes");
        }
        int before = size;
        int id = idOf(s, from, length);
        if (size > before) {
            if (Utf8.firstInvalid(s, from, from + length) >= 0) {
                throw new IllegalArgumentException("the series name is not valid UTF-8");
            }
            for (long p = from; p < from + length; p++) {
                if (s.get(BYTE, p) == 0) {
                    throw new IllegalArgumentException("the series name contains a NUL byte");
                }
            }
        }
        return id;
    }

    /** The id of the name held in {@code s[from, from + length)}, adding it if new. */
    public int idOf(MemorySegment s, long from, int length) {
        long first;
        long second = 0;
        if (length >= 8) {
            first = s.get(WORD, from);
            if (length >= 16) {
                second = s.get(WORD, from + 8);
            } else if (length > 8) {
                second = s.get(WORD, from + length - 8) >>> ((16 - length) << 3);
            }
        } else {
            first = from + 8 <= s.byteSize() ? s.get(WORD, from) & ((1L << (length << 3)) - 1) : shortWord(s, from, length);
        }
        return idOf(first, second, length, s, from);
    }

    /**
     * The id of the name of {@code length} bytes whose key words are {@code first} and
     * {@code second} (see the class comment) and whose bytes are {@code s[from, from + length)},
     * adding it if new.
     */
    int idOf(long first, long second, int length, MemorySegment s, long from) {
        long lengthBits = (long) length << 32;
        if (first == lastFirst && second == lastSecond && (lastLengthAndId & 0xFFFF_FFFF_0000_0000L) == lengthBits
                && lastLengthAndId != 0 && (length <= 16 || restEquals((int) lastLengthAndId - 1, s, from, length))) {
            return (int) lastLengthAndId - 1;
        }
        for (int slot = homeSlot(first, second, length); ; slot = (slot + 1) & slotMask) {
            int at = slot * SLOT_LONGS;
            long lengthAndId = slots[at + 2];
            if (lengthAndId == 0) {
                int id = add(s, from, length);
                slots[at] = first;
                slots[at + 1] = second;
                slots[at + 2] = lengthBits | (id + 1);
                if (size * 4L > slotMask + 1L) {
                    rehash();
                }
                remember(first, second, lengthBits | (id + 1));
                return id;
            }
            if (slots[at] == first && slots[at + 1] == second && (lengthAndId & 0xFFFF_FFFF_0000_0000L) == lengthBits
                    && (length <= 16 || restEquals((int) lengthAndId - 1, s, from, length))) {
                remember(first, second, lengthAndId);
                return (int) lengthAndId - 1;
            }
        }
    }

    private void remember(long first, long second, long lengthAndId) {
        lastFirst = first;
        lastSecond = second;
        lastLengthAndId = lengthAndId;
    }

    /**
     * Fibonacci hashing: the top bits of products, which depend on every bit of the key. Names
     * differ mostly in their last bytes, the top bytes of the words; low bits of a product would
     * not see them (sensor-000 to sensor-999 then collided twice as often as random keys).
     */
    private int homeSlot(long first, long second, int length) {
        return (int) ((first * 0x9E3779B97F4A7C15L ^ second * 0xC2B2AE3D27D4EB4FL ^ length) >>> slotShift);
    }

    private static long shortWord(MemorySegment s, long from, int length) {
        long word = 0;
        for (int i = 0; i < length; i++) {
            word |= (s.get(BYTE, from + i) & 0xFFL) << (i << 3);
        }
        return word;
    }

    /** Whether bytes 16 and on of name {@code id} (of the same length) equal those in {@code s}. */
    private boolean restEquals(int id, MemorySegment s, long from, int length) {
        return MemorySegment.mismatch(s, from + 16, from + length,
                MemorySegment.ofArray(pool), starts[id] + 16, starts[id] + length) < 0;
    }

    private int add(MemorySegment s, long from, int length) {
        int id = size++;
        if (id + 1 == starts.length) {
            starts = Arrays.copyOf(starts, starts.length * 2);
        }
        int start = starts[id];
        if (start + length > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, start + length));
        }
        MemorySegment.copy(s, BYTE, from, pool, start, length);
        starts[id + 1] = start + length;
        return id;
    }

    private void rehash() {
        long[] old = slots;
        slots = new long[old.length * 2];
        slotMask = slotMask * 2 + 1;
        slotShift--;
        for (int at = 0; at < old.length; at += SLOT_LONGS) {
            if (old[at + 2] != 0) {
                int slot = homeSlot(old[at], old[at + 1], (int) (old[at + 2] >>> 32));
                while (slots[slot * SLOT_LONGS + 2] != 0) {
                    slot = (slot + 1) & slotMask;
                }
                System.arraycopy(old, at, slots, slot * SLOT_LONGS, SLOT_LONGS);
            }
        }
    }
}
