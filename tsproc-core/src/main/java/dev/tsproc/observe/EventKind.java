package dev.tsproc.observe;

/** The steps of a batch's life that a run reports, in order. */
public enum EventKind {
    /** The coordinator handed the batch to a worker. */
    BATCH_QUEUED,
    /** The worker has the batch's data (at once when shared; after the bytes arrived when copied). */
    DATA_RECEIVED,
    /** The worker started computing. */
    COMPUTE_STARTED,
    /** The worker finished computing. */
    COMPUTE_FINISHED,
    /** The coordinator received the batch's partial result. */
    RESULT_RECEIVED,
    /** The batch failed on a worker and will run again. */
    RETRIED,
    /** The batch failed for good. */
    FAILED;

    /** The label used in logs: lower case with spaces. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
