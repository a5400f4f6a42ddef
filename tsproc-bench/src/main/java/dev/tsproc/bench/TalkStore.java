package dev.tsproc.bench;

import dev.tsproc.data.Column;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The talk's workload (values from {0, 1, missing}, seed 42) generated into a store in shared
 * memory, opened, and with its value column's pages touched once, so that no timed run pays
 * for page faults. Closing it removes everything it made.
 */
final class TalkStore implements AutoCloseable {
    private static final long PAGE_BYTES = 4096;

    private final SharedSegments shm;
    private final Store store;
    private final double generateSeconds;

    private TalkStore(SharedSegments shm, Store store, double generateSeconds) {
        this.shm = shm;
        this.store = store;
        this.generateSeconds = generateSeconds;
    }

    /** Generates {@code rows} rows on {@code threads} threads and opens the store. */
    static TalkStore create(long rows, int threads) throws IOException, InterruptedException {
        SharedSegments shm = SharedSegments.create();
        try {
            long start = System.nanoTime();
            var path = shm.newStorePath();
            Generator.generate(GeneratorSpec.talk(rows), path, threads);
            double seconds = (System.nanoTime() - start) / 1e9;
            Store store = Store.open(path);
            touch(store.column(Column.VALUE));
            return new TalkStore(shm, store, seconds);
        } catch (IOException | InterruptedException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** Reads one byte of every page of {@code segment}, mapping it into this process. */
    private static long touch(MemorySegment segment) {
        long sum = 0;
        for (long offset = 0; offset < segment.byteSize(); offset += PAGE_BYTES) {
            sum += segment.get(ValueLayout.JAVA_BYTE, offset);
        }
        return sum;
    }

    Store store() {
        return store;
    }

    /** The whole value column. */
    MemorySegment values() {
        return store.column(Column.VALUE);
    }

    double generateSeconds() {
        return generateSeconds;
    }

    @Override
    public void close() throws IOException {
        try {
            store.close();
        } finally {
            shm.close();
        }
    }
}
