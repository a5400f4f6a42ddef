package dev.tsproc.job;

import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.Store;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.CancellationException;

/**
 * A query as a {@link Job}: per batch, aggregates per group (time bucket, series) in dense
 * per-batch arrays; partials combined in batch order; finished into a {@link QueryResult}.
 *
 * {@snippet :
 * QueryJob job = QueryJob.on(store, spec);
 * RowRange rows = job.rowRange(store);       // only the rows in spec's time range
 * // run it on any executor over those rows, e.g. Coordinator.run(store, job, options, rows...)
 * }
 *
 * <p><b>How a batch is aggregated.</b> Timestamps are sorted, so a batch splits into runs of
 * rows that share a time bucket; each run's end is found by galloping search on {@code ts}, not
 * by reading every timestamp. A run is aggregated in one of two ways:
 * <ul>
 * <li><i>Contiguous</i> — no series grouping or filter: the run is one group, summarised by the
 *     same kernels as the built-in jobs ({@link Summary}); first and last are found by looking
 *     in from both ends.
 * <li><i>Scatter</i> — by series, or filtered by series: the block's values and series ids are
 *     copied to the heap (a memcpy), then every row adds to the slot of its series in one dense
 *     {@code long[]}, eight longs (one cache line) per slot: rows, missing, sum and sum of squares
 *     (bits of doubles), min and max (integer order keys, so an extreme is a compare-and-move),
 *     first and last (raw bits). Rows of excluded series go to a spare slot that is never
 *     reported. NaN is handled by integer masks, with no data-dependent branch (missing values
 *     at random would mispredict a third of the time). Sums in the slot are exact while every
 *     value of a 2048-row block is an integer of magnitude at most 2^16 (each square then is at
 *     most 2^32 and a slot's sums stay below 2^53 over 2^20 rows; longer runs are folded into an
 *     {@link ExactSum} every 2^20 rows); any other block deposits its values into per-slot
 *     {@link ExactSum}s. A block whose values are all integers in [-8, 7] or NaN (flags, states,
 *     small counts, the talk's 0/1) instead increments one cell per row of its slot's histogram
 *     of those 17 values, unless first/last are asked; counts, exact sums, squares, extremes and
 *     the sketch's counts follow from the histogram. After the run, the slots that saw rows
 *     become groups of the partial, in series order.
 * </ul>
 * Either way every sum is exact until one final rounding, extremes and counts are order-free,
 * and first/last follow row order, so the answer is bit-identical for any batch size, worker
 * count or completion order. Percentiles are sketched per group ({@link Percentiles}), also
 * independently of batching.
 *
 * @implNote The partial holds one entry per group of its batch. Groups are (bucket, series)
 * pairs met in the data, so memory is proportional to the number of result rows, not to rows.
 */
public final class QueryJob implements Job<QueryPartial, QueryResult> {
    private static final int BLOCK = 2048;
    private static final int BLOCKS_PER_CHECK = 32;
    private static final long FOLD_ROWS = 1L << 20;
    private static final double FAST_LIMIT = 0x1p16;
    private static final int STRIDE = 8;
    private static final int ROWS = 0, MISSING = 1, SUM = 2, SQUARES = 3, MIN = 4, MAX = 5, FIRST = 6, LAST = 7;

    private final QuerySpec spec;
    private final SeriesDictionary dictionary;
    private final boolean scatter;
    /** Slot of each series id (the identity when grouping by series without a filter). */
    private final int[] slotOfSeries;
    /** Whether the slot of a series is its id (by series, no filter): the ids need no mapping. */
    private final boolean identitySlots;
    /** Series id reported for each slot but the spare; -1 when not grouped by series. */
    private final int[] seriesOfSlot;
    /** Slots including the spare one for excluded series. */
    private final int slotCount;
    private final boolean sums;
    private final boolean extremes;
    private final boolean ends;
    private final boolean percentiles;
    private final double[] quantiles;
    private final Summary.Kernel kernel;
    /** Whether the scatter kernel may count small-domain blocks in per-slot histograms. */
    private final boolean smallDomain;
    /** Whether the contiguous kernel's {@link Summary} computes min and max. */
    private final boolean summaryExtremes;

