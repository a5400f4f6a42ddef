package dev.tsproc.ingest.csv;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs tasks numbered {@code 0 .. count-1} on a few platform threads, in increasing order of
 * number, and returns when every thread has ended.
 *
 * <p><b>Cancellation.</b> Threads are never interrupted: an interrupt during a positional write
 * would close the store's file channel under every other thread. Instead a flag stops them
 * before their next task (tasks poll {@link #stopped()} for long work). If the calling thread
 * is interrupted while waiting, the flag is raised, the threads are awaited, and
 * {@link InterruptedException} is thrown.
 *
 * <p><b>Exception handling.</b> The first exception of any task stops the others and is
 * rethrown by {@link #run} once all threads have ended.
 */
final class ParallelTasks {
    /** A numbered task. */
    @FunctionalInterface
    interface Task {
        void run(int index) throws Exception;
    }

    private final String name;
    private volatile boolean stopped;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    ParallelTasks(String name) {
        this.name = name;
    }

    /** Whether the tasks should stop: a task failed or the caller was interrupted. */
    boolean stopped() {
        return stopped;
    }

    /** Asks every thread to stop before its next task. */
    void stop() {
        stopped = true;
    }

    /** Runs tasks {@code 0 .. count-1} on at most {@code threads} threads. */
    void run(int threads, int count, Task task) throws IOException, InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(threads, count); i++) {
            workers.add(Thread.ofPlatform().name(name + "-" + i).start(() -> {
                try {
                    for (int index; !stopped && (index = next.getAndIncrement()) < count; ) {
                        task.run(index);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    stopped = true;
                }
            }));
        }
        join(workers);
        Throwable first = failure.get();
        if (first != null) {
            rethrow(first);
        }
    }

    /** Waits for {@code workers}; on interrupt, stops them, waits, and throws. */
    void join(List<Thread> workers) throws InterruptedException {
        try {
            for (Thread worker : workers) {
                worker.join();
            }
        } catch (InterruptedException e) {
            stopped = true;
            for (Thread worker : workers) {
                while (worker.isAlive()) {
                    try {
                        worker.join();
                    } catch (InterruptedException again) {
                        // still waiting: the threads stop at their next check of the flag
                    }
                }
            }
            throw e;
        }
    }

    /** Records a failure from a thread this object did not start. */
    void fail(Throwable t) {
        failure.compareAndSet(null, t);
        stopped = true;
    }

    /** The first failure recorded, or null. */
    Throwable failure() {
        return failure.get();
    }

    static void rethrow(Throwable failure) throws IOException, InterruptedException {
        switch (failure) {
            case IOException e -> throw e;
            case InterruptedException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException("an import thread failed", failure);
        }
    }
}
