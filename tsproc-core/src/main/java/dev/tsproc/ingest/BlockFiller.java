package dev.tsproc.ingest;

import dev.tsproc.data.Column;
import dev.tsproc.store.StoreWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fills and writes one block at a time into a worker's own off-heap buffers.
 *
 * <p>Block {@code b} is drawn from its own {@link SplittableRandom} (SplitMix64), seeded from
 * the spec's seed and {@code b} alone, so its rows do not depend on which thread fills it or
 * in which order blocks are filled. Within a block the draws come column by column: series ids
 * for every row, then the values. Reproducibility holds for a given {@link Generator#BLOCK_ROWS}
 * and JDK {@code nextGaussian} algorithm.
 *
 * <p>A value is missing when the top 53 bits of a draw, read as a fraction of 2<sup>53</sup>,
 * are below {@code missing}: exact for 0 and 1, and cheaper than drawing a double.
 *
 * <p>Thread confinement: one instance per worker thread, whose arena holds the buffers.
 */
final class BlockFiller {
    private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);
    private static final long NAN_BITS = Double.doubleToRawLongBits(Double.NaN);

    private final GeneratorSpec spec;
    private final StoreWriter writer;
    private final long missingThreshold;
    private final MemorySegment ts;
    private final MemorySegment values;
    private final MemorySegment series; // NULL without a series column
    private final Walk walk; // null unless the distribution is WALK

    /** The per-block state of {@link Distribution#WALK}. */
    private record Walk(WalkPositions positions, BlockSeries blockSeries, int[] rowSlots, double[] sums, double[] starts) {
        Walk(WalkPositions positions, int maxDistinct) {
            this(positions, new BlockSeries(maxDistinct), new int[Generator.BLOCK_ROWS],
                    new double[maxDistinct], new double[maxDistinct]);
        }
    }

    /** @param walkPositions the walks shared by all workers; used only for {@link Distribution#WALK} */
    BlockFiller(GeneratorSpec spec, StoreWriter writer, WalkPositions walkPositions, Arena arena) {
        this.spec = spec;
        this.writer = writer;
        this.missingThreshold = Math.round(spec.missing() * 0x1p53);
        this.ts = StoreWriter.allocateChunk(arena, Column.TS, Generator.BLOCK_ROWS);
        this.values = StoreWriter.allocateChunk(arena, Column.VALUE, Generator.BLOCK_ROWS);
        this.series = spec.hasSeries() ? StoreWriter.allocateChunk(arena, Column.SERIES, Generator.BLOCK_ROWS) : MemorySegment.NULL;
        this.walk = spec.distribution() == Distribution.WALK
                ? new Walk(walkPositions, Math.min(Math.max(1, spec.series()), Generator.BLOCK_ROWS))
                : null;
    }

    /**
     * Fills block {@code blockIndex} and writes it to the store.
     *
     * @throws InterruptedException if interrupted while a walk waits for its turn; nothing was written
     */
    void fillAndWrite(long blockIndex, int rowCount) throws IOException, InterruptedException {
        long firstRow = blockIndex * Generator.BLOCK_ROWS;
        SplittableRandom random = new SplittableRandom(blockSeed(spec.seed(), blockIndex));
        fillTimestamps(firstRow, rowCount);
        if (spec.hasSeries()) {
            fillSeries(random, rowCount);
        }
        switch (spec.distribution()) {
            case TALK -> fillTalk(random, rowCount);
            case GAUSS -> fillGauss(random, rowCount);
            case WALK -> fillWalk(blockIndex, random, rowCount);
        }
        writer.write(Column.TS, firstRow, ts.asSlice(0, Column.TS.byteSize(rowCount)));
        writer.write(Column.VALUE, firstRow, values.asSlice(0, Column.VALUE.byteSize(rowCount)));
        if (spec.hasSeries()) {
            writer.write(Column.SERIES, firstRow, series.asSlice(0, Column.SERIES.byteSize(rowCount)));
        }
    }

    /**
     * The seed of block {@code blockIndex}: both inputs pass through the SplitMix64 finalizer,
     * so neighbouring blocks and neighbouring seeds get unrelated streams.
     */
    static long blockSeed(long seed, long blockIndex) {
        return mix64(mix64(seed) + 0x9E3779B97F4A7C15L * (blockIndex + 1));
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer, as in SplitMix64. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private boolean isMissing(long draw) {
        return draw >>> 11 < missingThreshold;
    }

    private void fillTimestamps(long firstRow, int rowCount) {
        MemorySegment out = ts;
        long nanos = GeneratorSpec.START_NANOS + firstRow * GeneratorSpec.STEP_NANOS;
        for (int i = 0; i < rowCount; i++) {
            out.setAtIndex(Column.TS_LAYOUT, i, nanos);
            nanos += GeneratorSpec.STEP_NANOS;
        }
    }

    private void fillSeries(SplittableRandom random, int rowCount) {
        MemorySegment out = series;
        int seriesCount = spec.series();
        for (int i = 0; i < rowCount; i++) {
            out.setAtIndex(Column.SERIES_LAYOUT, i, random.nextInt(seriesCount));
        }
    }

    /**
     * {@link #isMissing} without a branch: a branch taken at random for a third of the rows
     * mispredicts often, and this loop is the whole cost of the talk's data.
     */
    private void fillTalk(SplittableRandom random, int rowCount) {
        MemorySegment out = values;
        for (int i = 0; i < rowCount; i++) {
            long draw = random.nextLong();
            long missingMask = ((draw >>> 11) - missingThreshold) >> 63; // all ones when missing
            long bits = (draw & 1) * ONE_BITS & ~missingMask | NAN_BITS & missingMask;
            out.setAtIndex(Column.VALUE_LAYOUT, i, Double.longBitsToDouble(bits));
        }
    }

    private void fillGauss(SplittableRandom random, int rowCount) {
        MemorySegment out = values;
        for (int i = 0; i < rowCount; i++) {
            out.setAtIndex(Column.VALUE_LAYOUT, i, isMissing(random.nextLong()) ? Double.NaN : random.nextGaussian());
        }
    }

    /**
     * Pass 1 draws every row's step into the value buffer and sums the steps per series; the
     * walk positions then give each series' start; pass 2 replaces each step by its series'
     * position, {@code start + (sum of its steps so far in the block)}. Summing from 0 in both
     * passes makes a block's last position equal the next block's start exactly. Missing rows
     * are drawn last and overwritten with NaN: they took their step all the same.
     */
    private void fillWalk(long blockIndex, SplittableRandom random, int rowCount) throws InterruptedException {
        MemorySegment out = values;
        BlockSeries blockSeries = walk.blockSeries;
        int[] rowSlots = walk.rowSlots;
        double[] sums = walk.sums;
        Arrays.fill(sums, 0, blockSeries.count(), 0);
        blockSeries.clear();
        for (int i = 0; i < rowCount; i++) {
            int slot = blockSeries.slotOf(spec.hasSeries() ? series.getAtIndex(Column.SERIES_LAYOUT, i) : 0);
            double step = Generator.WALK_STEP * random.nextGaussian();
            out.setAtIndex(Column.VALUE_LAYOUT, i, step);
            rowSlots[i] = slot;
            sums[slot] += step;
        }
        walk.positions.advance(blockIndex, blockSeries.ids(), sums, walk.starts, blockSeries.count());
        double[] starts = walk.starts;
        Arrays.fill(sums, 0, blockSeries.count(), 0);
        for (int i = 0; i < rowCount; i++) {
            int slot = rowSlots[i];
            sums[slot] += out.getAtIndex(Column.VALUE_LAYOUT, i);
            out.setAtIndex(Column.VALUE_LAYOUT, i, starts[slot] + sums[slot]);
        }
        for (int i = 0; i < rowCount; i++) {
            if (isMissing(random.nextLong())) {
                out.setAtIndex(Column.VALUE_LAYOUT, i, Double.NaN);
            }
        }
    }
}