    private QueryJob(QuerySpec spec, SeriesDictionary dictionary, boolean hasSeries) {
        this.spec = spec;
        this.dictionary = dictionary;
        if ((spec.bySeries() || !spec.series().isEmpty()) && !hasSeries) {
            throw new IllegalArgumentException("the store has no series column, so it cannot be grouped or filtered by series");
        }
        int[] selected = selectedSeries(spec, dictionary);
        this.scatter = spec.bySeries() || selected != null;
        int n = dictionary.size();
        if (!scatter) {
            slotOfSeries = null;
            seriesOfSlot = new int[] {-1};
            slotCount = 1;
        } else if (spec.bySeries() && selected == null) {
            slotOfSeries = new int[n];
            Arrays.setAll(slotOfSeries, i -> i);
            seriesOfSlot = new int[n];
            Arrays.setAll(seriesOfSlot, i -> i);
            slotCount = n;
        } else {
            slotOfSeries = new int[n];
            if (spec.bySeries()) {
                Arrays.fill(slotOfSeries, selected.length);
                for (int k = 0; k < selected.length; k++) {
                    slotOfSeries[selected[k]] = k;
                }
                seriesOfSlot = selected;
                slotCount = selected.length + 1;
            } else {
                Arrays.fill(slotOfSeries, 1);
                for (int id : selected) {
                    slotOfSeries[id] = 0;
                }
                seriesOfSlot = new int[] {-1};
                slotCount = 2;
            }
        }
        this.identitySlots = scatter && spec.bySeries() && selected == null;
        boolean stddev = false;
        boolean sum = false;
        boolean ext = false;
        boolean end = false;
        for (Aggregate a : spec.aggregates()) {
            switch (a.kind()) {
                case SUM, MEAN -> sum = true;
                case STDDEV -> stddev = true;
                case MIN, MAX -> ext = true;
                case FIRST, LAST -> end = true;
                default -> { }
            }
        }
        this.sums = sum || stddev;
        // percentiles are clamped to [min, max]: the scatter kernels keep extremes for them too
        this.extremes = ext || spec.hasPercentiles();
        this.ends = end;
        this.percentiles = spec.hasPercentiles();
        this.quantiles = spec.quantiles();
        this.kernel = stddev || ext ? Summary.Kernel.FULL : sum ? Summary.Kernel.SUM : Summary.Kernel.COUNT;
        // the small-domain kernel cannot tell first from last; for counts alone it would cost more than it saves
        this.smallDomain = !end && (this.sums || this.extremes);
        this.summaryExtremes = stddev || ext;
    }

    /**
     * The job answering {@code spec} over {@code store}.
     *
     * @throws IllegalArgumentException if the spec names a series the store lacks, or groups or
     *                                  filters by series on a store without a series column
     */
    public static QueryJob on(Store store, QuerySpec spec) {
        return new QueryJob(spec, store.dictionary(), store.hasSeries());
    }

    /** As {@link #on(Store, QuerySpec)} from the store's dictionary and whether it has a series column. */
    public static QueryJob of(QuerySpec spec, SeriesDictionary dictionary, boolean hasSeries) {
        return new QueryJob(spec, dictionary, hasSeries);
    }

    /** Ascending ids of the spec's series, or {@code null} for all. */
    private static int[] selectedSeries(QuerySpec spec, SeriesDictionary dictionary) {
        if (spec.series().isEmpty()) {
            return null;
        }
        int[] ids = new int[spec.series().size()];
        for (int k = 0; k < ids.length; k++) {
            String name = spec.series().get(k);
            ids[k] = dictionary.idOf(name);
            if (ids[k] < 0) {
                throw new IllegalArgumentException("no series '" + name + "' in the store; it has " + dictionary.size()
                        + " series" + (dictionary.size() == 0 ? "" : ", e.g. '" + dictionary.name(0) + "'"));
            }
        }
        Arrays.sort(ids);
        return ids;
    }

    /** The query this job answers. */
    public QuerySpec spec() {
        return spec;
    }

    /** The rows of {@code store} in the spec's time range; plan batches over these only. */
    public RowRange rowRange(Store store) {
        return RowRange.of(store, spec.fromNanos(), spec.toNanos());
    }

