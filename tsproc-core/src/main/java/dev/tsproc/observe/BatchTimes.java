package dev.tsproc.observe;

import dev.tsproc.data.Batch;

/**
 * When one attempt at a batch went through each step, in nanoseconds since the run started, and
 * where.
 *
 * <p>The steps are the talk's: the coordinator queues the batch for a worker; the worker has its
 * data (at once under {@code --transfer shared}; after the bytes arrive under {@code copy});
 * computes; the coordinator receives the result. A step that did not happen (a failed batch has
 * no result) is {@code -1}.
 *
 * @param batch        the batch
 * @param worker       the worker's name, e.g. {@code worker-2}
 * @param attempt      1 for the first try, more for retries
 * @param queued       the coordinator handed the batch to the worker
 * @param received     the worker had the batch's data
 * @param computeStart the worker started its job's {@code map}
 * @param computeEnd   {@code map} returned
 * @param resultReceived the coordinator had the partial
 * @param heapBytes    heap in use in the worker's process when the batch ended, or -1
 * @param rssBytes     resident memory of that process, or -1
 * @param privateBytes its private resident memory (not the shared store's pages), or -1
 */
public record BatchTimes(Batch batch, String worker, int attempt, long queued, long received, long computeStart,
                         long computeEnd, long resultReceived, long heapBytes, long rssBytes, long privateBytes) {

    /** Times only, memory unknown. */
    public BatchTimes(Batch batch, String worker, int attempt, long queued, long received, long computeStart, long computeEnd,
                      long resultReceived) {
        this(batch, worker, attempt, queued, received, computeStart, computeEnd, resultReceived, -1, -1, -1);
    }

    /** Time from queued to data received: handing the batch over (the talk's copy). */
    public long receiveNanos() {
        return received - queued;
    }

    /** Time computing. */
    public long computeNanos() {
        return computeEnd - computeStart;
    }

    /** Whether the batch computed to the end. */
    public boolean computed() {
        return computeEnd >= 0 && computeStart >= 0;
    }
}
