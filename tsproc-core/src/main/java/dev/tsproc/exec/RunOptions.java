package dev.tsproc.exec;

/**
 * How to run a job.
 *
 * @param workers   worker threads, at least 1
 * @param batchRows rows per batch, at least 1; independent of {@code workers}
 * @param onFailure whether the first failure cancels the rest or all batches run
 */
public record RunOptions(int workers, long batchRows, TaskGroup.Policy onFailure) {
    /** Default rows per batch: 1M rows, 8 MB of values — large enough to amortise scheduling,
     *  small enough to spread over many cores and to bound a retried batch's cost. */
    public static final long DEFAULT_BATCH_ROWS = 1L << 20;

    public RunOptions {
        if (workers < 1) {
            throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows=" + batchRows + " must be at least 1");
        }
        if (onFailure == null) {
            throw new IllegalArgumentException("onFailure must be given");
        }
    }

    /** All cores, default batch size, cancel on first failure. */
    public static RunOptions defaults() {
        return new RunOptions(Runtime.getRuntime().availableProcessors(), DEFAULT_BATCH_ROWS, TaskGroup.Policy.CANCEL);
    }

    public RunOptions withWorkers(int workers) {
        return new RunOptions(workers, batchRows, onFailure);
    }

    public RunOptions withBatchRows(long batchRows) {
        return new RunOptions(workers, batchRows, onFailure);
    }

    public RunOptions withOnFailure(TaskGroup.Policy onFailure) {
        return new RunOptions(workers, batchRows, onFailure);
    }
}
