package dev.tsproc.job;

import static dev.tsproc.job.SlotKernels.FIRST;
import static dev.tsproc.job.SlotKernels.LAST;
import static dev.tsproc.job.SlotKernels.MAX;
import static dev.tsproc.job.SlotKernels.MIN;
import static dev.tsproc.job.SlotKernels.MISSING;
import static dev.tsproc.job.SlotKernels.NAN_BITS;
import static dev.tsproc.job.SlotKernels.NEGATIVE_ZERO_BITS;
import static dev.tsproc.job.SlotKernels.ROWS;
import static dev.tsproc.job.SlotKernels.SQUARES;
import static dev.tsproc.job.SlotKernels.STRIDE;
import static dev.tsproc.job.SlotKernels.SUM;

/**
 * The per-batch dense accumulators of the scatter kernel: {@value SlotKernels#STRIDE} longs per slot,
 * per-slot fixed-point windows for float values ({@link SlotWindows}), plus exact sums and
 * sketches created on first use.
 */
final class SlotTable {
    final long[] acc;
    final ExactSum[] bigSum;
    final ExactSum[] bigSquares;
    final Percentiles[] sketches;
    final boolean exactPercentiles;
    /** Per slot, {@link Percentiles#SMALL_SLOTS} counts of small integers and NaN not yet in its sketch. */
    final long[] smallCounts;
    /** Per slot, counts of the small integers and NaN of small-domain blocks; {@code null} when first/last are asked. */
    final long[] domain;
    /** Per slot, whether {@link #domain} counted anything since the last emit. */
    final byte[] touched;
    /** Scratch: the small-domain index of each row of the current block. */
    final int[] blockIndex = new int[BlockKernels.BLOCK];
    /** Whether the current block went to the small-domain kernel. */
    boolean domainBlock;
    /** Scratch: the current block's values and slots, copied from the batch. */
    final double[] blockValues = new double[BlockKernels.BLOCK];
    final int[] blockSlots = new int[BlockKernels.BLOCK];

    /** Values waiting to enter their slot's sketch ({@link SlotQueue}); {@code null} without sketches or in exact mode. */
    private final SlotQueue sketchQueue;
    /**
     * Whether whole blocks go to {@link #sketchQueue} — NaN and small integers too — and each
     * slot's run yields its rows, missing values, extremes and small-integer counts besides its
     * sketch's values, so that no row is scattered one by one: a query of sketched percentiles
     * without sums or first/last.
     */
    private final boolean rowsInQueue;
    /** Exact sums per slot of the blocks that plain double sums cannot take; made on first use. */
    private SlotWindows windows;
    /** Whether sums of squares are asked. */
    private final boolean squares;
    /**
     * Most values queued for the sketches before a flush (20 MB of queue): enough for a whole run
     * of a default 2^20-row batch, so each slot's values reach its sketch as one run, which
     * skips holding them when they are more than it holds and pays the run's fixed costs once
     * (a queue of 2^16 measured 30% slower, docs/BENCHMARKS.md).
     */
    private static final int SKETCH_QUEUE_MAX = 1 << 20;

    /**
     * @param squares whether sums of squares are asked
     * @param ends    whether first and last are asked
     * @param sums    whether sums are asked
     */
    SlotTable(int count, boolean percentiles, boolean exactPercentiles, boolean domain, boolean squares, boolean ends,
              boolean sums) {
        this.squares = squares;
        this.sketchQueue = percentiles && !exactPercentiles ? new SlotQueue(count, SKETCH_QUEUE_MAX) : null;
        this.rowsInQueue = sketchQueue != null && !sums && !ends;
        this.domain = domain ? new long[count * Percentiles.SMALL_SLOTS] : null;
        this.touched = new byte[count];
        acc = new long[count * STRIDE];
        bigSum = new ExactSum[count];
        bigSquares = new ExactSum[count];
        sketches = percentiles ? new Percentiles[count] : null;
        smallCounts = percentiles && !exactPercentiles ? new long[count * Percentiles.SMALL_SLOTS] : null;
        this.exactPercentiles = exactPercentiles;
        for (int s = 0; s < count; s++) {
            reset(s);
        }
    }

