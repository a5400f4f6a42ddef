package dev.tsproc.exec;

import java.time.Duration;

/**
 * A job's result and how the run went.
 *
 * @param result   the job's finished result
 * @param rows     rows processed
 * @param batches  batches processed
 * @param workers  workers used
 * @param elapsed  wall time from the first batch handed out to the result
 * @param timeline every batch's times and memory, every worker's report
 */
public record RunResult<R>(R result, long rows, long batches, int workers, Duration elapsed, Timeline timeline) {}
