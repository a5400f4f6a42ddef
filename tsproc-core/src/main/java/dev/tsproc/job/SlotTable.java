package dev.tsproc.job;

import dev.tsproc.data.Column;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
 * plus exact sums and sketches created on first use.
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
     * Values of blocks that the plain double sums cannot take, waiting to be summed exactly per
     * slot in {@link FixedPointWindows}; made on first use.
     */
    private SlotQueue sumQueue;
    /**
     * The whole-column kernel each slot's queued run is summarised with ({@link Summary#restart}):
     * {@code FULL} for squares or extremes, else {@code SUM}; {@code null} when the runs go to
     * {@link FixedPointWindows} alone — with the plain-Java kernels, which sum through heap
     * arrays anyway, and whose one-shot runs (a JVM still compiling) measured slower by the
     * kernels' route (docs/BENCHMARKS.md).
     */
    private final Summary.Kernel runKernel;
    /** Whether the queued sums need their squares too. */
    private final boolean squares;
    /**
     * Whether a queued block's rows were counted, and its extremes taken, only in its queue: then
     * each slot's run adds them when summed, and no row is scattered to {@link #acc} one by one.
     * Only through the kernels' route, and not when first and last are asked (they follow row
     * order, which the queue does not keep across slots).
     */
    private final boolean countsInQueue;
    /** The summary each slot's run goes through, restarted per run. */
    private final Summary run = new Summary();
    /**
     * Scratch: a block of a slot's run, copied off the heap for the block kernels (the Vector API
     * reads no heap segment but a {@code byte[]}'s).
     */
    private final MemorySegment runBlock = Arena.ofAuto().allocate(Column.VALUE.byteSize(BlockKernels.BLOCK), 64);
    /**
     * Most values queued for the sketches before a flush (20 MB of queue): enough for a whole run
     * of a default 2^20-row batch, so each slot's values reach its sketch as one run, which
     * skips holding them when they are more than it holds and pays the run's fixed costs once
     * (a queue of 2^16 measured 30% slower, docs/BENCHMARKS.md).
     */
    private static final int SKETCH_QUEUE_MAX = 1 << 20;
    /**
     * Most values queued for exact sums before they are summed (3 MB of queue): with a thousand
     * slots, a few hundred values a slot, so the windows' fixed cost per slot (a scan for the
     * largest value, four deposits) is spread thin.
     */
    private static final int SUM_QUEUE_MAX = 1 << 18;

    /**
     * @param squares  whether sums of squares are asked
     * @param extremes whether min and max are asked (or percentiles, clamped to them)
     * @param ends     whether first and last are asked
     */
    SlotTable(int count, boolean percentiles, boolean exactPercentiles, boolean domain, boolean squares,
              boolean extremes, boolean ends) {
        this.runKernel = !Summary.vectorised() ? null : squares || extremes ? Summary.Kernel.FULL : Summary.Kernel.SUM;
        this.squares = squares;
        this.countsInQueue = runKernel != null && !ends;
        this.sketchQueue = percentiles && !exactPercentiles ? new SlotQueue(count, SKETCH_QUEUE_MAX) : null;
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

    /** Feeds every queued value to its slot's sketch, slot by slot, each slot's values as one run. */
    private void flushDeferred() {
        sketchQueue.drain((s, values, from, to) -> sketch(s).acceptLarge(values, from, to));
    }

    /** Whether queued blocks' counts and extremes are taken from the queue ({@link #countsInQueue}). */
    boolean countsInQueue() {
        return countsInQueue;
    }

    /**
     * Queues a block's values (NaN among them) for exact sums per slot, and for their counts and
     * extremes if {@link #countsInQueue}: the block had a fraction, a large value or an infinity,
     * for which plain double sums are not exact.
     */
    void deferSums(double[] v, int[] slot, int len) {
        if (sumQueue == null) {
            sumQueue = new SlotQueue(bigSum.length, SUM_QUEUE_MAX);
        }
        if (!sumQueue.fits(len)) {
            flushSums();
        }
        sumQueue.addAll(v, slot, len);
    }

    /**
     * Summarises every slot's queued run with the whole-column block kernels (exact sums in
     * fixed-point windows, lane by lane) into the slot's exact sums, and its counts and extremes
     * if they were not taken per row; or, with {@link #runKernel} {@code null}, sums it in the
     * windows alone.
     */
    private void flushSums() {
        if (runKernel == null) {
            sumQueue.drain((s, values, from, to) -> {
                for (int start = from; start < to; start += FixedPointWindows.MAX_VALUES) {
                    FixedPointWindows.add(values, start, Math.min(to - start, FixedPointWindows.MAX_VALUES), bigSum(s),
                            squares ? bigSquares(s) : null);
                }
            });
            return;
        }
        sumQueue.drain((s, values, from, to) -> {
            run.restart(bigSum(s), runKernel == Summary.Kernel.FULL ? bigSquares(s) : null);
            for (int start = from; start < to; start += BlockKernels.BLOCK) {
                int len = Math.min(BlockKernels.BLOCK, to - start);
                MemorySegment.copy(values, start, runBlock, Column.VALUE_LAYOUT, 0, len);
                run.add(runBlock.asSlice(0, Column.VALUE.byteSize(len)), runKernel);
            }
            if (countsInQueue) {
                int o = s * STRIDE;
                acc[o + ROWS] += run.rows;
                acc[o + MISSING] += run.missing;
                acc[o + MIN] = Math.min(acc[o + MIN], Extremes.key(Double.doubleToRawLongBits(run.min)));
                acc[o + MAX] = Math.max(acc[o + MAX], Extremes.key(Double.doubleToRawLongBits(run.max)));
            }
        });
    }

    /** Turns every slot that saw rows into a group of {@code out} in bucket {@code bucket}, and resets it. */
    void emit(QueryPartial out, long bucket, int[] seriesOfSlot) {
        if (sketchQueue != null) {
            flushDeferred();
        }
        if (sumQueue != null) {
            flushSums();
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
