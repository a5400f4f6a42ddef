package dev.tsproc.exec;

import java.time.Duration;

/**
 * A job's result and how the run went.
 *
 * @param result   the job's finished result
 * @param rows     rows processed
 * @param batches  batches processed
 * @param workers  workers used
 * @param elapsed  wall time from asking the workers to open the job to the finished result (ending
 *                 the job in the workers afterwards is clean-up, not counted)
 * @param timeline every batch's times and memory, every worker's report
 */
public record RunResult<R>(R result, long rows, long batches, int workers, Duration elapsed, Timeline timeline) {}
