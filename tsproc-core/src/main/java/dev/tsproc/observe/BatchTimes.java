package dev.tsproc.observe;

/**
 * When one batch went through each step, in nanoseconds since the run started, and where.
 *
 * <p>The steps are the talk's: the coordinator queues the batch for a worker; the worker has its
 * data (at once under {@code --transfer shared}; after the bytes arrive under {@code copy});
 * computes; the coordinator receives the result. A step that did not happen (a failed batch has
 * no result) is {@code -1}.
 *
 * @param batchIndex   index in the plan
 * @param rowOffset    first row
 * @param rowCount     rows
 * @param worker       the worker's name, e.g. {@code worker-2}
 * @param attempt      1 for the first try, more for retries
 * @param queued       the coordinator handed the batch to the worker
 * @param received     the worker had the batch's data
 * @param computeStart the worker started its job's {@code map}
 * @param computeEnd   {@code map} returned
 * @param resultReceived the coordinator had the partial
 */
public record BatchTimes(long batchIndex, long rowOffset, long rowCount, String worker, int attempt,
                         long queued, long received, long computeStart, long computeEnd, long resultReceived) {

    /** Whether the batch computed to the end. */
    public boolean computed() {
        return computeEnd >= 0 && computeStart >= 0;
    }
}
