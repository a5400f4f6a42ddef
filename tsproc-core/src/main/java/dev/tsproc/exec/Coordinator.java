package dev.tsproc.exec;

import dev.tsproc.job.Job;
import dev.tsproc.store.Store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a job over a store on a pool of worker threads and combines the partials in batch order.
 *
 * {@snippet :
 * try (Store store = Store.open(path)) {
 *     RunResult<Stats> run = Coordinator.run(store, BuiltinJob.named("stats"), RunOptions.defaults());
 *     System.out.println(run.result());
 * }
 * }
 *
 * <p>Workers pull batch indexes from a shared counter, map zero-copy views of their batches and
 * hand partials to the coordinator (the calling thread), which combines them strictly in batch
 * order as they become contiguous. At most {@code 4 × workers} batches may be done but not yet
 * combined: a worker that gets that far ahead waits, so memory stays bounded however many
 * batches there are.
 *
 * <p>All workers run in one {@link TaskGroup}. A failing batch cancels the others (or, under
 * {@link TaskGroup.Policy#COLLECT}, the remaining batches still run) and the run throws a
 * {@link JobFailedException} with every failure; no result is produced from a failed run.
 * Interrupting the calling thread cancels the run; it returns only when every worker has ended.
 */
public final class Coordinator {
    private Coordinator() {}

    private sealed interface Event {}
    private record Done(long batchIndex, Object partial) implements Event {}
    private record WorkerEnded() implements Event {}

    /**
     * Runs {@code job} over every row of {@code store}.
     *
     * @throws JobFailedException   if a batch failed
     * @throws InterruptedException if the calling thread was interrupted; every worker has
     *                              ended when this is thrown
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, RunOptions options)
            throws JobFailedException, InterruptedException {
        return run(store, job, options, 0, store.rowCount());
    }

    /**
     * Runs {@code job} over rows {@code [firstRow, rowEnd)} of {@code store} only (a query's time
     * range); batches are cut from {@code firstRow}.
     *
     * @throws JobFailedException   if a batch failed
     * @throws InterruptedException if the calling thread was interrupted; every worker has
     *                              ended when this is thrown
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, RunOptions options, long firstRow, long rowEnd)
            throws JobFailedException, InterruptedException {
        if (firstRow < 0 || rowEnd < firstRow || rowEnd > store.rowCount()) {
            throw new IllegalArgumentException("rows [" + firstRow + ", " + rowEnd + ") are not within the store's "
                    + store.rowCount() + " rows");
        }
        Plan plan = new Plan(firstRow, rowEnd - firstRow, options.batchRows());
        long batchCount = plan.batchCount();
        int workers = (int) Math.max(1, Math.min(options.workers(), batchCount));
        long start = System.nanoTime();
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Semaphore window = new Semaphore(4 * workers);
        AtomicLong next = new AtomicLong();
        P combined = job.empty();
        try (TaskGroup group = new TaskGroup("job " + job.name(), options.onFailure(), Thread.ofPlatform().factory())) {
            for (int w = 1; w <= workers; w++) {
                String worker = "worker-" + w;
                group.fork(worker, () -> {
                    try {
                        work(store, job, plan, next, window, events, worker);
                        return null;
                    } finally {
                        events.add(new WorkerEnded());
                    }
                });
            }
            Map<Long, P> waiting = new HashMap<>();
            long frontier = 0;
            int running = workers;
            while (running > 0) {
                Event event = events.take();
                if (event instanceof Done(long index, Object partial)) {
                    @SuppressWarnings("unchecked") P p = (P) partial;
                    waiting.put(index, p);
                    for (P ready; (ready = waiting.remove(frontier)) != null; frontier++) {
                        combined = job.combine(combined, ready);
                        window.release();
                    }
                } else {
                    running--;
                }
            }
            try {
                group.join();
            } catch (TaskGroupException e) {
                throw failed(job, e);
            }
            if (frontier != batchCount) {
                throw new IllegalStateException("combined " + frontier + " of " + batchCount + " batches");
            }
        }
        R result = job.finish(combined);
        return new RunResult<>(result, plan.rowCount(), batchCount, workers, Duration.ofNanos(System.nanoTime() - start));
    }

    private static <P> void work(Store store, Job<P, ?> job, Plan plan, AtomicLong next, Semaphore window,
                                 LinkedBlockingQueue<Event> events, String worker) throws InterruptedException {
        while (true) {
            // Take a window slot before claiming a batch: a claimed batch must never wait for a
            // slot, or the batch the coordinator needs next could wait behind later ones forever.
            window.acquire();
            long index = next.getAndIncrement();
            if (index >= plan.batchCount()) {
                window.release();
                return;
            }
            Batch batch = plan.batch(index);
            P partial;
            try {
                partial = job.map(store.view(batch.index(), batch.rowOffset(), batch.rowCount()));
            } catch (CancellationException e) {
                throw e;
            } catch (InternalError e) {
                // A mapped file that shrank under us faults on access; the JVM reports it this way.
                throw new BatchFailedException(batch, worker,
                        new java.io.IOException(store.path() + " was truncated or removed while being read", e));
            } catch (Throwable t) {
                throw new BatchFailedException(batch, worker, t);
            }
            events.add(new Done(batch.index(), partial));
        }
    }

    private static JobFailedException failed(Job<?, ?> job, TaskGroupException e) {
        List<BatchFailedException> failures = new ArrayList<>();
        for (TaskGroup.Failure f : e.failures()) {
            failures.add(f.error() instanceof BatchFailedException b ? b
                    : new BatchFailedException(new Batch(-1, 0, 0), f.task(), f.error()));
        }
        return new JobFailedException(job.name(), failures);
    }
}
