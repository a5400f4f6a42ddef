package dev.tsproc.exec;

import dev.tsproc.exec.process.MemorySample;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.Job;
import dev.tsproc.job.JobSpec;
import dev.tsproc.store.Store;

import java.io.IOException;
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
 * Runs a job over a store on an {@link Executor}'s workers and combines the partials in batch
 * order.
 *
 * {@snippet :
 * try (Store store = Store.open(path)) {
 *     RunResult<Stats> run = Coordinator.run(store, BuiltinJob.named("stats"), RunOptions.defaults());
 *     System.out.println(run.result());
 * }
 * }
 *
 * <p>Each worker has a task (a thread of the coordinator) that pulls batch indexes from a
 * shared counter and has its worker run them — in that thread for {@link ThreadExecutor}, in a
 * worker JVM for {@link ProcessExecutor} — and hands the partials to the coordinator (the
 * calling thread), which combines them strictly in batch order as they become contiguous. At
 * most {@code 4 × workers} batches may be done but not yet combined: a task that gets that far
 * ahead waits, so memory stays bounded however many batches there are. The answer depends on
 * the plan only, never on the executor, the transfer or the number of workers.
 *
 * <p>All tasks run in one {@link TaskGroup}. A failing batch cancels the others (or, under
 * {@link TaskGroup.Policy#COLLECT}, the remaining batches still run) and the run throws a
 * {@link JobFailedException} with every failure; no result is produced from a failed run.
 * Interrupting the calling thread cancels the run — in worker processes too — and it returns
 * only when every task has ended.
 *
 * <p>Every batch's times and memory are recorded in the result's {@link Timeline}.
 */
public final class Coordinator {
    private Coordinator() {}

    private sealed interface Event {}
    private record Done(long batchIndex, Object partial) implements Event {}
    private record WorkerEnded() implements Event {}

    /**
     * Runs {@code job} over every row of {@code store} with the executor and transfer of
     * {@code options}. Worker processes, if asked for, are started for this run and ended
     * after it; they create the job from its name, so only built-in jobs can run in them this
     * way — use {@link #run(Store, JobSpec, RunOptions)} for others.
     *
     * @throws JobFailedException        if a batch failed
     * @throws InterruptedException      if the calling thread was interrupted; every worker has
     *                                   ended when this is thrown
     * @throws IllegalArgumentException  if worker processes are asked for a job that is not built in
     * @throws java.io.UncheckedIOException if worker processes could not be started
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, RunOptions options)
            throws JobFailedException, InterruptedException {
        JobSpec spec = job instanceof BuiltinJob ? JobSpec.builtin(job.name()) : null;
        if (spec == null && options.executor() == Executor.Kind.PROCESSES) {
            throw new IllegalArgumentException("job " + job.name() + " has no JobSpec, so it cannot run in worker processes");
        }
        try (Executor executor = executorFor(options, store)) {
            return run(store, job, spec, options, executor);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Loads the job {@code spec} names and runs it as {@link #run(Store, Job, RunOptions)} does.
     *
     * @throws IllegalArgumentException if the job cannot be loaded
     * @throws IOException              if worker processes could not be started or open the job
     */
    public static RunResult<?> run(Store store, JobSpec spec, RunOptions options)
            throws JobFailedException, InterruptedException, IOException {
        try (JobSpec.Loaded loaded = spec.load();
             Executor executor = executorFor(options, store)) {
            return run(store, loaded.job(), spec, options, executor);
        }
    }

    /** The executor {@code options} ask for, with no more workers than the store has batches. */
    private static Executor executorFor(RunOptions options, Store store) throws IOException, InterruptedException {
        int workers = options.workersFor(store.rowCount());
        return switch (options.executor()) {
            case THREADS -> new ThreadExecutor(workers);
            case PROCESSES -> ProcessExecutor.start(workers,
                    ProcessExecutor.Config.defaults().withAllowedStores(List.of(store.path())));
        };
    }

    /**
     * Runs {@code job} over every row of {@code store} on {@code executor}'s workers (at most
     * {@code options.workers()} of them), with {@code options}' transfer. The executor is left
     * open for further jobs.
     *
     * @param spec the job by name; needed by worker processes, ignored by threads
     * @throws JobFailedException   if a batch failed
     * @throws InterruptedException if the calling thread was interrupted; every task has ended
     *                              and every worker has stopped its batch when this is thrown
     * @throws IOException          if the workers could not open the job
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, JobSpec spec, RunOptions options, Executor executor)
            throws JobFailedException, InterruptedException, IOException {
        Plan plan = new Plan(store.rowCount(), options.batchRows());
        int workers = Math.min(options.workersFor(store.rowCount()), executor.workers());
        long start = System.nanoTime();
        Timeline timeline = new Timeline(start);
        try (Executor.Session<P> session = executor.open(store, job, spec, options.transfer(), workers)) {
            boolean workersElsewhere = executor.kind() != Executor.Kind.THREADS;
            R result = job.finish(combineAll(session, job, plan, options.onFailure(), timeline, workersElsewhere));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            session.close(); // the result is ready; ending the job in the workers is clean-up
            timeline.workers(session.reports());
            return new RunResult<>(result, plan.rowCount(), plan.batchCount(), session.runners().size(), elapsed, timeline);
        }
    }

    /**
     * Runs every batch of {@code plan} on the session's workers, combining partials in batch
     * order. With {@code workersElsewhere}, the coordinator samples its own memory as batches
     * end; otherwise the batches' samples are already its own.
     */
    private static <P> P combineAll(Executor.Session<P> session, Job<P, ?> job, Plan plan, TaskGroup.Policy onFailure,
                                    Timeline timeline, boolean workersElsewhere) throws JobFailedException, InterruptedException {
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Semaphore window = new Semaphore(4 * session.runners().size());
        AtomicLong next = new AtomicLong();
        P combined = job.empty();
        try (TaskGroup group = new TaskGroup("job " + job.name(), onFailure, Thread.ofPlatform().factory())) {
            for (Executor.BatchRunner<P> runner : session.runners()) {
                group.fork(runner.worker(), () -> {
                    try {
                        work(runner, plan, next, window, events, timeline, workersElsewhere);
                        return null;
                    } finally {
                        events.add(new WorkerEnded());
                    }
                });
            }
            Map<Long, P> waiting = new HashMap<>();
            long frontier = 0;
            int running = session.runners().size();
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
            if (frontier != plan.batchCount()) {
                throw new IllegalStateException("combined " + frontier + " of " + plan.batchCount() + " batches");
            }
        }
        return combined;
    }

    private static <P> void work(Executor.BatchRunner<P> runner, Plan plan, AtomicLong next, Semaphore window,
                                 LinkedBlockingQueue<Event> events, Timeline timeline, boolean sampleCoordinator)
            throws InterruptedException {
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
            Executor.Ran<P> ran;
            try {
                ran = runner.run(batch, System.nanoTime());
            } catch (CancellationException | InterruptedException e) {
                throw e;
            } catch (InternalError e) {
                // A mapped file that shrank under us faults on access; the JVM reports it this way.
                throw new BatchFailedException(batch, runner.worker(),
                        new IOException("the store was truncated or removed while being read", e));
            } catch (Throwable t) {
                throw new BatchFailedException(batch, runner.worker(), t);
            }
            timeline.add(ran.times());
            timeline.coordinatorPrivateBytes(sampleCoordinator ? MemorySample.now().privateBytes() : ran.times().privateBytes());
            events.add(new Done(batch.index(), ran.partial()));
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
