package dev.tsproc.exec;

import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.observe.RunListener;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.time.Duration;

/**
 * An executor that runs a job request on a cluster engine this library does not carry — Apache
 * Spark, in module {@code tsproc-spark} — and gives the answer the executors here give, bit for
 * bit. The command line finds one with {@link java.util.ServiceLoader} when {@code --executor}
 * names it, so the engine's jars are needed only on the class path of runs that use it.
 *
 * @implSpec The implementation plans the same batches as {@link dev.tsproc.Tsproc} (the
 * {@link dev.tsproc.plan.Planner}), creates the job from the request wherever it maps batches,
 * and combines the partials in batch order.
 */
public interface ClusterExecutor {
    /** The name {@code --executor} gives it: {@code spark}. */
    String name();

    /**
     * Runs {@code request} over {@code store}, which every machine of the cluster reads at
     * {@link Store#path()}.
     *
     * @param master    where the cluster is ({@code local[2]}, {@code spark://host:7077}), or
     *                  {@code null} for the engine's own configuration or else this machine
     * @param batchRows rows per batch
     * @param timeout   the run's deadline, or {@code null} for none
     * @param listener  told the run's events as on one machine: its start, each batch's partial as
     *                  it arrives with its times on the cluster (the timeline's rows are the
     *                  engine's executors and their task slots)
     * @return the result, with a timeline of every batch as {@link dev.tsproc.Tsproc}'s has
     * @throws IllegalArgumentException in one sentence, if the job cannot be created
     * @throws JobFailedException       if a batch failed on every attempt the engine made
     * @throws JobTimedOutException     if the run missed its deadline; its work was cancelled
     * @throws IOException              if the engine failed the run for another reason
     */
    RunResult<?> run(Store store, JobRequest request, String master, long batchRows, Duration timeout, RunListener listener)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException;

    /**
     * Runs {@code request} over the Parquet files {@code parquet} names (a file, a directory or a
     * glob, as {@code tsproc import} takes them), which the engine reads itself, every machine at
     * the same paths; the columns are those an import of the files reads.
     *
     * @param columns the columns, chosen and read as an import chooses and reads them
     * @throws dev.tsproc.ingest.BadInputException in one sentence naming the file, if a file
     *                                             cannot be read as an import would read it
     * @see #run(Store, JobRequest, String, long, Duration, RunListener) for the rest
     */
    RunResult<?> run(String parquet, ParquetOptions columns, JobRequest request, String master, long batchRows,
                     Duration timeout, RunListener listener)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException;
}
