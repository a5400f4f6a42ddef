package dev.tsproc.exec;

import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.observe.EventKind;
import dev.tsproc.observe.RunMonitor;
import dev.tsproc.observe.Timeline;

import dev.tsproc.exec.process.MemorySample;
import dev.tsproc.job.Job;
import dev.tsproc.job.JobSpec;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * <p><b>Deadlines.</b> {@link RunOptions#timeout()} is one absolute deadline on
 * {@link System#nanoTime()}; the coordinator waits for events with the time left, and on expiry
 * cancels the group and throws {@link JobTimedOutException} saying how far the job got.
 * {@link RunOptions#batchTimeout()} is enforced by each worker's runner.
 *
 * <p><b>Retries.</b> A batch whose worker process was lost (died, hung, missed the batch
 * deadline) is run again on a fresh worker, up to {@link RunOptions#retries()} times; every
 * other failure is final. The decision is made in one place, {@code Work.runWithRetries}.
 * Partials depend on the batch only, so a retried run's answer is bit-identical.
 *
 * <p>Every batch's times and memory are recorded in the result's {@link Timeline}.
 */
public final class Coordinator {
    private Coordinator() {}

    private sealed interface Event {}
    private record Done(long batchIndex, long rowCount, Object partial) implements Event {}
    /** A batch failed under {@link TaskGroup.Policy#COLLECT}: the frontier moves past it, the run goes on. */
    private record Skipped(long batchIndex) implements Event {}
    private record WorkerEnded() implements Event {}

    /**
     * Runs {@code job} over every row of {@code store} with the executor and transfer of
     * {@code options}. Worker processes, if asked for, are started for this run and ended
     * after it; they create the job from its {@link Job#jobSpec()}, which built-in jobs, queries
     * and job classes that give one have.
     *
     * @throws JobFailedException        if a batch failed
     * @throws JobTimedOutException      if the job missed {@link RunOptions#timeout()}
     * @throws InterruptedException      if the calling thread was interrupted (a
     *                                   {@link JobCancelledException} saying how far the job got);
     *                                   every worker has ended when this is thrown
     * @throws IllegalArgumentException  if worker processes are asked for a job without a spec or codec
     * @throws java.io.UncheckedIOException if worker processes could not be started
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, RunOptions options)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        return run(store, job, options, 0, store.rowCount());
    }

    /**
     * Runs {@code job} over rows {@code [firstRow, rowEnd)} of {@code store} only (a query's time
     * range); batches are cut from {@code firstRow}. Otherwise as {@link #run(Store, Job, RunOptions)}.
     *
     * @throws JobFailedException   if a batch failed
     * @throws InterruptedException if the calling thread was interrupted; every worker has
     *                              ended when this is thrown
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, RunOptions options, long firstRow, long rowEnd)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        JobSpec spec = null;
        if (options.executor() == Executor.Kind.PROCESSES) {
            spec = job.jobSpec().orElseThrow(() -> new IllegalArgumentException("job " + job.name()
                    + " cannot run in worker processes: it has no JobSpec (see Job.jobSpec); run it on threads"));
            PartialCodec.of(job); // fails before any worker JVM starts
        }
        try (Executor executor = executorFor(options, store)) {
            return run(store, job, spec, options, executor, firstRow, rowEnd);
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
            throws JobFailedException, JobTimedOutException, InterruptedException, IOException {
        try (JobSpec.Loaded loaded = spec.load(store);
             Executor executor = executorFor(options, store)) {
            return run(store, loaded.job(), spec, options, executor, 0, store.rowCount());
        }
    }

    /** The executor {@code options} ask for, with no more workers than the store has batches. */
    private static Executor executorFor(RunOptions options, Store store) throws IOException, InterruptedException {
        int workers = options.workersFor(store.rowCount());
        return switch (options.executor()) {
            case THREADS -> new ThreadExecutor(workers, options.clock());
            case PROCESSES -> ProcessExecutor.start(workers, ProcessExecutor.Config.defaults()
                    .withAllowedStores(List.of(store.path())).withClock(options.clock()));
        };
    }

    /**
     * Runs {@code job} over every row of {@code store} on {@code executor}'s workers (at most
     * {@code options.workers()} of them), with {@code options}' transfer. The executor is left
     * open for further jobs.
     *
     * @param spec the job by name; needed by worker processes, ignored by threads
     * @throws JobFailedException   if a batch failed
     * @throws JobTimedOutException if the job missed {@link RunOptions#timeout()}; every task
     *                              has ended and every worker has stopped its batch
     * @throws InterruptedException if the calling thread was interrupted; every task has ended
     *                              and every worker has stopped its batch when this is thrown
     * @throws IOException          if the workers could not open the job
     */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, JobSpec spec, RunOptions options, Executor executor)
            throws JobFailedException, JobTimedOutException, InterruptedException, IOException {
        return run(store, job, spec, options, executor, 0, store.rowCount());
    }

    /** As {@link #run(Store, Job, JobSpec, RunOptions, Executor)}, over rows {@code [firstRow, rowEnd)} only. */
    public static <P, R> RunResult<R> run(Store store, Job<P, R> job, JobSpec spec, RunOptions options, Executor executor,
                                          long firstRow, long rowEnd)
            throws JobFailedException, JobTimedOutException, InterruptedException, IOException {
        if (firstRow < 0 || rowEnd < firstRow || rowEnd > store.rowCount()) {
            throw new IllegalArgumentException("rows [" + firstRow + ", " + rowEnd + ") are not within the store's "
                    + store.rowCount() + " rows");
        }
        Plan plan = new Plan(firstRow, rowEnd - firstRow, options.batchRows());
        int workers = Math.min(options.workersFor(store.rowCount()), executor.workers());
        long start = System.nanoTime();
        Timeline timeline = new Timeline(executor.kind().name().toLowerCase(Locale.ROOT) + "/" + options.transfer().label()
                + " ×" + workers, System.currentTimeMillis(), Map.of("job", job.name()));
        RunMonitor recorder = new RunMonitor(job.name(), timeline, plan.rowCount(), plan.batchCount(), start);
        RunOptions recorded = options.withListener(recorder.andThen(options.listener()));
        AtomicLong coordinatorPeak = new AtomicLong(-1);
        try (Executor.Session<P> session = executor.open(store, job, spec, options.transfer(), workers)) {
            boolean workersElsewhere = executor.kind() != Executor.Kind.THREADS;
            R result = job.finish(combineAll(session, job, plan, recorded, coordinatorPeak, workersElsewhere, start));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            timeline.finish(elapsed.toNanos());
            session.close(); // the result is ready; ending the job in the workers is clean-up
            return new RunResult<>(result, plan.rowCount(), plan.batchCount(), session.runners().size(), elapsed, timeline,
                    session.reports(), coordinatorPeak.get());
        }
    }

    /**
     * Runs every batch of {@code plan} on the session's workers, combining partials in batch
     * order. With {@code workersElsewhere}, the coordinator samples its own memory as batches
     * end; otherwise the batches' samples are already its own.
     *
     * <p>The calling thread is the coordinator: it waits for events with the time left until the
     * job's deadline, so a deadline or an interrupt is acted on at once however busy the
     * workers are. Either cancels the group, waits until every task has ended (worker processes
     * stop their batch or are killed after a grace period) and reports how far the job got.
     */
    private static <P> P combineAll(Executor.Session<P> session, Job<P, ?> job, Plan plan, RunOptions options,
                                    AtomicLong coordinatorPeak, boolean workersElsewhere, long startNanos)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Semaphore window = new Semaphore(4 * session.runners().size());
        AtomicLong next = new AtomicLong();
        Map<Long, Batch> running = new ConcurrentHashMap<>();
        long deadline = options.timeout() == null ? Long.MAX_VALUE : startNanos + options.timeout().toNanos();
        List<BatchFailedException> collected = new CopyOnWriteArrayList<>();
        P combined = job.empty();
        boolean anySkipped = false;
        try (TaskGroup group = new TaskGroup("job " + job.name(), options.onFailure(), Thread.ofPlatform().factory())) {
            Work<P> work = new Work<>(plan, next, window, events, running, coordinatorPeak, workersElsewhere, options, group, collected,
                    startNanos);
            for (Executor.BatchRunner<P> runner : session.runners()) {
                group.fork(runner.worker(), () -> {
                    try {
                        work.run(runner);
                        return null;
                    } finally {
                        events.add(new WorkerEnded());
                    }
                });
            }
            Map<Long, P> waiting = new HashMap<>();
            long frontier = 0;
            long rowsDone = 0;
            long batchesDone = 0;
            int tasks = session.runners().size();
            while (tasks > 0) {
                Event event;
                try {
                    event = deadline == Long.MAX_VALUE ? events.take()
                            : events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    RunProgress progress = stop(group, events, tasks, running, next, plan, batchesDone, rowsDone);
                    throw new JobCancelledException(job.name(), progress);
                }
                if (event == null) {
                    RunProgress progress = stop(group, events, tasks, running, next, plan, batchesDone, rowsDone);
                    JobTimedOutException late = new JobTimedOutException(job.name(), options.timeout(), progress);
                    collected.forEach(late::addSuppressed); // batches that failed before the deadline
                    group.failures().forEach(f -> late.addSuppressed(f.error()));
                    throw late;
                }
                if (event instanceof Done(long index, long rows, Object partial)) {
                    @SuppressWarnings("unchecked") P p = (P) partial;
                    waiting.put(index, p);
                    rowsDone += rows;
                    batchesDone++;
                } else if (event instanceof Skipped(long index)) {
                    waiting.put(index, null);
                    anySkipped = true;
                } else {
                    tasks--;
                }
                while (waiting.containsKey(frontier)) {
                    P ready = waiting.remove(frontier++);
                    if (!anySkipped) {
                        combined = job.combine(combined, ready); // after a failed batch, partials are only counted
                    }
                    window.release();
                }
            }
            try {
                group.join();
            } catch (TaskGroupException e) {
                throw failed(job, e, collected);
            }
            if (!collected.isEmpty()) {
                throw new JobFailedException(job.name(), collected);
            }
            if (frontier != plan.batchCount()) {
                throw new IllegalStateException("combined " + frontier + " of " + plan.batchCount() + " batches");
            }
        }
        return combined;
    }

    /**
     * Cancels the group and waits, uninterruptibly, until its {@code tasks} remaining tasks have
     * ended, counting batches that finished meanwhile. Returns how far the run got: batches
     * claimed but not finished were cancelled (or failed), the rest never started.
     */
    private static RunProgress stop(TaskGroup group, LinkedBlockingQueue<Event> events, int tasks, Map<Long, Batch> running,
                                    AtomicLong next, Plan plan, long batchesDone, long rowsDone) {
        group.cancel();
        boolean interrupted = false;
        long done = batchesDone;
        long rows = rowsDone;
        while (tasks > 0) {
            try {
                if (events.take() instanceof Done(long index, long rowCount, Object partial)) {
                    done++;
                    rows += rowCount;
                } else {
                    tasks--;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        long claimed = Math.min(next.get(), plan.batchCount());
        return new RunProgress(plan.batchCount(), plan.rowCount(), done, rows, running.keySet().stream().sorted().toList(),
                plan.batchCount() - claimed);
    }

    /** What every task does: claim batches, run them on its worker (retrying lost workers), hand partials over. */
    private record Work<P>(Plan plan, AtomicLong next, Semaphore window, LinkedBlockingQueue<Event> events,
                           Map<Long, Batch> running, AtomicLong coordinatorPeak, boolean sampleCoordinator, RunOptions options,
                           TaskGroup group, List<BatchFailedException> collected, long startNanos) {

        void run(Executor.BatchRunner<P> runner) throws InterruptedException {
            while (!group.isCancelled()) {
                // Take a window slot before claiming a batch: a claimed batch must never wait for a
                // slot, or the batch the coordinator needs next could wait behind later ones forever.
                window.acquire();
                long index = next.getAndIncrement();
                if (index >= plan.batchCount()) {
                    window.release();
                    return;
                }
                Batch batch = plan.batch(index);
                running.put(index, batch);
                Executor.Ran<P> ran;
                try {
                    ran = runWithRetries(runner, batch, System.nanoTime());
                } catch (BatchFailedException e) {
                    // Under COLLECT the task records the failure and goes on with the next batch —
                    // unless this JVM itself ran out of memory or stack: then nothing here is safe,
                    // and the job is cancelled whatever the policy.
                    if (e.getCause() instanceof VirtualMachineError) {
                        group.cancel();
                        throw e;
                    }
                    if (options.onFailure() != TaskGroup.Policy.COLLECT) {
                        throw e;
                    }
                    collected.add(e);
                    running.remove(index);
                    events.add(new Skipped(index));
                    continue;
                }
                running.remove(index);
                long coordinatorBytes = sampleCoordinator ? MemorySample.now().privateBytes() : ran.times().privateBytes();
                coordinatorPeak.accumulateAndGet(coordinatorBytes, Math::max);
                events.add(new Done(batch.index(), batch.rowCount(), ran.partial()));
            }
            throw new CancellationException("the job was cancelled");
        }

        /**
         * Runs {@code batch}, and again on a fresh worker each time its worker is lost, up to
         * {@link RunOptions#retries()} times. The one place where tsproc decides to retry.
         */
        private Executor.Ran<P> runWithRetries(Executor.BatchRunner<P> runner, Batch batch, long queuedNanos)
                throws InterruptedException {
            for (int attempt = 1; ; attempt++) {
                try {
                    Executor.Ran<P> ran = runner.run(batch, queuedNanos, options.batchTimeout());
                    report(ran.times(), attempt);
                    return ran;
                } catch (CancellationException | InterruptedException e) {
                    throw e;
                } catch (InternalError e) {
                    // A mapped file that shrank under us faults on access; the JVM reports it this way.
                    throw failed(batch, runner.worker(),
                            new IOException(Store.TRUNCATED_WHILE_READING, e), attempt);
                } catch (Throwable t) {
                    if (!runner.lostWorker(t) || attempt > options.retries() || group.isCancelled()) {
                        throw failed(batch, runner.worker(), t, attempt);
                    }
                    // RETRIED: the worker was lost (crashed, killed, hung); run the batch again on a fresh one.
                    emit(EventKind.RETRIED, System.nanoTime(), runner.worker(), batch, attempt, null,
                            BatchFailedException.describe(t));
                    try {
                        runner.replaceWorker();
                    } catch (IOException | RuntimeException e) {
                        e.addSuppressed(t);
                        throw failed(batch, runner.worker(),
                                new IOException("its worker was lost and no fresh worker could be started: " + e.getMessage(), e),
                                attempt);
                    }
                }
            }
        }

        private BatchFailedException failed(Batch batch, String worker, Throwable cause, int attempt) {
            emit(EventKind.FAILED, System.nanoTime(), worker, batch, attempt, null, BatchFailedException.describe(cause));
            return new BatchFailedException(batch, worker, cause, attempt);
        }

        /** Tells the listener a finished batch's steps, with the times its worker measured. */
        private void report(BatchTrace t, int attempt) {
            Batch batch = new Batch(t.batchIndex(), t.rowOffset(), t.rowCount());
            emit(EventKind.BATCH_QUEUED, t.queuedNanos(), t.worker(), batch, attempt, null, "");
            emit(EventKind.DATA_RECEIVED, t.receivedNanos(), t.worker(), batch, attempt, t, "");
            emit(EventKind.COMPUTE_STARTED, t.computeStartNanos(), t.worker(), batch, attempt, t, "");
            emit(EventKind.COMPUTE_FINISHED, t.computeEndNanos(), t.worker(), batch, attempt, t, "");
            emit(EventKind.RESULT_RECEIVED, t.resultNanos(), t.worker(), batch, attempt, t, "");
        }

        /** Tells the listener one step; {@code memory} is the batch's trace, or null where memory is unknown. */
        private void emit(EventKind kind, long atNanos, String worker, Batch batch, int attempt, BatchTrace memory,
                          String detail) {
            options.listener().onEvent(new dev.tsproc.observe.Event(kind, atNanos - startNanos, worker, batch.index(),
                    batch.rowOffset(), batch.rowCount(), attempt,
                    memory == null ? -1 : memory.heapUsedBytes(), memory == null ? -1 : memory.rssBytes(),
                    memory == null ? -1 : memory.privateBytes(), detail));
        }
    }

    private static JobFailedException failed(Job<?, ?> job, TaskGroupException e, List<BatchFailedException> collected) {
        List<BatchFailedException> failures = new ArrayList<>(collected);
        for (TaskGroup.Failure f : e.failures()) {
            failures.add(f.error() instanceof BatchFailedException b ? b
                    : new BatchFailedException(new Batch(-1, 0, 0), f.task(), f.error()));
        }
        return new JobFailedException(job.name(), failures);
    }
}
