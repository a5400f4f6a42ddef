package dev.tsproc.observe;

import dev.tsproc.data.Batch;

/**
 * Told a run's events as they happen, one method per event (as Caffeine's {@code StatsCounter}):
 * feeds the progress bar, the per-worker log and anything else that follows a run. Every method
 * does nothing unless overridden. Times are nanoseconds since the run started, on the run's
 * clock.
 *
 * @implSpec Called from worker and coordinator threads concurrently, one event at a time and in
 * time order: a {@link Run} stamps an event and tells every listener under one lock. Must be
 * thread-safe and quick — a slow listener slows the run; hand slow work (writing to a terminal)
 * to a thread of its own.
 */
public interface RunListener {
    /** A listener that ignores everything. */
    RunListener NONE = new RunListener() {};

    /** The run has begun: its plan, timeline and live status are {@code run}'s. */
    default void started(Run run) {}

    /** The coordinator handed {@code batch} to {@code worker}. */
    default void queued(Batch batch, String worker, int attempt, long atNanos) {}

    /** {@code worker} began computing {@code batch} (for a worker process: the coordinator heard so). */
    default void computing(Batch batch, String worker, int attempt, long atNanos) {}

    /** The coordinator has the batch's partial; {@code times} holds every step and the worker's memory. */
    default void finished(BatchTimes times) {}

    /** The batch's worker was lost ({@code error}); the batch runs again on a fresh one. */
    default void retried(Batch batch, String worker, int attempt, long atNanos, String error) {}

    /** The batch failed for good. */
    default void failed(Batch batch, String worker, int attempt, long atNanos, String error) {}

    /** This listener, then {@code next}. */
    default RunListener andThen(RunListener next) {
        RunListener first = this;
        return new RunListener() {
            @Override
            public void started(Run run) {
                first.started(run);
                next.started(run);
            }

            @Override
            public void queued(Batch batch, String worker, int attempt, long atNanos) {
                first.queued(batch, worker, attempt, atNanos);
                next.queued(batch, worker, attempt, atNanos);
            }

            @Override
            public void computing(Batch batch, String worker, int attempt, long atNanos) {
                first.computing(batch, worker, attempt, atNanos);
                next.computing(batch, worker, attempt, atNanos);
            }

            @Override
            public void finished(BatchTimes times) {
                first.finished(times);
                next.finished(times);
            }

            @Override
            public void retried(Batch batch, String worker, int attempt, long atNanos, String error) {
                first.retried(batch, worker, attempt, atNanos, error);
                next.retried(batch, worker, attempt, atNanos, error);
            }

            @Override
            public void failed(Batch batch, String worker, int attempt, long atNanos, String error) {
                first.failed(batch, worker, attempt, atNanos, error);
                next.failed(batch, worker, attempt, atNanos, error);
            }
        };
    }
}
