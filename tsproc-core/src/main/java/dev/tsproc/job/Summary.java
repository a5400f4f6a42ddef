package dev.tsproc.job;

import dev.tsproc.data.Column;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CancellationException;

/**
 * Counts, exact sums of values and of their squares, and extremes of a run of consecutive rows
 * that form one group: the fast path of {@link QueryJob} for a query without series grouping or
 * filter (every built-in job is one), which copies the summary into its partial's group.
 *
 * <p>Kernels work in blocks of at most {@value BlockKernels#BLOCK} rows. Each block first takes a fast path
 * that sums in plain doubles and checks on the way that every present value is an integer of
 * magnitude at most 2^20. When that holds, every partial sum is an integer of magnitude at most
 * {@code 2048 × 2^20 = 2^31}, and every partial sum of squares one of at most
 * {@code 2048 × 2^40 = 2^51}: all below 2^53, so every addition is exact whatever the order
 * and however the additions are spread over accumulators or SIMD lanes. The block's sums then
 * enter the {@link ExactSum}s as one deposit each. Any other block (fractions, huge values,
 * infinities) is summed again exactly in {@linkplain FixedPointWindows fixed-point windows}, and
 * value by value into the {@link ExactSum}s where the windows cannot hold it. Both paths yield the
 * same exact sums, so the answer does not depend on which path a block took, on how a kernel
 * cut its rows into blocks, or on where the batches were cut. Missing values enter the fast
 * path as -0.0, which changes no sum and keeps the sign rule of IEEE sums of zeros: an exact
 * zero sum is -0.0 only if every term was -0.0, in any order, so a block's sum is -0.0 exactly
 * when every present value was.
 *
 * <p>Squares are summed exactly too: {@code x*x} is split into its rounded product and the
 * rounding error ({@code Math.fma}), both deposited; this is exact unless the square
 * underflows (|x| below 2^-511), where it is only reproducible. Counts are integers and
 * extremes ({@link Math#min}/{@link Math#max} semantics, -0.0 below +0.0) do not depend on
 * order either.
 *
 * <p>The per-block work is done by one of two {@linkplain BlockKernels kernel sets}, chosen
 * once when this class loads: {@link VectorBlockKernels} (the incubating Vector API, one
 * accumulator per SIMD lane, NaNs handled with lane masks) when the JVM can load
 * {@code jdk.incubator.vector} ({@link BlockKernels#select()} says how), else
 * {@link ScalarBlockKernels} (plain Java, branch-free NaN handling with integer bit masks).
 * Setting the system property {@value BlockKernels#PROPERTY} to {@code scalar} forces the
 * plain ones. Both give the same bits; a test holds them to it.
 *
 * <p>Not thread-safe: one batch fills one summary on one thread.
 */
final class Summary {
    /** The block kernels of this JVM. */
    private static final BlockKernels KERNELS = BlockKernels.select();

    long rows;
    long missing;
    final ExactSum sum = new ExactSum();
    final ExactSum squares = new ExactSum();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    /** The slow path's copy of a block on the heap, made on first use. */
    private double[] block;

    /** The kernels a query needs; a count needs no sums, a sum no squares or extremes. */
    enum Kernel { COUNT, SUM, FULL }

    /** Which block kernels this JVM uses: {@code "vector (…)"} or {@code "scalar"}. */
    static String kernels() {
        return KERNELS.description();
    }

    /** Summarises {@code values}, a segment of float64 values, with the given kernel. */
    static Summary of(MemorySegment values, Kernel kernel) {
        return of(values, kernel, KERNELS);
    }

    /** Summarises {@code values} with the given kernel from the given kernel set; for tests. */
    static Summary of(MemorySegment values, Kernel kernel, BlockKernels kernels) {
        Summary s = new Summary();
        s.add(values, kernel, kernels);
        return s;
    }

    private void add(MemorySegment values, Kernel kernel, BlockKernels kernels) {
        long n = values.byteSize() / Double.BYTES;
        rows += n;
        int blocksSinceCheck = 0;
        for (long from = 0; from < n; from += BlockKernels.BLOCK) {
            int len = (int) Math.min(BlockKernels.BLOCK, n - from);
            switch (kernel) {
                case COUNT -> missing += kernels.countMissing(values, from, len);
                case SUM -> kernels.sumBlock(this, values, from, len);
                case FULL -> kernels.fullBlock(this, values, from, len);
            }
            if (++blocksSinceCheck == BlockKernels.BLOCKS_PER_CHECK) {
                blocksSinceCheck = 0;
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("cancelled");
                }
            }
        }
    }

    /**
     * Adds a block's sum of values computed by a kernel's fast path.
     *
     * @param missed   missing values in the block
     * @param present  values present in the block
     * @param blockSum their exact sum, -0.0 exactly when every one was -0.0
     */
    void addSumBlock(long missed, long present, double blockSum) {
        missing += missed;
        sum.addExactBlock(blockSum, present);
    }

    /** Like {@link #addSumBlock}, with the block's exact sum of squares too. */
    void addFullBlock(long missed, long present, double blockSum, double blockSquares) {
        missing += missed;
        sum.addExactBlock(blockSum, present);
        squares.addExactBlock(blockSquares, present);
    }

    /** Adds the extremes of a block's present values. */
    void addExtremes(double lo, double hi) {
        min = Math.min(min, lo);
        max = Math.max(max, hi);
    }

    /**
     * The slow path: adds a block's missing count and the exact sums of its present values
     * through {@link FixedPointWindows}.
     */
    void depositValues(MemorySegment values, long from, int len) {
        missing += FixedPointWindows.add(heapCopy(values, from, len), 0, len, sum, null);
    }

    /**
     * The slow path with squares: adds a block's missing count and the exact sums of its present
     * values and their squares through {@link FixedPointWindows}; the kernel's pass over the
     * block made its {@code scan}.
     */
    void depositValues(MemorySegment values, long from, int len, FixedPointWindows.Scan scan) {
        missing += len - scan.present();
        FixedPointWindows.addScanned(heapCopy(values, from, len), 0, len, sum, squares, scan);
    }

    /** The block's values copied to an array of this summary's, reused from block to block. */
    double[] heapCopy(MemorySegment values, long from, int len) {
        double[] copy = block != null ? block : (block = new double[BlockKernels.BLOCK]);
        MemorySegment.copy(values, Column.VALUE_LAYOUT, from * Double.BYTES, copy, 0, len);
        return copy;
    }
}
