package dev.tsproc.exec;

import dev.tsproc.observe.Timeline;

import java.util.List;

import java.time.Duration;

/**
 * A job's result and how the run went.
 *
 * @param result   the job's finished result
 * @param job      the job's name
 * @param rows     rows processed
 * @param batches  batches processed
 * @param workers  workers used
 * @param elapsed  wall time from asking the workers to open the job to the finished result (ending
 *                 the job in the workers afterwards is clean-up, not counted)
 * @param timeline every batch's times and memory, as the run's events told them (the same
 *                 account progress, logs and reports are made from)
 * @param workerReports every worker's report (process, start-up, peak memory), in order of name
 * @param coordinatorPeakPrivateBytes the coordinator's highest private memory seen as batches
 *                 ended, or -1
 */
public record RunResult<R>(R result, String job, long rows, long batches, int workers, Duration elapsed, Timeline timeline,
                           List<WorkerReport> workerReports, long coordinatorPeakPrivateBytes) {
    public RunResult {
        workerReports = List.copyOf(workerReports);
    }
}
