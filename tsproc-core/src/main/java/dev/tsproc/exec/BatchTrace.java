package dev.tsproc.exec;

/**
 * What an executor measured of one batch: when each step happened, on the coordinator's
 * {@link System#nanoTime()} clock, and the memory of the process that computed it at the end of
 * its computation. The coordinator turns it into the batch's events, from which the run's
 * {@link dev.tsproc.observe.Timeline} is built.
 *
 * <p>The steps are the events of a batch's life: queued (a worker's task claimed it and
 * started handing it over), data received (the worker holds the batch's rows: a view of the
 * shared store, or its own copy), compute started and finished, result received (the
 * coordinator has the decoded partial). Receiving is what the talk shows growing with every
 * copy; computing is what a worker is for.
 *
 * @param worker        the worker that ran the batch
 * @param heapUsedBytes Java heap in use in that worker's process
 * @param rssBytes      resident set of that process, or -1
 * @param privateBytes  private resident memory of that process (see
 *                      {@link dev.tsproc.exec.process.ProcessMemory#privateBytes()}), or -1
 */
public record BatchTrace(long batchIndex, long rowOffset, long rowCount, String worker,
                         long queuedNanos, long receivedNanos, long computeStartNanos, long computeEndNanos,
                         long resultNanos, long heapUsedBytes, long rssBytes, long privateBytes) {

    /** Time from queued to data received: handing the batch over. */
    public long receiveNanos() {
        return receivedNanos - queuedNanos;
    }

    /** Time computing. */
    public long computeNanos() {
        return computeEndNanos - computeStartNanos;
    }
}
