package dev.tsproc.ingest;

/**
 * The series that occur in one block, numbered by dense slots 0, 1, ... in order of first
 * occurrence.
 *
 * <p>A walk block keeps one running sum per series it holds. Indexing those sums by series id
 * would take an array of every series per thread, and a block of 64Ki rows holds at most 64Ki
 * of up to ten million series; slots keep the per-block state as small as the block. The map
 * is an open-addressing table with linear probing, sized once for the most distinct ids a block
 * can hold, and {@link #clear()} empties only the positions in use.
 *
 * <p>Thread confinement: one instance per worker thread.
 */
final class BlockSeries {
    private final int[] table; // slot + 1 at each position, 0 where empty
    private final int mask;
    private final int shift;
    private final int[] ids; // series id of each slot
    private final int[] positions; // table position of each slot
    private int count;

    /** A map for blocks holding at most {@code maxDistinct} distinct series. */
    BlockSeries(int maxDistinct) {
        int capacity = Integer.highestOneBit(Math.max(1, maxDistinct)) << 2; // at most half full
        this.table = new int[capacity];
        this.mask = capacity - 1;
        this.shift = Integer.numberOfLeadingZeros(mask);
        this.ids = new int[maxDistinct];
        this.positions = new int[maxDistinct];
    }

    /** The slot of {@code seriesId}, allocating the next one on its first occurrence. */
    int slotOf(int seriesId) {
        int position = (seriesId * 0x9E3779B9) >>> shift; // Fibonacci hashing: spreads consecutive ids
        for (int entry; (entry = table[position]) != 0; position = (position + 1) & mask) {
            if (ids[entry - 1] == seriesId) {
                return entry - 1;
            }
        }
        int slot = count++;
        table[position] = slot + 1;
        ids[slot] = seriesId;
        positions[slot] = position;
        return slot;
    }

    /** Number of slots in use: the distinct series seen since the last {@link #clear()}. */
    int count() {
        return count;
    }

    /** The series ids of the slots; entries from {@link #count()} on are stale. */
    int[] ids() {
        return ids;
    }

    /** Forgets every series, in time proportional to their number. */
    void clear() {
        for (int slot = 0; slot < count; slot++) {
            table[positions[slot]] = 0;
        }
        count = 0;
    }
}
