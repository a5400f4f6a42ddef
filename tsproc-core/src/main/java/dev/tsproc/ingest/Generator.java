package dev.tsproc.ingest;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.StoreWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Generates a store of synthetic time series from a {@link GeneratorSpec}, on several threads.
 *
 * {@snippet :
 * Generator.generate(GeneratorSpec.talk(200_000_000), Path.of("talk.tsp"), 8);
 * }
 *
 * <p>The rows are cut into fixed blocks of {@link #BLOCK_ROWS}, each drawn from its own random
 * stream seeded from the spec's seed and the block's index (see {@link BlockFiller}). Because
 * blocks, not threads, own the randomness, the store's bytes are the same for any thread count.
 * Worker threads take blocks in increasing order from a shared counter, fill them in their own
 * off-heap buffers and write each column of a block with one positional write; a block of 64Ki
 * rows is small enough to stay in cache between filling and writing and large enough that the
 * write's system call costs nothing. A {@link Distribution#WALK} walk needs each series'
 * position at a block's start, which depends on every earlier block: {@link WalkPositions}
 * carries it over in block order between two passes over the block.
 *
 * <p>The workers run in a {@link TaskGroup}, whose contract says how they are cancelled (an
 * interrupt of the calling thread, or the first failure, stops them all), how failures are
 * reported and that none outlives the call. Whatever the failure, the store is closed without
 * committing, so no partial file remains; only a complete store appears at the target, by
 * atomic rename.
 */
public final class Generator {
    /**
     * Rows per block. Part of the data's definition: changing it changes the generated values.
     * A power of two, so that per-block state stays small and blocks divide typical batches.
     */
    public static final int BLOCK_ROWS = 1 << 16;
    /** Standard deviation of a {@link Distribution#WALK} step. */
    public static final double WALK_STEP = 0.01;

    private final GeneratorSpec spec;
    private final StoreWriter writer;
    private final LongConsumer progress;
    private final long blockCount;
    private final AtomicLong nextBlock = new AtomicLong();
    private final WalkPositions walkPositions;
    private final Object progressLock = new Object();
    private long rowsDone; // guarded by progressLock

    private Generator(GeneratorSpec spec, StoreWriter writer, LongConsumer progress) {
        this.spec = spec;
        this.writer = writer;
        this.progress = progress;
        this.blockCount = (spec.rows() + BLOCK_ROWS - 1) / BLOCK_ROWS;
        this.walkPositions = new WalkPositions(spec.distribution() == Distribution.WALK ? Math.max(1, spec.series()) : 0);
    }

    /**
     * Generates the store described by {@code spec} into {@code target} using {@code threads}
     * threads. As {@link #generate(GeneratorSpec, Path, int, LongConsumer)} without progress.
     */
    public static void generate(GeneratorSpec spec, Path target, int threads) throws IOException, InterruptedException {
        generate(spec, target, threads, rowsDone -> {});
    }

    /**
     * Generates the store described by {@code spec} into {@code target} using {@code threads}
     * threads, reporting progress.
     *
     * @param progress told the number of rows written so far after each block: from worker
     *                 threads, one call at a time, with increasing counts. Workers wait for it,
     *                 so it should be quick.
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
     * @throws IOException          if the store cannot be written; nothing is left behind
     * @throws InterruptedException if the calling thread was interrupted; nothing is left behind
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public static void generate(GeneratorSpec spec, Path target, int threads, LongConsumer progress)
            throws IOException, InterruptedException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
        }
        try (StoreWriter writer = StoreWriter.create(target, spec.rows(), dictionary(spec))) {
            new Generator(spec, writer, progress).run(threads);
            writer.commit();
        } catch (ClosedByInterruptException e) {
            // The commit's writes are interruptible: the interrupt closed the file, and close() deleted it.
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException("interrupted while committing " + target);
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    /** Names {@code s0 .. s(n-1)}, zero-padded to one width so they sort in id order. */
    static SeriesDictionary dictionary(GeneratorSpec spec) {
        if (!spec.hasSeries()) {
            return SeriesDictionary.empty();
        }
        int width = Integer.toString(spec.series() - 1).length();
        List<String> names = new ArrayList<>(spec.series());
        for (int id = 0; id < spec.series(); id++) {
            String digits = Integer.toString(id);
            names.add("s" + "0".repeat(width - digits.length()) + digits);
        }
        return SeriesDictionary.of(names);
    }

    private void run(int threads) throws IOException, InterruptedException {
        try (TaskGroup workers = new TaskGroup("generator", TaskGroup.Policy.CANCEL, Thread.ofPlatform().factory())) {
            for (int i = 0; i < Math.min(threads, blockCount); i++) {
                workers.fork("tsproc-generator-" + i, this::work);
            }
            workers.join();
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
    }

    /** A worker: fills blocks until none are left or the group is cancelled. */
    private Void work() throws IOException, InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            BlockFiller filler = new BlockFiller(spec, writer, walkPositions, arena);
            for (long block; !Thread.currentThread().isInterrupted() && (block = nextBlock.getAndIncrement()) < blockCount; ) {
                int rowCount = (int) Math.min(BLOCK_ROWS, spec.rows() - block * BLOCK_ROWS);
                filler.fillAndWrite(block, rowCount);
                synchronized (progressLock) {
                    rowsDone += rowCount;
                    progress.accept(rowsDone);
                }
            }
        }
        return null;
    }
}
