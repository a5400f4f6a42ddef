package dev.tsproc.bench;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The floor a NaN-skipping sum is measured against: the fastest plain read of the same bytes we
 * can write, a sum of the value column with no NaN handling on the same number of threads. Two
 * versions, both memory-bound on the machines we measured: a Vector API sum with
 * four vector accumulators, and a scalar sum with four accumulators. {@link SumBench} takes the
 * faster of the two in each repetition, so the floor is as low as we can make it.
 *
 * <p>Its result is NaN on data with missing values; it is returned only so the JIT cannot drop
 * the reads.
 */
final class Floor {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfDouble VALUE = ValueLayout.JAVA_DOUBLE.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Rows per inner loop; an int-indexed inner loop compiles to tighter code than one long loop. */
    private static final int BLOCK = 2048;
    /** Rows a thread claims at a time: the job's default batch size. */
    static final long CHUNK_ROWS = 1 << 20;

    private Floor() {}

    /** Which plain sum. */
    enum Kind { VECTOR, SCALAR }

    /**
     * The plain sum of {@code values} (float64) on {@code threads} platform threads, which
     * claim chunks of {@value #CHUNK_ROWS} rows from a shared counter as the job's workers
     * claim batches, so that a thread the OS preempts does not hold the others up.
     *
     * @throws IllegalStateException if a thread failed, e.g. on a confined segment
     */
    static double sum(MemorySegment values, int threads, Kind kind) throws InterruptedException {
        long rows = values.byteSize() / Double.BYTES;
        AtomicLong nextChunk = new AtomicLong();
        DoubleAdder total = new DoubleAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().name("floor-" + t).start(() -> {
                try {
                    double sum = 0;
                    for (long from; (from = nextChunk.getAndIncrement() * CHUNK_ROWS) < rows; ) {
                        sum += range(values, from, Math.min(rows, from + CHUNK_ROWS), kind);
                    }
                    total.add(sum);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a floor thread failed", failure.get());
        }
        return total.sum();
    }

    /** The plain sum of rows {@code [from, to)} on the calling thread. */
    static double range(MemorySegment values, long from, long to, Kind kind) {
        double total = 0;
        for (long block = from; block < to; block += BLOCK) {
            int len = (int) Math.min(BLOCK, to - block);
            total += kind == Kind.VECTOR ? vectorBlock(values, block, len) : scalarBlock(values, block, len);
        }
        return total;
    }

    private static double vectorBlock(MemorySegment values, long from, int len) {
        int vectorBytes = SPECIES.vectorByteSize();
        // Accumulators made here, not taken from static constants, and an int byte offset added
        // to a long base: the shapes C2 compiles best (see VectorBlockKernels in tsproc-core).
        DoubleVector a = DoubleVector.zero(SPECIES), b = a, c = a, d = a;
        long base = from * Double.BYTES;
        int bytes = len * Double.BYTES;
        int offset = 0;
        for (; offset <= bytes - 4 * vectorBytes; offset += 4 * vectorBytes) {
            a = a.add(DoubleVector.fromMemorySegment(SPECIES, values, base + offset, ORDER));
            b = b.add(DoubleVector.fromMemorySegment(SPECIES, values, base + offset + vectorBytes, ORDER));
            c = c.add(DoubleVector.fromMemorySegment(SPECIES, values, base + offset + 2 * vectorBytes, ORDER));
            d = d.add(DoubleVector.fromMemorySegment(SPECIES, values, base + offset + 3 * vectorBytes, ORDER));
        }
        double total = a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
        for (; offset < bytes; offset += Double.BYTES) {
            total += values.get(VALUE, base + offset);
        }
        return total;
    }

    private static double scalarBlock(MemorySegment values, long from, int len) {
        double a = 0, b = 0, c = 0, d = 0;
        long base = from * Double.BYTES;
        int bytes = len * Double.BYTES;
        int offset = 0;
        for (; offset <= bytes - 4 * Double.BYTES; offset += 4 * Double.BYTES) {
            a += values.get(VALUE, base + offset);
            b += values.get(VALUE, base + offset + 8);
            c += values.get(VALUE, base + offset + 16);
            d += values.get(VALUE, base + offset + 24);
        }
        for (; offset < bytes; offset += Double.BYTES) {
            a += values.get(VALUE, base + offset);
        }
        return (a + b) + (c + d);
    }
}
