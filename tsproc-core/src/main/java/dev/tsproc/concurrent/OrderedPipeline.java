package dev.tsproc.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbered items made on several threads and used one by one in their order — blocks of an
 * export formatted in parallel and written to one file in sequence.
 *
 * {@snippet :
 * OrderedPipeline.run("export", blocks, threads, block -> format(block), (block, bytes) -> out.write(bytes));
 * }
 *
 * <p>All threads run in one {@link TaskGroup.Policy#CANCEL} group: an interrupt or the first
 * failure stops them all. At most two items per making thread are in flight, so memory stays
 * bounded however far the user lags.
 */
public final class OrderedPipeline {
    /** Makes item {@code index}; called on any of the making threads. */
    @FunctionalInterface
    public interface Maker<T> {
        T make(long index) throws Exception;
    }

    /** Uses item {@code index}; called on one thread, for index 0, 1, 2, ... in turn. */
    @FunctionalInterface
    public interface User<T> {
        void use(long index, T item) throws Exception;
    }

    private OrderedPipeline() {}

    /**
     * Makes items {@code 0 .. count-1} on {@code threads} threads and uses each in order.
     *
     * @throws TaskGroupException   if making or using an item failed, holding the failures
     * @throws InterruptedException if the calling thread was interrupted; every thread has ended
     */
    public static <T> void run(String name, long count, int threads, Maker<T> maker, User<T> user)
            throws InterruptedException, TaskGroupException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
        }
        int window = threads * 2;
        // Item i goes to slot i % window; a permit per item between taken and used keeps the
        // items in flight within [used, used + window), so no two share a slot.
        Semaphore inFlight = new Semaphore(window);
        List<BlockingQueue<T>> slots = new ArrayList<>(window);
        for (int i = 0; i < window; i++) {
            slots.add(new ArrayBlockingQueue<>(1));
        }
        AtomicLong next = new AtomicLong();
        try (TaskGroup group = new TaskGroup(name, TaskGroup.Policy.CANCEL, Thread.ofPlatform().factory())) {
            for (int t = 0; t < Math.min(threads, count); t++) {
                group.fork("tsproc-" + name + "-" + t, () -> {
                    while (true) {
                        inFlight.acquire();
                        long index = next.getAndIncrement();
                        if (index >= count) {
                            return null;
                        }
                        slots.get((int) (index % window)).put(maker.make(index));
                    }
                });
            }
            group.fork("tsproc-" + name + "-writer", () -> {
                for (long index = 0; index < count; index++) {
                    user.use(index, slots.get((int) (index % window)).take());
                    inFlight.release();
                }
                return null;
            });
            group.join();
        }
    }
}