    @Override
    public String name() {
        return "query";
    }

    @Override
    public QueryPartial empty() {
        return new QueryPartial(percentiles, spec.exactPercentiles(), 1);
    }

    @Override
    public QueryPartial combine(QueryPartial earlier, QueryPartial later) {
        return QueryPartial.combine(earlier, later);
    }

    @Override
    public QueryResult finish(QueryPartial partial) {
        return QueryResult.of(spec, dictionary, partial, quantiles);
    }

    @Override
    public QueryPartial map(BatchView batch) {
        QueryPartial out = new QueryPartial(percentiles, spec.exactPercentiles(), scatter ? slotCount : 4);
        MemorySegment ts = batch.ts();
        MemorySegment values = batch.values();
        long n = batch.rowCount();
        Slots slots = scatter ? new Slots(slotCount, percentiles, spec.exactPercentiles(), smallDomain) : null;
        long width = spec.bucketNanos();
        long previous = Long.MIN_VALUE;
        for (long from = 0; from < n; ) {
            long bucket = 0;
            long to = n;
            if (width > 0) {
                bucket = Math.floorDiv(ts.getAtIndex(Column.TS_LAYOUT, from), width);
                if (bucket < previous) {
                    throw new IllegalStateException("timestamps are not ascending at row " + (batch.rowOffset() + from));
                }
                previous = bucket;
                long next = nextBucketStart(bucket, width);
                to = next == Long.MAX_VALUE ? n : RowRange.gallop(ts, from + 1, n, next);
            }
            if (scatter) {
                scatterRun(slots, values, batch.series(), from, to);
                slots.emit(out, bucket, seriesOfSlot);
            } else {
                contiguousRun(out, bucket, values, from, to);
            }
            from = to;
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("cancelled");
            }
        }
        return out;
    }

    /** Start of bucket {@code bucket + 1}, or {@link Long#MAX_VALUE} past the end of time. */
    private static long nextBucketStart(long bucket, long width) {
        long high = Math.multiplyHigh(bucket + 1, width);
        long low = (bucket + 1) * width;
        return (high == 0 && low >= 0) || (high == -1 && low < 0) ? low : Long.MAX_VALUE;
    }

    private void contiguousRun(QueryPartial out, long bucket, MemorySegment values, long from, long to) {
        int g = out.addGroup(bucket, -1);
        MemorySegment run = values.asSlice(from * Double.BYTES, (to - from) * Double.BYTES);
        Summary s = Summary.of(run, kernel);
        out.rows[g] = s.rows;
        out.missing[g] = s.missing;
        if (sums) {
            out.bigSum[g] = s.sum;
            out.bigSquares[g] = s.squares;
        }
        if (summaryExtremes) {
            out.min[g] = s.min;
            out.max[g] = s.max;
        }
        long n = to - from;
        if (ends) {
            for (long i = 0; i < n; i++) {
                double v = run.getAtIndex(Column.VALUE_LAYOUT, i);
                if (v == v) {
                    out.first[g] = v;
                    break;
                }
            }
            for (long i = n - 1; i >= 0; i--) {
                double v = run.getAtIndex(Column.VALUE_LAYOUT, i);
                if (v == v) {
                    out.last[g] = v;
                    break;
                }
            }
        }
        if (percentiles) {
            Percentiles p = out.sketches[g];
            double[] block = new double[BLOCK];
            for (long start = 0; start < n; start += BLOCK) {
                int len = (int) Math.min(BLOCK, n - start);
                MemorySegment.copy(run, Column.VALUE_LAYOUT, start * Double.BYTES, block, 0, len);
                p.acceptAll(block, len);
                if (!summaryExtremes) {
                    extremes(block, len, out, g);
                }
                if ((start & 0xFFFF) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("cancelled");
                }
            }
        }
    }

    /**
     * Folds the extremes of {@code v[0, len)} into group g's: branch-free integer order keys
     * ({@link #orderKey}) in four independent chains (min and max are exact and order-free, so
     * splitting them changes nothing).
     */
    private static void extremes(double[] v, int len, QueryPartial out, int g) {
        long lo0 = orderKey(Double.doubleToRawLongBits(out.min[g])), lo1 = lo0, lo2 = lo0, lo3 = lo0;
        long hi0 = orderKey(Double.doubleToRawLongBits(out.max[g])), hi1 = hi0, hi2 = hi0, hi3 = hi0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            lo0 = Math.min(lo0, minKey(v[i]));
            lo1 = Math.min(lo1, minKey(v[i + 1]));
            lo2 = Math.min(lo2, minKey(v[i + 2]));
            lo3 = Math.min(lo3, minKey(v[i + 3]));
            hi0 = Math.max(hi0, maxKey(v[i]));
            hi1 = Math.max(hi1, maxKey(v[i + 1]));
            hi2 = Math.max(hi2, maxKey(v[i + 2]));
            hi3 = Math.max(hi3, maxKey(v[i + 3]));
        }
        for (; i < len; i++) {
            lo0 = Math.min(lo0, minKey(v[i]));
            hi0 = Math.max(hi0, maxKey(v[i]));
        }
        out.min[g] = Double.longBitsToDouble(orderKey(Math.min(Math.min(lo0, lo1), Math.min(lo2, lo3))));
        out.max[g] = Double.longBitsToDouble(orderKey(Math.max(Math.max(hi0, hi1), Math.max(hi2, hi3))));
    }

    /** The order key of {@code x}, or of +Infinity if {@code x} is NaN. */
    private static long minKey(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long m = nanMask(bits);
        return (~m & orderKey(bits)) | (m & KEY_POSITIVE_INFINITY);
    }

    /** The order key of {@code x}, or of -Infinity if {@code x} is NaN. */
    private static long maxKey(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long m = nanMask(bits);
        return (~m & orderKey(bits)) | (m & KEY_NEGATIVE_INFINITY);
    }

    private void scatterRun(Slots slots, MemorySegment values, MemorySegment series, long from, long to) {
        double[] v = slots.blockValues;
        int[] slot = slots.blockSlots;
        int[] slotOf = slotOfSeries;
        int blocks = 0;
        long sinceFold = 0;
        for (long start = from; start < to; start += BLOCK) {
            int len = (int) Math.min(BLOCK, to - start);
            // Copy the block to the heap (a plain memcpy from the mapping): the loops below then
            // run over arrays, with bounds checks hoisted and no per-access segment checks.
            MemorySegment.copy(values, Column.VALUE_LAYOUT, start * Double.BYTES, v, 0, len);
            MemorySegment.copy(series, Column.SERIES_LAYOUT, start * Integer.BYTES, slot, 0, len);
            if (!identitySlots) {
                for (int i = 0; i < len; i++) {
                    slot[i] = slotOf[slot[i]];
                }
            } else if (len > 0) {
                checkIds(slot, len);
            }
            long[] acc = slots.acc;
            slots.domainBlock = slots.domain != null && smallDomain(v, slots.blockIndex, len);
            if (slots.domainBlock) {
                domainBlock(slots, slot, len);
            } else if (!sums && !extremes && !ends) {
                countBlock(acc, v, slot, len);
            } else if (!sums) {
                if (ends) {
                    extremesBlock(acc, v, slot, len);
                } else {
                    minMaxBlock(acc, v, slot, len);
                }
            } else if (fastBlock(v, len)) {
                if (ends) {
                    fullBlock(acc, v, slot, len);
                } else {
                    statsBlock(acc, v, slot, len);
                }
            } else {
                extremesBlock(acc, v, slot, len);
                exactSums(slots, v, slot, len);
            }
            if (percentiles && !slots.domainBlock) {
                sketchBlock(slots, v, slot, len);
            }
            sinceFold += len;
            if (sinceFold >= FOLD_ROWS) {
                slots.foldSums();
                sinceFold = 0;
            }
            if (++blocks == BLOCKS_PER_CHECK) {
                blocks = 0;
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("cancelled");
                }
            }
        }
    }

    /**
     * Whether every value of the block is NaN or an integer in [-8, 7] — flags, states, small
     * counts, the talk's 0/1 — with each one's {@link Percentiles#smallIndex} left in {@code index}.
     */
    private static boolean smallDomain(double[] v, int[] index, int len) {
        int negative = 0;
        for (int i = 0; i < len; i++) {
            int k = Percentiles.smallIndex(v[i]);
            index[i] = k;
            negative |= k;
        }
        return negative >= 0;
    }

    /**
     * The small-domain kernel: one counter increment per row, into the row's slot's histogram of
     * the 16 small integers and NaN; counts, sums, squares, extremes (and the sketch's counts)
     * all follow from the histogram when the run is emitted, exactly.
     */
    private static void domainBlock(Slots slots, int[] slot, int len) {
        long[] domain = slots.domain;
        byte[] touched = slots.touched;
        int[] index = slots.blockIndex;
        for (int i = 0; i < len; i++) {
            int s = slot[i];
            domain[s * Percentiles.SMALL_SLOTS + index[i]]++;
            touched[s] = 1;
        }
    }

    /** Fails clearly if a series id is outside the dictionary (a corrupt store), rather than deep in a kernel. */
    private void checkIds(int[] ids, int len) {
        int bad = 0;
        for (int i = 0; i < len; i++) {
            bad |= ids[i] | (slotOfSeries.length - 1 - ids[i]);
        }
        if (bad < 0) {
            for (int i = 0; i < len; i++) {
                if (ids[i] < 0 || ids[i] >= slotOfSeries.length) {
                    throw new IllegalStateException("series id " + ids[i] + " is not in the store's dictionary of "
                            + slotOfSeries.length + " series");
                }
            }
        }
    }

    /** Whether every value of the block is missing or an integer of magnitude at most 2^16. */
    private static boolean fastBlock(double[] v, int len) {
        boolean ok = true;
        for (int i = 0; i < len; i++) {
            double x = v[i];
            ok &= (x != x) | (Math.abs(x) <= FAST_LIMIT & x == Math.rint(x));
        }
        return ok;
    }

    // The kernels below handle NaN (missing) without branches: a branch on a value that is
    // missing at random mispredicts about a third of the time, and C2 compiles a conditional
    // choice between doubles to a branch. Instead, nanMask gives all ones for NaN and zero
    // otherwise, and the substitutes for a missing value (-0.0 for sums, ±Infinity for the
    // extremes) are blended in with integer masks. Slots are longs: counts as integers, sums as
    // the bits of doubles, extremes as order keys (see orderKey), first/last as raw bits — so
    // min and max are integer compare-and-move, not Math.min's five-instruction NaN dance.

    private static final long ABS_BITS = 0x7FFF_FFFF_FFFF_FFFFL;
    private static final long INFINITY_BITS = 0x7FF0_0000_0000_0000L;
    private static final long NEGATIVE_ZERO_BITS = 0x8000_0000_0000_0000L;
    private static final long NEGATIVE_INFINITY_BITS = 0xFFF0_0000_0000_0000L;
    private static final long KEY_POSITIVE_INFINITY = orderKey(INFINITY_BITS);
    private static final long KEY_NEGATIVE_INFINITY = orderKey(NEGATIVE_INFINITY_BITS);
    private static final long NAN_BITS = Double.doubleToRawLongBits(Double.NaN);

    /** All ones if {@code bits} is a NaN, else zero. */
    private static long nanMask(long bits) {
        return (INFINITY_BITS - (bits & ABS_BITS)) >> 63;
    }

    /**
     * A long whose signed order is the order of the (non-NaN) doubles, with -0.0 below +0.0 as
     * {@link Math#min} has it: negative doubles get their magnitude bits flipped. Its own inverse.
     */
    static long orderKey(long bits) {
        return bits ^ ((bits >> 63) & ABS_BITS);
    }

    private static void countBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long m = nanMask(Double.doubleToRawLongBits(v[i]));
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
        }
    }

    /** Counts, plain double sums, extremes and first/last of a block whose sums are exact in doubles. */
    private static void fullBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long keep = ~m & bits;
            double z = Double.longBitsToDouble(keep | (m & NEGATIVE_ZERO_BITS));
            long key = orderKey(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + SUM] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SUM]) + z);
            acc[o + SQUARES] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SQUARES]) + z * z);
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & KEY_POSITIVE_INFINITY));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & KEY_NEGATIVE_INFINITY));
            long first = acc[o + FIRST];
            long unset = nanMask(first);
            acc[o + FIRST] = (first & ~unset) | (bits & unset);
            acc[o + LAST] = (acc[o + LAST] & m) | keep;
        }
    }

    /** As {@link #fullBlock} without first and last. */
    private static void statsBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long keep = ~m & bits;
            double z = Double.longBitsToDouble(keep | (m & NEGATIVE_ZERO_BITS));
            long key = orderKey(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + SUM] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SUM]) + z);
            acc[o + SQUARES] = Double.doubleToRawLongBits(Double.longBitsToDouble(acc[o + SQUARES]) + z * z);
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & KEY_POSITIVE_INFINITY));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & KEY_NEGATIVE_INFINITY));
        }
    }

    /** Counts and extremes only: for percentiles (clamped to the extremes) without sums. */
    private static void minMaxBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long key = orderKey(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & KEY_POSITIVE_INFINITY));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & KEY_NEGATIVE_INFINITY));
        }
    }

    /** As {@link #fullBlock} without the sums, for a block whose sums {@link #exactSums} takes. */
    private static void extremesBlock(long[] acc, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            int o = slot[i] * STRIDE;
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = nanMask(bits);
            long keep = ~m & bits;
            long key = orderKey(bits);
            acc[o + ROWS]++;
            acc[o + MISSING] -= m;
            acc[o + MIN] = Math.min(acc[o + MIN], (~m & key) | (m & KEY_POSITIVE_INFINITY));
            acc[o + MAX] = Math.max(acc[o + MAX], (~m & key) | (m & KEY_NEGATIVE_INFINITY));
            long first = acc[o + FIRST];
            long unset = nanMask(first);
            acc[o + FIRST] = (first & ~unset) | (bits & unset);
            acc[o + LAST] = (acc[o + LAST] & m) | keep;
        }
    }

    /**
     * Deposits the block's values and squares into exact per-slot sums: the block had a fraction,
     * a large value or an infinity, for which plain double sums are not exact.
     */
    private static void exactSums(Slots slots, double[] v, int[] slot, int len) {
        for (int i = 0; i < len; i++) {
            double x = v[i];
            if (x == x) {
                int s = slot[i];
                slots.bigSum(s).add(x);
                ExactSum q = slots.bigSquares(s);
                double square = x * x;
                q.add(square);
                if (Double.isFinite(square)) {
                    q.add(Math.fma(x, x, -square));
                }
            }
        }
    }

    private void sketchBlock(Slots slots, double[] v, int[] slot, int len) {
        int reported = seriesOfSlot.length;
        if (spec.exactPercentiles()) {
            for (int i = 0; i < len; i++) {
                double x = v[i];
                int s = slot[i];
                if (x == x && s < reported) {
                    slots.sketch(s).accept(x);
                }
            }
            return;
        }
        long[] small = slots.smallCounts;
        for (int i = 0; i < len; i++) {
            double x = v[i];
            int s = slot[i];
            int k = Percentiles.smallIndex(x);
            if (k >= 0) {
                small[s * Percentiles.SMALL_SLOTS + k]++;
            } else if (x == x && s < reported) {
                slots.sketch(s).accept(x);
            }
        }
    }

    /**
     * The per-batch dense accumulators of the scatter kernel: {@value #STRIDE} longs per slot,
     * plus exact sums and sketches created on first use.
     */
    private static final class Slots {
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
        final int[] blockIndex = new int[BLOCK];
        /** Whether the current block went to the small-domain kernel. */
        boolean domainBlock;
        /** Scratch: the current block's values and slots, copied from the batch. */
        final double[] blockValues = new double[BLOCK];
        final int[] blockSlots = new int[BLOCK];

        Slots(int count, boolean percentiles, boolean exactPercentiles, boolean domain) {
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
            acc[o + MIN] = KEY_POSITIVE_INFINITY;
            acc[o + MAX] = KEY_NEGATIVE_INFINITY;
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

        /** Turns every slot that saw rows into a group of {@code out} in bucket {@code bucket}, and resets it. */
        void emit(QueryPartial out, long bucket, int[] seriesOfSlot) {
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
                out.min[g] = Double.longBitsToDouble(orderKey(acc[o + MIN]));
                out.max[g] = Double.longBitsToDouble(orderKey(acc[o + MAX]));
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
}
