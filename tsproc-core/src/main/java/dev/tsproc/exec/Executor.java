package dev.tsproc.exec;

import dev.tsproc.observe.MemorySample;
import dev.tsproc.job.Job;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where batches run: on worker threads in this JVM ({@link ThreadExecutor}) or in worker JVMs
 * ({@link ProcessExecutor}). The {@link Coordinator} schedules and combines the same way for
 * both; an executor only provides the workers. {@link dev.tsproc.Tsproc} chooses one for each
 * run, or runs on one its caller keeps:
 *
 * {@snippet :
 * try (ProcessExecutor pool = ProcessExecutor.start(4, ProcessExecutor.Config.defaults());
 *      Tsproc ts = Tsproc.open(path)) {
 *     for (Transfer transfer : Transfer.values()) {   // one warm pool, several jobs
 *         RunResult<?> run = ts.run(JobRequest.builtin("sum"), RunOptions.defaults().withTransfer(transfer), pool);
 *     }
 * }
 * }
 *
 * <p>An executor is kept for as many jobs as its owner likes, one job at a time; closing it
 * ends its workers.
 */
public interface Executor extends AutoCloseable {

    /** The kinds of executor. */
    enum Kind {
        /** Worker threads in the coordinator's JVM. */
        THREADS,
        /** Worker JVMs, isolated from the coordinator and each other. */
        PROCESSES;

        /** The name used on the command line and in reports. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which kind this is. */
    Kind kind();

    /** How many workers it has. */
    int workers();

    /**
     * Prepares {@code workers} of the workers (at most {@link #workers()}) to run batches of
     * {@code job} over {@code store}.
     *
     * @param request  the job as plain data, for workers that must create it themselves
     * @param transfer how batches reach the workers
     */
    <P> Session<P> open(Store store, Job<P, ?> job, JobRequest request, Transfer transfer, int workers)
            throws IOException, InterruptedException;

    /** Ends the workers. */
    @Override
    void close();

    /**
     * One job's use of an executor's workers.
     *
     * @param <P> the job's partial type
     */
    interface Session<P> extends AutoCloseable {
        /** One runner per worker; each is used by one task at a time. */
        List<BatchRunner<P>> runners();

        /** Ends the job in every worker; {@link #reports()} is complete afterwards. */
        @Override
        void close();

        /** What each worker reported about the job. */
        List<WorkerReport> reports();
    }

    /**
     * Runs batches on one worker.
     *
     * @param <P> the job's partial type
     */
    interface BatchRunner<P> {
        /** The worker's name, for reports and errors. */
        String worker();

        /**
         * Runs {@code batch} and returns its partial and times.
         *
         * @param timeout       how long the batch may take once the worker starts it; {@code null}
         *                      for no limit
         * @param computing     run once when the worker begins computing the batch (for a worker
         *                      process: when the coordinator hears so), so the run's live state
         *                      shows it while it computes
         * @throws InterruptedException if cancelled; the batch has stopped in the worker
         * @throws java.util.concurrent.TimeoutException if the batch missed its deadline and
         *         was stopped (threads); a worker process that misses it is killed and
         *         reported lost instead
         */
        Ran<P> run(Batch batch, Duration timeout, Runnable computing) throws Exception;

        /**
         * Whether {@code error}, thrown by {@link #run}, means the worker itself was lost
         * (crashed, killed, hung) rather than that the batch failed: only such batches are
         * retried, on a {@linkplain #replaceWorker() fresh worker}.
         */
        default boolean lostWorker(Throwable error) {
            return false;
        }

        /**
         * Whether the worker is already lost before it is given a batch: it died while idle, or
         * was lost on an earlier batch that was not run again (no retries left, or
         * {@code --on-failure collect} going on). Such a worker is {@linkplain #replaceWorker()
         * replaced} before the batch, which is no retry: no work of the batch was lost.
         */
        default boolean workerLost() {
            return false;
        }

        /**
         * Replaces a lost worker with a fresh one that has the job open; this runner then runs
         * batches there.
         *
         * @throws UnsupportedOperationException if this kind of worker cannot be replaced
         */
        default void replaceWorker() throws IOException, InterruptedException {
            throw new UnsupportedOperationException(worker() + " cannot be replaced");
        }
    }

    /**
     * A batch's partial, when the worker had its data and computed it (on the executor's clock),
     * and the memory of the process that computed it, at the end of its computation.
     */
    record Ran<P>(P partial, long receivedNanos, long computeStartNanos, long computeEndNanos, MemorySample memory) {}
}
