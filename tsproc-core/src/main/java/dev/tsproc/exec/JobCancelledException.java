package dev.tsproc.exec;

/**
 * A job was cancelled by interrupting the thread that ran it (Ctrl-C, SIGTERM, an owner's
 * cancel): its running batches were stopped, its workers ended its batches, and it produced no
 * result. An {@link InterruptedException}, so code that only knows about interruption handles
 * it; {@link #progress()} says how far the job got.
 */
public final class JobCancelledException extends InterruptedException {
    private static final long serialVersionUID = 1L;

    private final transient RunProgress progress;

    /** Job {@code job} was interrupted after {@code progress}; public for executors outside this package (tsproc-spark). */
    public JobCancelledException(String job, RunProgress progress) {
        super("job " + job + " was interrupted after " + progress.describe());
        this.progress = progress;
    }

    /** How far the job got. */
    public RunProgress progress() {
        return progress;
    }
}
