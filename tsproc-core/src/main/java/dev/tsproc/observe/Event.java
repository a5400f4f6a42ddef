package dev.tsproc.observe;

/**
 * One step of one batch, as a worker or the coordinator saw it.
 *
 * @param kind       the step
 * @param atNanos    when, in nanoseconds since the run started
 * @param worker     the worker's name
 * @param batchIndex the batch
 * @param rowOffset  its first row
 * @param rowCount   its rows
 * @param attempt    1 for the first try, more for retries
 * @param heapBytes  heap in use by the process that saw the step, or -1 if unknown
 * @param rssBytes   resident memory of that process, or -1 if unknown
 * @param privateBytes private resident memory of that process (not shared store pages), or -1 if unknown
 * @param detail     an error message for {@link EventKind#RETRIED} and {@link EventKind#FAILED}, else empty
 */
public record Event(EventKind kind, long atNanos, String worker, long batchIndex, long rowOffset, long rowCount,
                    int attempt, long heapBytes, long rssBytes, long privateBytes, String detail) {}
