package dev.tsproc.exec;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.observe.MemorySample;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Run;
import dev.tsproc.observe.Timeline;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Plan;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreChangedException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * Runs a job over a plan's batches on an {@link Executor}'s workers and combines the partials in
 * batch order; {@link dev.tsproc.Tsproc#run} is the way in.
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
 * <p><b>Deadlines.</b> {@link RunOptions#timeout()} is one absolute deadline on the run's
 * {@link RunOptions#clock() clock}, from the run's start — which may be before its worker JVMs
 * started ({@link ProcessExecutor#start(int, ProcessExecutor.Config, long)} honours the same
 * deadline); the coordinator waits for events with the time left, and on expiry
 * cancels the group and throws {@link JobTimedOutException} saying how far the job got.
 * {@link RunOptions#batchTimeout()} is enforced by each worker's runner.
 *
 * <p><b>Retries.</b> A batch whose worker process was lost (died, hung, missed the batch
 * deadline) is run again on a fresh worker, up to {@link RunOptions#retries()} times; every
 * other failure is final. The decision is made in one place, {@code Work.runWithRetries}. A
 * worker already lost when its task takes the next batch (died while idle, or lost on a batch
 * not run again) is replaced first without spending a retry, so under COLLECT every batch runs
 * and each failure is its own.
 * Partials depend on the batch only, so a retried run's answer is bit-identical.
 *
 * <p><b>Events.</b> Each run has one {@link Run}, which is told each batch's events as they
 * happen: queued when a task hands the batch to its worker, computing when the worker begins
 * (the executor says so), finished when the partial is back, retried or failed. It keeps the
 * live state, the result's {@link Timeline}, and tells the run's listeners.
 */
public final class Coordinator {
    private Coordinator() {}

    private sealed interface Event {}
    private record Done(long batchIndex, long rowCount, Object partial) implements Event {}
    /** A batch failed under {@link TaskGroup.Policy#COLLECT}: the frontier moves past it, the run goes on. */
    private record Skipped(long batchIndex) implements Event {}
    private record WorkerEnded() implements Event {}

    /**
     * Runs {@code job} over the batches of {@code plan} on {@code executor}'s workers (at most
     * {@code options.workers()} of them), with {@code options}' transfer, watched by one
     * {@link Run} that tells {@code options.listener()} every event. The executor is left open
     * for further jobs. {@link dev.tsproc.Tsproc} is the usual way in: it plans, and chooses
     * the executor.
     *
     * @param request the job as plain data; needed by workers that create the job themselves
     *                (worker processes), may be {@code null} on threads
     * @throws IllegalArgumentException if the plan's rows are not within the store, or the
     *                              executor's workers cannot create the job (no request, no codec)
     * @throws JobFailedException   if a batch failed
     * @throws JobTimedOutException if the job missed {@link RunOptions#timeout()}; every task
     *                              has ended and every worker has stopped its batch
     * @throws InterruptedException if the calling thread was interrupted (a
     *                              {@link JobCancelledException} saying how far the job got);
     *                              every task has ended and every worker has stopped its batch
     * @throws IOException          if the workers could not open the job
     */
    public static <P, R> RunResult<R> run(Store store, Plan plan, Job<P, R> job, JobRequest request, RunOptions options,
                                          Executor executor)
            throws JobFailedException, JobTimedOutException, InterruptedException, IOException {
        return run(store, plan, job, request, options, executor, options.clock().nanoTime());
    }

    /**
     * As {@link #run(Store, Plan, Job, JobRequest, RunOptions, Executor)}, for a run that began
     * at {@code runStartNanos} on {@code options.clock()}, before its executor started: its
     * deadline counts from then.
     */
    @SuppressWarnings("try") // the session is closed as soon as the result is ready; the try closes it again (a no-op) on failure
    public static <P, R> RunResult<R> run(Store store, Plan plan, Job<P, R> job, JobRequest request, RunOptions options,
                                          Executor executor, long runStartNanos)
            throws JobFailedException, JobTimedOutException, InterruptedException, IOException {
        if (plan.rowEnd() > store.rowCount()) {
            throw new IllegalArgumentException("rows [" + plan.firstRow() + ", " + plan.rowEnd() + ") are not within the store's "
                    + store.rowCount() + " rows");
        }
        requireRunnable(job, request, executor.kind());
        int workers = Math.min(options.workersFor(plan.rowCount()), executor.workers());
        NanoClock clock = options.clock();
        long start = clock.nanoTime();
        Run run = Run.start(job.name(), label(executor.kind(), options.transfer(), workers),
                configuration(store, request == null ? job.name() : request.describe(), options, executor.kind(), workers),
                plan, clock, options.listener());
        AtomicLong coordinatorPeak = new AtomicLong(-1);
        try (Executor.Session<P> session = executor.open(store, job, request, options.transfer(), workers)) {
            run.opened();
            boolean workersElsewhere = executor.kind() != Executor.Kind.THREADS;
            long deadline = options.timeout() == null ? Long.MAX_VALUE : runStartNanos + options.timeout().toNanos();
            P combined = combineAll(session, job, run, options, coordinatorPeak, workersElsewhere, deadline);
            run.combined();
            R result = job.finish(combined);
            Duration elapsed = Duration.ofNanos(clock.nanoTime() - start);
            run.finish(elapsed.toNanos());
            session.close(); // the result is ready; ending the job in the workers is clean-up
            return new RunResult<>(result, job.name(), plan.rowCount(), plan.batchCount(), session.runners().size(), elapsed,
                    run.timeline(), session.reports(), coordinatorPeak.get());
        }
    }

    /**
     * Fails, before any worker starts, if {@code executor}'s workers could not create {@code job}:
     * worker processes need it as a {@link JobRequest} small enough to travel, and its partials
     * as a {@link PartialCodec}.
     *
     * @throws IllegalArgumentException saying what is missing
     */
    public static void requireRunnable(Job<?, ?> job, JobRequest request, Executor.Kind executor) {
        if (executor == Executor.Kind.THREADS) {
            return;
        }
        if (request == null) {
            throw new IllegalArgumentException("job " + job.name() + " cannot run in worker processes as an object: give it as a"
                    + " JobRequest (a built-in job, a query, or your job's class and parameters), or run it on threads");
        }
        PartialCodec.of(job);
        request.encode(); // a request too large to travel fails here, not in a worker
    }

    /** A run's name in reports: {@code processes/shared ×4}. */
    static String label(Executor.Kind executor, Transfer transfer, int workers) {
        return executor.label() + "/" + transfer.label() + " ×" + workers;
    }

    /** A run's settings as reports show them. */
    private static Map<String, String> configuration(Store store, String job, RunOptions options, Executor.Kind executor,
                                                     int workers) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("store", String.valueOf(store.path()));
        c.put("job", job);
        c.put("executor", executor.label());
        c.put("transfer", options.transfer().label());
        c.put("workers", Integer.toString(workers));
        c.put("batch rows", Long.toString(options.batchRows()));
        c.put("on failure", options.onFailure().name().toLowerCase(Locale.ROOT));
        c.put("java", Runtime.version().toString());
        c.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return c;
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
    private static <P> P combineAll(Executor.Session<P> session, Job<P, ?> job, Run run, RunOptions options,
                                    AtomicLong coordinatorPeak, boolean workersElsewhere, long deadline)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        Plan plan = run.plan();
        NanoClock clock = options.clock();
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Semaphore window = new Semaphore(4 * session.runners().size());
        AtomicLong next = new AtomicLong();
        Map<Long, Batch> running = new ConcurrentHashMap<>();
        List<BatchFailedException> collected = new CopyOnWriteArrayList<>();
        P combined = job.empty();
        boolean anySkipped = false;
        try (TaskGroup group = new TaskGroup("job " + job.name(), options.onFailure(), Thread.ofPlatform().factory())) {
            Work<P> work = new Work<>(run, next, window, events, running, coordinatorPeak, workersElsewhere, options, group,
                    collected);
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
                    event = deadline == Long.MAX_VALUE ? events.take() : next(events, deadline, clock);
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

    /** The next event, or {@code null} once {@code clock} has passed {@code deadline} without one. */
    private static Event next(LinkedBlockingQueue<Event> events, long deadline, NanoClock clock) throws InterruptedException {
        for (long left; (left = deadline - clock.nanoTime()) > 0; ) {
            Event event = events.poll(clock.realWaitNanos(left), TimeUnit.NANOSECONDS);
            if (event != null) {
                return event;
            }
        }
        return events.poll();
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
    private record Work<P>(Run run, AtomicLong next, Semaphore window, LinkedBlockingQueue<Event> events,
                           Map<Long, Batch> running, AtomicLong coordinatorPeak, boolean sampleCoordinator, RunOptions options,
                           TaskGroup group, List<BatchFailedException> collected) {

        void run(Executor.BatchRunner<P> runner) throws InterruptedException {
            while (!group.isCancelled()) {
                // Take a window slot before claiming a batch: a claimed batch must never wait for a
                // slot, or the batch the coordinator needs next could wait behind later ones forever.
                window.acquire();
                long index = next.getAndIncrement();
                if (index >= run.plan().batchCount()) {
                    window.release();
                    return;
                }
                Batch batch = run.plan().batch(index);
                running.put(index, batch);
                Executor.Ran<P> ran;
                try {
                    ran = runWithRetries(runner, batch);
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
                long coordinatorBytes = sampleCoordinator ? MemorySample.now().privateBytes() : ran.memory().privateBytes();
                coordinatorPeak.accumulateAndGet(coordinatorBytes, Math::max);
                events.add(new Done(batch.index(), batch.rowCount(), ran.partial()));
            }
            throw new CancellationException("the job was cancelled");
        }

        /**
         * Runs {@code batch}, and again on a fresh worker each time its worker is lost, up to
         * {@link RunOptions#retries()} times. The one place where tsproc decides to retry.
         */
        private Executor.Ran<P> runWithRetries(Executor.BatchRunner<P> runner, Batch batch) throws InterruptedException {
            if (runner.workerLost()) {
                // It died while idle, or was lost on an earlier batch that was not run again (no
                // retries left, or COLLECT going on): this batch lost nothing, so no retry is spent,
                // and it runs — it must not fail with the error of another batch.
                replaceWorker(runner, batch, 1, null);
            }
            for (int attempt = 1; ; attempt++) {
                String worker = runner.worker();
                int thisAttempt = attempt;
                long queued = run.queued(batch, worker, attempt);
                try {
                    Executor.Ran<P> ran = runner.run(batch, options.batchTimeout(), () -> run.computing(batch, worker, thisAttempt));
                    MemorySample memory = ran.memory();
                    run.finished(new BatchTimes(batch, worker, attempt, queued, run.sinceStart(ran.receivedNanos()),
                            run.sinceStart(ran.computeStartNanos()), run.sinceStart(ran.computeEndNanos()), -1,
                            memory.heapUsedBytes(), memory.rssBytes(), memory.privateBytes()));
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
                    // The worker was lost (crashed, killed, hung): run the batch again on a fresh one.
                    run.retried(batch, worker, attempt, BatchFailedException.describe(t));
                    replaceWorker(runner, batch, attempt, t);
                }
            }
        }

        /**
         * Has {@code runner} replace its lost worker before {@code attempt} at {@code batch};
         * if it cannot, the batch fails with why, and with {@code lost} (how the worker was lost,
         * {@code null} if that was not during this batch) suppressed.
         */
        private void replaceWorker(Executor.BatchRunner<P> runner, Batch batch, int attempt, Throwable lost)
                throws InterruptedException {
            try {
                runner.replaceWorker();
            } catch (StoreChangedException e) {
                throw failed(batch, runner.worker(), withSuppressed(e, lost), attempt);
            } catch (IOException | RuntimeException e) {
                throw failed(batch, runner.worker(), withSuppressed(
                        new IOException("its worker was lost and no fresh worker could be started: " + e.getMessage(), e), lost),
                        attempt);
            }
        }

        private static <T extends Throwable> T withSuppressed(T error, Throwable suppressed) {
            if (suppressed != null) {
                error.addSuppressed(suppressed);
            }
            return error;
        }

        private BatchFailedException failed(Batch batch, String worker, Throwable cause, int attempt) {
            run.failed(batch, worker, attempt, BatchFailedException.describe(cause));
            return new BatchFailedException(batch, worker, cause, attempt);
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
