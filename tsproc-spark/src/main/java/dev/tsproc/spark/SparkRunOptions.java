package dev.tsproc.spark;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.observe.RunListener;

import java.time.Duration;

/**
 * How {@link TsprocSpark} runs a job: the batch size (the answer does not depend on it), how many
 * Spark partitions the batches are grouped into, and the job's deadline.
 *
 * @param batchRows  rows per batch, at least 1; {@link RunOptions#DEFAULT_BATCH_ROWS} by default
 * @param partitions Spark partitions (tasks) of consecutive batches, at least 1; fewer if there
 *                   are fewer batches. 0 chooses twice Spark's default parallelism, so a slow
 *                   task leaves others work to do
 * @param timeout    cancel the job's Spark job group if it has not finished after this long; {@code null} for none
 * @param clock      what the deadline and the run's time read
 * @param listener   told the run's start and each batch's partial as it reaches the driver, with
 *                   its times on the executor (the progress bar, {@code --log}, the live status)
 */
public record SparkRunOptions(long batchRows, int partitions, Duration timeout, NanoClock clock, RunListener listener) {
    public SparkRunOptions {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows=" + batchRows + " must be at least 1");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions=" + partitions + " must be at least 1, or 0 for the default");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout=" + timeout + " must be positive");
        }
        if (clock == null) {
            clock = NanoClock.SYSTEM;
        }
        if (listener == null) {
            listener = RunListener.NONE;
        }
    }

    /** Default batches, partitions from Spark's parallelism, no deadline. */
    public static SparkRunOptions defaults() {
        return new SparkRunOptions(RunOptions.DEFAULT_BATCH_ROWS, 0, null, NanoClock.SYSTEM, null);
    }

    public SparkRunOptions withBatchRows(long batchRows) {
        return new SparkRunOptions(batchRows, partitions, timeout, clock, listener);
    }

    public SparkRunOptions withPartitions(int partitions) {
        return new SparkRunOptions(batchRows, partitions, timeout, clock, listener);
    }

    public SparkRunOptions withTimeout(Duration timeout) {
        return new SparkRunOptions(batchRows, partitions, timeout, clock, listener);
    }

    public SparkRunOptions withClock(NanoClock clock) {
        return new SparkRunOptions(batchRows, partitions, timeout, clock, listener);
    }

    public SparkRunOptions withListener(RunListener listener) {
        return new SparkRunOptions(batchRows, partitions, timeout, clock, listener);
    }
}
