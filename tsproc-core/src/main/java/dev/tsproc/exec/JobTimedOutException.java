package dev.tsproc.exec;

import java.time.Duration;

/**
 * A job missed its deadline ({@link RunOptions#timeout()}): its running batches were cancelled,
 * its workers stopped, and it produced no result. Says how far it got. Batch failures that
 * happened before the deadline are attached as suppressed exceptions.
 */
public final class JobTimedOutException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final transient RunProgress progress;

    /** Job {@code job} missed {@code timeout} after {@code progress}; public for executors outside this package (tsproc-spark). */
    public JobTimedOutException(String job, Duration timeout, RunProgress progress) {
        this(job, timeout, progress, "");
    }

    private JobTimedOutException(String job, Duration timeout, RunProgress progress, String when) {
        super("job " + job + " exceeded its timeout of " + Durations.format(timeout) + when + ": " + progress.describe());
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * A job whose deadline passed while its worker JVMs were still starting, so none of its
     * {@code batchCount} batches ran; the start was cancelled (the starting JVMs killed).
     */
    public static JobTimedOutException whileStarting(String job, Duration timeout, long batchCount, long rowCount) {
        return new JobTimedOutException(job, timeout, new RunProgress(batchCount, rowCount, 0, 0, java.util.List.of(), batchCount),
                " while its worker JVMs were starting");
    }

    /** The deadline the job missed, from its start. */
    public Duration timeout() {
        return timeout;
    }

    /** How far the job got. */
    public RunProgress progress() {
        return progress;
    }
}
