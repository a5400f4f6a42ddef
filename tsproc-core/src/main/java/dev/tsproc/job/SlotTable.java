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

    /**
     * Values waiting to enter their slot's sketch, and their slots. Feeding 1,000 sketches in row
     * order would miss the cache on almost every value; {@link #flushDeferred} sorts them by slot
     * first (a counting sort), then feeds one sketch at a time. A sketch's contents do not depend
     * on the order of its values, so nothing changes but the speed.
     */
    private double[] deferredValues;
    private int[] deferredSlots;
    private int deferred;
    private final int[] slotStarts;
    private double[] sortedValues;
    /**
     * Most values queued before a flush (20 MB of queue): enough for a whole run of a default
     * 2^20-row batch, so each sketch's stores are sized once per run — every extra flush may
     * widen a store again, and widening moves all its counts.
     */
    private static final int DEFERRED_MAX = 1 << 20;

    SlotTable(int count, boolean percentiles, boolean exactPercentiles, boolean domain) {
        boolean defer = percentiles && !exactPercentiles;
        this.deferredValues = defer ? new double[1 << 12] : null;
        this.deferredSlots = defer ? new int[1 << 12] : null;
        this.sortedValues = defer ? new double[1 << 12] : null;
        this.slotStarts = defer ? new int[count + 1] : null;
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
        if (deferred == deferredValues.length) {
            if (deferred < DEFERRED_MAX) {
                deferredValues = java.util.Arrays.copyOf(deferredValues, 2 * deferred);
                deferredSlots = java.util.Arrays.copyOf(deferredSlots, 2 * deferred);
                sortedValues = new double[2 * deferred];
            } else {
                flushDeferred();
            }
        }
        deferredValues[deferred] = x;
        deferredSlots[deferred] = s;
        deferred++;
    }

    /** Feeds every queued value to its slot's sketch, slot by slot. */
    void flushDeferred() {
        if (deferred == 0) {
            return;
        }
        int[] starts = slotStarts;
        java.util.Arrays.fill(starts, 0);
        for (int i = 0; i < deferred; i++) {
            starts[deferredSlots[i] + 1]++;
        }
        for (int s = 1; s < starts.length; s++) {
            starts[s] += starts[s - 1];
        }
        for (int i = 0; i < deferred; i++) {
            sortedValues[starts[deferredSlots[i]]++] = deferredValues[i];
        }
        // starts[s] is now the end of slot s's values, and the start of slot s + 1's
        int from = 0;
        for (int s = 0; s < starts.length - 1; s++) {
            int to = starts[s];
            if (to > from) {
                // The sketch keeps positive and negative magnitudes in two dense stores, each an array
                // over a range of bins. Give each store its smallest and largest magnitude first:
                // it then takes its whole range at once, instead of re-centring its counts every time
                // a value falls outside (on spread-out data, nearly every value early on).
                int[] first = {-1, -1, -1, -1}; // smallest and largest positive, smallest and largest negative magnitude
                for (int j = from; j < to; j++) {
                    double x = sortedValues[j];
                    if (x > 0 && x < Double.POSITIVE_INFINITY) {
                        first[0] = first[0] < 0 || x < sortedValues[first[0]] ? j : first[0];
                        first[1] = first[1] < 0 || x > sortedValues[first[1]] ? j : first[1];
                    } else if (x < 0 && x > Double.NEGATIVE_INFINITY) {
                        first[2] = first[2] < 0 || x > sortedValues[first[2]] ? j : first[2];
                        first[3] = first[3] < 0 || x < sortedValues[first[3]] ? j : first[3];
                    }
                }
                Percentiles p = sketch(s);
                for (int k = 0; k < first.length; k++) {
                    int j = first[k];
                    if (j >= 0 && (k % 2 == 0 || j != first[k - 1])) {
                        p.accept(sortedValues[j]);
                    }
                }
                for (int j = from; j < to; j++) {
                    if (j != first[0] && j != first[1] && j != first[2] && j != first[3]) {
                        p.accept(sortedValues[j]);
                    }
                }
            }
            from = to;
        }
        deferred = 0;
    }

    /** Turns every slot that saw rows into a group of {@code out} in bucket {@code bucket}, and resets it. */
    void emit(QueryPartial out, long bucket, int[] seriesOfSlot) {
        if (deferredValues != null) {
            flushDeferred();
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
