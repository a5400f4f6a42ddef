package dev.tsproc.exec;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.observe.RunListener;
import dev.tsproc.plan.Plan;

import java.time.Duration;

/**
 * How to run a job.
 *
 * @param workers   workers, at least 1: threads, or worker JVMs
 * @param batchRows rows per batch, at least 1; independent of {@code workers}
 * @param onFailure whether the first failure cancels the rest or all batches run
 * @param executor  worker threads or worker processes
 * @param transfer  whether workers read batches in shared memory or get copies
 * @param timeout   the whole job's deadline, measured from its start; {@code null} for none
 * @param batchTimeout each batch's deadline, measured from when a worker starts it; {@code null}
 *                  for none. A worker process that misses it is killed and its batch retried
 * @param retries   how often a batch whose worker process died (crashed, was killed, hung) is
 *                  run again on a fresh worker; at least 0. Threads are not retried: a thread
 *                  cannot crash alone
 * @param listener  told every batch's events (progress, log, timeline, status); see {@link RunListener}
 * @param clock     what deadlines and timings read; {@link NanoClock#SYSTEM} but in tests that advance time
 */
public record RunOptions(int workers, long batchRows, TaskGroup.Policy onFailure, Executor.Kind executor,
                         Transfer transfer, Duration timeout, Duration batchTimeout, int retries, RunListener listener,
                         NanoClock clock) {
    /** Default retries of a batch whose worker process died. */
    public static final int DEFAULT_RETRIES = 1;
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
        if (executor == null) {
            throw new IllegalArgumentException("executor must be given");
        }
        if (transfer == null) {
            throw new IllegalArgumentException("transfer must be given");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout=" + timeout + " must be positive");
        }
        if (batchTimeout != null && (batchTimeout.isNegative() || batchTimeout.isZero())) {
            throw new IllegalArgumentException("batchTimeout=" + batchTimeout + " must be positive");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries=" + retries + " must be at least 0");
        }
        if (listener == null) {
            listener = RunListener.NONE;
        }
        if (clock == null) {
            clock = NanoClock.SYSTEM;
        }
    }

    /** No listener. */
    public RunOptions(int workers, long batchRows, TaskGroup.Policy onFailure, Executor.Kind executor,
                      Transfer transfer, Duration timeout, Duration batchTimeout, int retries) {
        this(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, RunListener.NONE, NanoClock.SYSTEM);
    }

    /** No deadlines, {@link #DEFAULT_RETRIES} retries. */
    public RunOptions(int workers, long batchRows, TaskGroup.Policy onFailure, Executor.Kind executor, Transfer transfer) {
        this(workers, batchRows, onFailure, executor, transfer, null, null, DEFAULT_RETRIES);
    }

    /** Worker threads sharing the store. */
    public RunOptions(int workers, long batchRows, TaskGroup.Policy onFailure) {
        this(workers, batchRows, onFailure, Executor.Kind.THREADS, Transfer.SHARED);
    }

    /** All cores, default batch size, cancel on first failure, threads, shared memory. */
    public static RunOptions defaults() {
        return new RunOptions(Runtime.getRuntime().availableProcessors(), DEFAULT_BATCH_ROWS, TaskGroup.Policy.CANCEL);
    }

    /** Workers worth starting for a store of {@code rowCount} rows: no more than it has batches, at least 1. */
    public int workersFor(long rowCount) {
        return (int) Math.max(1, Math.min(workers, new Plan(rowCount, batchRows).batchCount()));
    }

    public RunOptions withWorkers(int workers) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withBatchRows(long batchRows) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withOnFailure(TaskGroup.Policy onFailure) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withExecutor(Executor.Kind executor) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withTransfer(Transfer transfer) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withTimeout(Duration timeout) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withBatchTimeout(Duration batchTimeout) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withRetries(int retries) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withListener(RunListener listener) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }

    public RunOptions withClock(NanoClock clock) {
        return new RunOptions(workers, batchRows, onFailure, executor, transfer, timeout, batchTimeout, retries, listener, clock);
    }
}
