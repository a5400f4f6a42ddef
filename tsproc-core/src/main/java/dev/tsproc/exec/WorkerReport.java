package dev.tsproc.exec;

import java.time.Duration;

/**
 * One worker's part in a run.
 *
 * @param worker           the worker's name
 * @param pid              its process: a worker JVM, or the coordinator itself for threads
 * @param startup          time from starting its JVM until it was ready, or zero for threads
 * @param peakRssBytes     its process's highest resident set during the job (shared store
 *                         pages included), or -1 where not measured per worker
 * @param peakPrivateBytes its process's highest private memory seen at the end of a batch, or -1
 */
public record WorkerReport(String worker, long pid, Duration startup, long peakRssBytes, long peakPrivateBytes) {}