    private void reset(int s) {
        int o = s * STRIDE;
        acc[o + ROWS] = 0;
        acc[o + MISSING] = 0;
        acc[o + SUM] = NEGATIVE_ZERO_BITS;
        acc[o + SQUARES] = NEGATIVE_ZERO_BITS;
        acc[o + MIN] = Extremes.NO_LOW;
        acc[o + MAX] = Extremes.NO_HIGH;
        acc[o + FIRST] = NAN_BITS;
        acc[o + LAST] = NAN_BITS;
    }

    ExactSum bigSum(int s) {
        ExactSum e = bigSum[s];
        return e != null ? e : (bigSum[s] = new ExactSum());
    }

    ExactSum bigSquares(int s) {
        ExactSum e = bigSquares[s];
        return e != null ? e : (bigSquares[s] = new ExactSum());
    }

    Percentiles sketch(int s) {
        Percentiles p = sketches[s];
        return p != null ? p : (sketches[s] = new Percentiles(exactPercentiles));
    }

    /**
     * Adds the slot's small-domain histogram, at {@code from}, to group g: counts, exact sums
     * (integers, and no -0.0 among them, so the IEEE sign rule for zero sums holds), extremes.
     */
    private void emitDomain(QueryPartial out, int g, int from) {
        long rows = 0;
        long sum = 0;
        long squares = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < Percentiles.SMALL_SLOTS - 1; k++) {
            long c = domain[from + k];
            if (c != 0) {
                long x = k - Percentiles.SMALL_OFFSET;
                rows += c;
                sum += x * c;
                squares += x * x * c;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        long missing = domain[from + Percentiles.SMALL_SLOTS - 1];
        out.rows[g] += rows + missing;
        out.missing[g] += missing;
        if (rows > 0) {
            out.addSmallSum(g, sum);
            out.addSmallSquares(g, squares);
            out.min[g] = Math.min(out.min[g], lo);
            out.max[g] = Math.max(out.max[g], hi);
        }
    }

    /** Moves plain sums at risk of passing 2^53 into the exact sums. */
    void foldSums() {
        for (int s = 0; s < bigSum.length; s++) {
            int o = s * STRIDE;
            double sum = Double.longBitsToDouble(acc[o + SUM]);
            double squares = Double.longBitsToDouble(acc[o + SQUARES]);
            if (Math.abs(sum) > 0x1p52 || squares > 0x1p52) {
                bigSum(s).add(sum);
                bigSquares(s).add(squares);
                acc[o + SUM] = NEGATIVE_ZERO_BITS;
                acc[o + SQUARES] = NEGATIVE_ZERO_BITS;
            }
        }
    }

    /** Queues {@code x} (not NaN, not a small integer) for slot {@code s}'s sketch. */
    void defer(int s, double x) {
        if (!sketchQueue.fits(1)) {
            flushDeferred();
        }
        sketchQueue.add(s, x);
    }

    /** Whether a block's rows go to the sketch queue whole ({@link #deferRows}), and nowhere else. */
    boolean rowsInQueue() {
        return rowsInQueue;
    }

    /** Queues a block's rows {@code v[0, len)} whole for their slots ({@link #rowsInQueue}). */
    void deferRows(double[] v, int[] slot, int len) {
        if (!sketchQueue.fits(len)) {
            flushDeferred();
        }
        sketchQueue.addAll(v, slot, len);
    }

    /** Feeds every queued value to its slot's sketch, slot by slot, each slot's values as one run. */
    private void flushDeferred() {
        if (rowsInQueue) {
            sketchQueue.drain(this::summariseRows);
        } else {
            sketchQueue.drain((s, values, from, to) -> sketch(s).acceptLarge(values, from, to));
        }
    }

    /**
     * Adds slot {@code s}'s queued rows {@code values[from, to)} (overwritten): counts, extremes
     * (branch-free order keys, as the scatter kernels take them), small integers counted, and
     * the other values moved to the front and sketched as one run.
     */
    private void summariseRows(int s, double[] values, int from, int to) {
        long[] small = smallCounts;
        int counts = s * Percentiles.SMALL_SLOTS;
        long low = Extremes.NO_LOW;
        long high = Extremes.NO_HIGH;
        long missing = 0;
        int large = from;
        for (int j = from; j < to; j++) {
            double x = values[j];
            long bits = Double.doubleToRawLongBits(x);
            long m = SlotKernels.nanMask(bits);
            long key = Extremes.key(bits);
            low = Math.min(low, (~m & key) | (m & Extremes.NO_LOW));
            high = Math.max(high, (~m & key) | (m & Extremes.NO_HIGH));
            missing -= m;
            int k = Percentiles.smallIndex(x);
            if (k >= 0) {
                small[counts + k]++; // NaN's count (k = 16) is not a value; missing counts it
            } else if (x == x) {
                values[large++] = x;
            }
        }
        int o = s * STRIDE;
        acc[o + ROWS] += to - from;
        acc[o + MISSING] += missing;
        acc[o + MIN] = Math.min(acc[o + MIN], low);
        acc[o + MAX] = Math.max(acc[o + MAX], high);
        sketch(s).acceptLarge(values, from, large);
    }

    /**
     * Adds a block whose values plain double sums cannot take (a fraction, a large value, an
     * infinity) to its slots: counts, extremes and exact sums ({@link SlotWindows}).
     */
    void addFloats(double[] v, int[] slot, int len) {
        if (windows == null) {
            windows = new SlotWindows(bigSum, squares ? bigSquares : null);
        }
        windows.add(acc, v, slot, len);
    }

    /** Turns every slot that saw rows into a group of {@code out} in bucket {@code bucket}, and resets it. */
    void emit(QueryPartial out, long bucket, int[] seriesOfSlot) {
        if (sketchQueue != null) {
            flushDeferred();
        }
        if (windows != null) {
            for (int s = 0; s < bigSum.length; s++) {
                windows.close(s);
            }
        }
        for (int s = 0; s < seriesOfSlot.length; s++) {
            int o = s * STRIDE;
            if (acc[o + ROWS] == 0 && touched[s] == 0) {
                continue;
            }
            int g = out.addGroup(bucket, seriesOfSlot[s]);
            out.rows[g] = acc[o + ROWS];
            out.missing[g] = acc[o + MISSING];
            out.sum[g] = Double.longBitsToDouble(acc[o + SUM]);
            out.squares[g] = Double.longBitsToDouble(acc[o + SQUARES]);
            out.bigSum[g] = bigSum[s];
            out.bigSquares[g] = bigSquares[s];
            out.min[g] = Double.longBitsToDouble(Extremes.key(acc[o + MIN]));
            out.max[g] = Double.longBitsToDouble(Extremes.key(acc[o + MAX]));
            out.first[g] = Double.longBitsToDouble(acc[o + FIRST]);
            out.last[g] = Double.longBitsToDouble(acc[o + LAST]);
            if (touched[s] != 0) {
                emitDomain(out, g, s * Percentiles.SMALL_SLOTS);
            }
            if (sketches != null) {
                Percentiles p = sketches[s] != null ? sketches[s] : new Percentiles(exactPercentiles);
                if (smallCounts != null) {
                    p.addSmallCounts(smallCounts, s * Percentiles.SMALL_SLOTS);
                }
                if (touched[s] != 0) {
                    p.addSmallCounts(domain, s * Percentiles.SMALL_SLOTS);
                }
                out.sketches[g] = p;
                sketches[s] = null;
            }
            if (touched[s] != 0) {
                java.util.Arrays.fill(domain, s * Percentiles.SMALL_SLOTS, (s + 1) * Percentiles.SMALL_SLOTS, 0L);
                touched[s] = 0;
            }
            bigSum[s] = null;
            bigSquares[s] = null;
            reset(s);
        }
        if (smallCounts != null) {
            java.util.Arrays.fill(smallCounts, 0L);
        }
        // the spare slot of excluded series, if any
        for (int s = seriesOfSlot.length; s < bigSum.length; s++) {
            if (touched[s] != 0) {
                java.util.Arrays.fill(domain, s * Percentiles.SMALL_SLOTS, (s + 1) * Percentiles.SMALL_SLOTS, 0L);
                touched[s] = 0;
            }
            reset(s);
            bigSum[s] = null;
            bigSquares[s] = null;
            if (sketches != null) {
                sketches[s] = null;
            }
        }
    }
}
