package dev.tsproc.job;

import java.util.Arrays;

/**
 * Values queued with their slots, handed out again slot by slot. Feeding a thousand scattered
 * accumulators (the percentile sketches) in row order misses the cache on almost every value; a
 * counting sort by slot first, then one accumulator at a time, does not. Whatever is fed must
 * not depend on the order of its values, so nothing changes but the speed.
 *
 * <p>Not thread-safe: one batch fills one queue.
 */
final class SlotQueue {
    /** Receives one slot's queued values, {@code values[from, to)}, in queue order. */
    interface Run {
        void accept(int slot, double[] values, int from, int to);
    }

    private static final int INITIAL = 1 << 12;

    private final int max;
    /** Per slot, its values' start in {@link #sorted}, then their end. */
    private final int[] ends;
    private double[] values = new double[INITIAL];
    private int[] slots = new int[INITIAL];
    private double[] sorted = new double[INITIAL];
    private int size;

    /**
     * @param slotCount slots {@code 0 .. slotCount - 1}
     * @param max       most values held before {@link #add} asks for a drain; a power of two
     */
    SlotQueue(int slotCount, int max) {
        this.ends = new int[slotCount + 1];
        this.max = Math.max(INITIAL, max);
    }

    /** Whether {@code count} more values fit, growing up to the maximum; if not, drain first. */
    boolean fits(int count) {
        if (size + count <= values.length) {
            return true;
        }
        if (size + count > max) {
            return false;
        }
        int capacity = Math.min(max, Math.max(2 * values.length, Integer.highestOneBit(size + count - 1) << 1));
        values = Arrays.copyOf(values, capacity);
        slots = Arrays.copyOf(slots, capacity);
        sorted = new double[capacity];
        return true;
    }

    /** Queues {@code x} for slot {@code s}; {@link #fits}{@code (1)} must hold. */
    void add(int s, double x) {
        values[size] = x;
        slots[size] = s;
        size++;
    }

    /** Queues a block's values {@code v[0, len)} for their slots; {@link #fits}{@code (len)} must hold. */
    void addAll(double[] v, int[] slot, int len) {
        System.arraycopy(v, 0, values, size, len);
        System.arraycopy(slot, 0, slots, size, len);
        size += len;
    }

    /** Hands every queued value to {@code run}, one slot at a time in slot order, and empties the queue. */
    void drain(Run run) {
        if (size == 0) {
            return;
        }
        Arrays.fill(ends, 0);
        for (int i = 0; i < size; i++) {
            ends[slots[i] + 1]++;
        }
        for (int s = 1; s < ends.length; s++) {
            ends[s] += ends[s - 1];
        }
        for (int i = 0; i < size; i++) {
            sorted[ends[slots[i]]++] = values[i];
        }
        // ends[s] is now the end of slot s's values, and the start of slot s + 1's
        int from = 0;
        for (int s = 0; s < ends.length - 1; s++) {
            int to = ends[s];
            if (to > from) {
                run.accept(s, sorted, from, to);
            }
            from = to;
        }
        size = 0;
    }
}
