package dev.tsproc.exec;

import dev.tsproc.exec.process.RemoteBatchFailure;

/**
 * A batch failed: which batch, which rows, which worker, and the original error as cause.
 */
public final class BatchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Batch batch;
    private final String worker;

    public BatchFailedException(Batch batch, String worker, Throwable cause) {
        super(batch + " failed on " + worker + ": " + describe(cause), cause);
        this.batch = batch;
        this.worker = worker;
    }

    /** The batch that failed. */
    public Batch batch() {
        return batch;
    }

    /** The worker that ran it. */
    public String worker() {
        return worker;
    }

    static String describe(Throwable t) {
        if (t instanceof RemoteBatchFailure remote) {
            return remote.getMessage(); // already "ErrorClass (message)", as it was in the worker
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }
}
