package dev.tsproc.observe;

/**
 * Receives a run's events: feeds the progress bar, the per-worker log, the timeline and the
 * status endpoint.
 *
 * @implSpec Called from worker and coordinator threads concurrently; events of one batch arrive
 * in their order. Must be thread-safe and quick — a slow listener slows the run.
 */
@FunctionalInterface
public interface RunListener {
    /** A listener that ignores everything. */
    RunListener NONE = event -> {};

    void onEvent(Event event);

    /** This listener, then {@code next}. */
    default RunListener andThen(RunListener next) {
        return event -> {
            onEvent(event);
            next.onEvent(event);
        };
    }
}
