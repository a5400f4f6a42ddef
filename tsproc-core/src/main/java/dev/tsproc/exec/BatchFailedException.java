package dev.tsproc.exec;

import dev.tsproc.exec.process.RemoteBatchFailure;
import dev.tsproc.data.Batch;

/**
 * A batch failed: which batch, which rows, which worker, and the original error as cause.
 */
public final class BatchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Batch batch;
    private final String worker;
    private final int attempts;

    public BatchFailedException(Batch batch, String worker, Throwable cause) {
        this(batch, worker, cause, 1);
    }

    /** A batch that failed on its last of {@code attempts} attempts (each earlier one lost its worker). */
    public BatchFailedException(Batch batch, String worker, Throwable cause, int attempts) {
        super(batch + " failed on " + worker + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": "
                + describe(cause), cause);
        this.batch = batch;
        this.worker = worker;
        this.attempts = attempts;
    }

    /** How many times the batch was run: 1, or more if its workers were lost and it was retried. */
    public int attempts() {
        return attempts;
    }

    /**
     * Whether the cause is the JVM running out of memory or stack (here or in a worker process):
     * such a failure is never retried and is reported first, ahead of the batch order.
     */
    public boolean isResourceExhaustion() {
        return isResourceExhaustion(getCause());
    }

    static boolean isResourceExhaustion(Throwable t) {
        if (t instanceof RemoteBatchFailure remote) {
            return remote.errorClass().equals(OutOfMemoryError.class.getName())
                    || remote.errorClass().equals(StackOverflowError.class.getName());
        }
        return t instanceof OutOfMemoryError || t instanceof StackOverflowError;
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
