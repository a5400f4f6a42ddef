package dev.tsproc.job;

import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.data.TimeSearch;
import dev.tsproc.store.Store;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A query as a {@link Job}: per batch, aggregates per group (time bucket, series) in dense
 * per-batch arrays; partials combined in batch order; finished into a {@link QueryResult}.
 *
 * {@snippet :
 * QueryJob job = QueryJob.on(store, spec);
 * // run it over the rows in spec's time range, e.g. Tsproc.of(store).run(job, JobRequest.query(spec), options)
 * }
 *
 * <p><b>How a batch is aggregated.</b> Timestamps are sorted, so a batch splits into runs of
 * rows that share a time bucket; each run's end is found by galloping search on {@code ts}, not
 * by reading every timestamp. A run is aggregated in one of two ways:
 * <ul>
 * <li><i>Contiguous</i> — no series grouping or filter: the run is one group, summarised by the
 *     whole-column block kernels of {@link Summary} (vectorised where the JVM allows); first and
 *     last are found by looking in from both ends. A whole-column query, such as every
 *     {@linkplain BuiltinJob built-in job}, is one such run per batch: this is its fast path.
 * <li><i>Scatter</i> — by series, or filtered by series: the block's values and series ids are
 *     copied to the heap (a memcpy), then every row adds to the slot of its series in one dense
 *     {@code long[]}, eight longs (one cache line) per slot: rows, missing, sum and sum of squares
 *     (bits of doubles), min and max (integer order keys, so an extreme is a compare-and-move),
 *     first and last (raw bits). Rows of excluded series go to a spare slot that is never
 *     reported. NaN is handled by integer masks, with no data-dependent branch (missing values
 *     at random would mispredict a third of the time). Sums in the slot are exact while every
 *     value of a 2048-row block is an integer of magnitude at most 2^16 (each square then is at
 *     most 2^32 and a slot's sums stay below 2^53 over 2^20 rows; longer runs are folded into an
 *     {@link ExactSum} every 2^20 rows); any other block's rows add their values, and squares,
 *     to fixed-point windows of their slot, scaled to the slot's largest value
 *     ({@link SlotWindows}: a few flops and adds a row, exact), which enter the slot's
 *     {@link ExactSum}s every 4096 values and when the run ends. A block whose values are all
 *     integers in [-8, 7] or NaN (flags, states, small counts, the talk's 0/1) instead
 *     increments one cell per row of its slot's histogram
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
public final class QueryJob implements Job<QueryPartial, QueryResult>, PartialCodec<QueryPartial> {
    /** The job's name, in reports, unless it is a built-in job. */
    public static final String JOB_NAME = "query";
    private static final long FOLD_ROWS = 1L << 20;

    /** {@link #JOB_NAME}, or the name of the built-in job this is, which worker processes create it by. */
    private final String name;
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
    /** Whether sums of squares are needed (for stddev). */
    private final boolean squares;
    private final boolean extremes;
    private final boolean ends;
    private final boolean percentiles;
    private final double[] quantiles;
    private final Summary.Kernel kernel;
    /** Whether the scatter kernel may count small-domain blocks in per-slot histograms. */
    private final boolean smallDomain;
    /** Whether the contiguous kernel's {@link Summary} computes min and max. */
    private final boolean summaryExtremes;
    /**
     * Scatter tables of batches that finished, each left empty by its last emit, for the next
     * batch to reuse: a table's queues grow to 20 MB or more, and a table made afresh per batch
     * had the JVM take fresh heap pages for them (docs/BENCHMARKS.md, "p99 by series on float
     * data"). At most one per worker thread; a batch that fails drops its table.
     */
    private final Queue<SlotTable> idleTables = new ConcurrentLinkedQueue<>();

    private QueryJob(String name, QuerySpec spec, SeriesDictionary dictionary, boolean hasSeries) {
        this.name = name;
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
        this.squares = stddev;
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
        return of(spec, store.dictionary(), store.hasSeries());
    }

    /** As {@link #on(Store, QuerySpec)} from the store's dictionary and whether it has a series column. */
    public static QueryJob of(QuerySpec spec, SeriesDictionary dictionary, boolean hasSeries) {
        return new QueryJob(JOB_NAME, spec, dictionary, hasSeries);
    }

    /**
     * The built-in job {@code name} ({@link BuiltinJob#named}). {@code spec} must neither group
     * nor filter by series, so the job needs no store's dictionary.
     */
    static QueryJob builtin(String name, QuerySpec spec) {
        return new QueryJob(name, spec, SeriesDictionary.empty(), false);
    }

    /**
     * Which block kernels this JVM's whole-column path uses, for reports and benchmarks:
     * {@code "vector (…)"} or {@code "scalar"}.
     */
    public static String kernels() {
        return Summary.kernels();
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

    @Override
    public String name() {
        return name;
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
    public void writePartial(QueryPartial partial, DataOutput out) throws IOException {
        QueryPartialCodec.write(partial, percentiles, out);
    }

    @Override
    public QueryPartial readPartial(DataInput in) throws IOException {
        return QueryPartialCodec.read(in, percentiles, spec.exactPercentiles());
    }

    @Override
    public QueryPartial map(BatchView batch) {
        QueryPartial out = new QueryPartial(percentiles, spec.exactPercentiles(), scatter ? slotCount : 4);
        TimeBuckets buckets = spec.buckets();
        MemorySegment ts = buckets != null ? batch.ts() : null; // a column not read is not checked (BatchView)
        MemorySegment values = batch.values();
        long n = batch.rowCount();
        SlotTable slots = !scatter ? null : idleTables.poll();
        if (scatter && slots == null) {
            slots = new SlotTable(slotCount, percentiles, spec.exactPercentiles(), smallDomain, squares, ends, sums);
        }
        long previous = Long.MIN_VALUE;
        for (long from = 0; from < n; ) {
            long bucket = 0;
            long to = n;
            if (buckets != null) {
                bucket = buckets.bucketOf(ts.getAtIndex(Column.TS_LAYOUT, from));
                if (bucket < previous) {
                    throw new IllegalStateException("timestamps are not ascending at row " + (batch.rowOffset() + from));
                }
                previous = bucket;
                long next = buckets.nextStart(bucket);
                to = next == Long.MAX_VALUE ? n : TimeSearch.gallop(ts, from + 1, n, next);
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
        if (slots != null) {
            idleTables.add(slots);
        }
        return out;
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
            double[] block = new double[BlockKernels.BLOCK];
            for (long start = 0; start < n; start += BlockKernels.BLOCK) {
                int len = (int) Math.min(BlockKernels.BLOCK, n - start);
                MemorySegment.copy(run, Column.VALUE_LAYOUT, start * Double.BYTES, block, 0, len);
                if (!summaryExtremes) {
                    SlotKernels.extremes(block, len, out, g);
                }
                p.acceptAll(block, len); // overwrites the block
                if ((start & 0xFFFF) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("cancelled");
                }
            }
        }
    }

    private void scatterRun(SlotTable slots, MemorySegment values, MemorySegment series, long from, long to) {
        double[] v = slots.blockValues;
        int[] slot = slots.blockSlots;
        int[] slotOf = slotOfSeries;
        int blocks = 0;
        long sinceFold = 0;
        for (long start = from; start < to; start += BlockKernels.BLOCK) {
            int len = (int) Math.min(BlockKernels.BLOCK, to - start);
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
            slots.domainBlock = slots.domain != null && SlotKernels.smallDomain(v, slots.blockIndex, len);
            if (slots.domainBlock) {
                SlotKernels.domainBlock(slots, slot, len);
            } else if (!sums && !extremes && !ends) {
                SlotKernels.countBlock(acc, v, slot, len);
            } else if (slots.rowsInQueue()) {
                slots.deferRows(v, slot, len);
            } else if (!sums) {
                if (ends) {
                    SlotKernels.extremesBlock(acc, v, slot, len);
                } else {
                    SlotKernels.minMaxBlock(acc, v, slot, len);
                }
            } else if (SlotKernels.fastBlock(v, len)) {
                if (ends) {
                    SlotKernels.fullBlock(acc, v, slot, len);
                } else {
                    SlotKernels.statsBlock(acc, v, slot, len);
                }
            } else {
                slots.addFloats(v, slot, len);
                if (ends) {
                    SlotKernels.endsBlock(acc, v, slot, len);
                }
            }
            if (percentiles && !slots.domainBlock && !slots.rowsInQueue()) {
                sketchBlock(slots, v, slot, len);
            }
            sinceFold += len;
            if (sinceFold >= FOLD_ROWS) {
                slots.foldSums();
                sinceFold = 0;
            }
            if (++blocks == BlockKernels.BLOCKS_PER_CHECK) {
                blocks = 0;
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("cancelled");
                }
            }
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

    private void sketchBlock(SlotTable slots, double[] v, int[] slot, int len) {
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
                slots.defer(s, x);
            }
        }
    }

}
