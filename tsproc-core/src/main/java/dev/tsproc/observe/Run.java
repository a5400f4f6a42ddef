package dev.tsproc.observe;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.Plan;

import java.util.Map;

/**
 * One run of a job, as it is watched: its plan, its one {@link Timeline}, its live state and its
 * listeners. The coordinator creates it when the run starts and tells it each batch's events as
 * they happen — queued when it hands a batch to a worker, computing when the worker begins,
 * finished when the partial is back, retried or failed — and the run stamps each event on its
 * clock and passes it to the live state, the timeline and every {@link RunListener}.
 *
 * <p>Thread safety: events may be told from any thread. Each is stamped and delivered under one
 * lock, so listeners see events one at a time and in time order (a log's lines are in time
 * order); {@link #status()} is a consistent snapshot. Events are few — a handful per batch of a
 * million rows — so the lock costs nothing measurable (docs/BENCHMARKS.md, observing cost).
 */
public final class Run {
    private final String job;
    private final Plan plan;
    private final NanoClock clock;
    private final long startNanos;
    private final Timeline timeline;
    private final RunMonitor monitor;
    private final RunListener listener;

    private Run(String job, String label, Map<String, String> configuration, Plan plan, NanoClock clock,
                RunListener listener) {
        this.job = job;
        this.plan = plan;
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        this.timeline = new Timeline(label, System.currentTimeMillis(), configuration);
        this.monitor = new RunMonitor(plan);
        this.listener = listener;
    }

    /**
     * Starts watching a run of {@code job} over {@code plan}, and tells {@code listener} it has begun.
     *
     * @param label         the run's name in reports, e.g. {@code processes/shared ×4}
     * @param configuration the run's settings, shown in reports
     * @param clock         what event times read
     */
    public static Run start(String job, String label, Map<String, String> configuration, Plan plan, NanoClock clock,
                            RunListener listener) {
        Run run = new Run(job, label, configuration, plan, clock, listener);
        listener.started(run);
        return run;
    }

    /** The job's name. */
    public String job() {
        return job;
    }

    /** The run's plan. */
    public Plan plan() {
        return plan;
    }

    /** Every batch's times, as the events told them. */
    public Timeline timeline() {
        return timeline;
    }

    /** Nanoseconds since the run started of the clock reading {@code clockNanos}. */
    public long sinceStart(long clockNanos) {
        return clockNanos - startNanos;
    }

    /** The coordinator hands {@code batch} to {@code worker} now; returns when, since the run started. */
    public synchronized long queued(Batch batch, String worker, int attempt) {
        long at = now();
        monitor.queued(batch, worker, attempt, at);
        listener.queued(batch, worker, attempt, at);
        return at;
    }

    /** {@code worker} begins computing {@code batch} now (or the coordinator just heard so). */
    public synchronized void computing(Batch batch, String worker, int attempt) {
        long at = now();
        monitor.computing(batch, worker, at);
        listener.computing(batch, worker, attempt, at);
    }

    /**
     * The coordinator has the batch's partial now: {@code times} has every step but this one,
     * which is stamped here ({@code times.resultReceived()} is ignored).
     */
    public synchronized void finished(BatchTimes times) {
        BatchTimes t = new BatchTimes(times.batch(), times.worker(), times.attempt(), times.queued(), times.received(),
                times.computeStart(), times.computeEnd(), now(), times.heapBytes(), times.rssBytes(), times.privateBytes());
        monitor.finished(t);
        timeline.record(t);
        listener.finished(t);
    }

    /** The batch's worker was lost; the batch runs again. */
    public synchronized void retried(Batch batch, String worker, int attempt, String error) {
        long at = now();
        timeline.record(monitor.ended(batch, worker, attempt, true, error, at));
        listener.retried(batch, worker, attempt, at, error);
    }

    /** The batch failed for good. */
    public synchronized void failed(Batch batch, String worker, int attempt, String error) {
        long at = now();
        timeline.record(monitor.ended(batch, worker, attempt, false, error, at));
        listener.failed(batch, worker, attempt, at, error);
    }

    /** The job is open in every worker now: batches can start. */
    public void opened() {
        timeline.opened(now());
    }

    /** Every partial is combined now; what remains is finishing the result. */
    public void combined() {
        timeline.combined(now());
    }

    /** The run has its result after {@code wallNanos}. */
    public void finish(long wallNanos) {
        timeline.finish(wallNanos);
    }

    /** The run's state now: counts, every worker, every batch in flight with its age. */
    public synchronized RunMonitor.Status status() {
        return monitor.status(job, now());
    }

    private long now() {
        return clock.nanoTime() - startNanos;
    }
}
