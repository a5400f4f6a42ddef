package dev.tsproc.spark;

import dev.tsproc.exec.ClusterExecutor;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.observe.RunListener;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;

/**
 * {@code tsproc run --executor spark}, over a store or Parquet files: {@link TsprocSpark} behind the command line's
 * {@link ClusterExecutor}. It uses the Spark session already active in this JVM (under
 * {@code spark-submit}, or a test's), or starts one on {@code master} and stops it after the run.
 */
public final class SparkExecutor implements ClusterExecutor {
    /** The master when neither the command line nor Spark's configuration names one: every core here. */
    static final String DEFAULT_MASTER = "local[*]";

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public RunResult<?> run(Store store, JobRequest request, String master, long batchRows, Duration timeout,
                            RunListener listener)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        SparkRunOptions options = options(batchRows, timeout, listener);
        return inSession(master, timeout, request, spark -> TsprocSpark.run(spark, store, request, options));
    }

    @Override
    public RunResult<?> run(String parquet, ParquetOptions columns, JobRequest request, String master, long batchRows,
                            Duration timeout, RunListener listener)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        SparkRunOptions options = options(batchRows, timeout, listener);
        return inSession(master, timeout, request, spark -> TsprocSpark.run(spark, parquet, columns, request, options));
    }

    private static SparkRunOptions options(long batchRows, Duration timeout, RunListener listener) {
        return SparkRunOptions.defaults().withBatchRows(batchRows).withTimeout(timeout).withListener(listener);
    }

    /** A run in a Spark session: one of its own, or one started (and stopped after) on {@code master}. */
    @FunctionalInterface
    private interface SparkRun {
        RunResult<?> run(SparkSession spark) throws IOException, JobFailedException, JobTimedOutException, InterruptedException;
    }

    /** Runs {@code run} in the active session, or in one started on {@code master}, checked first to be reachable ({@link SparkMaster}). */
    private static RunResult<?> inSession(String master, Duration timeout, JobRequest request, SparkRun run)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        SparkSession active = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
        if (active != null) {
            return run.run(active);
        }
        SparkMaster.requireReachable(master != null ? master : System.getProperty("spark.master"), timeout);
        SparkSession.Builder builder = SparkSession.builder().appName("tsproc " + request.describe());
        if (master != null) {
            builder.master(master);
        } else if (System.getProperty("spark.master") == null) {
            builder.master(DEFAULT_MASTER);
        }
        SparkSession spark = builder.getOrCreate();
        try {
            return run.run(spark);
        } catch (IllegalStateException e) {
            if (!spark.sparkContext().isStopped()) {
                throw e;
            }
            // Spark stops its context when its master does not take the application, and fails the job so.
            ConnectException refused = new ConnectException("Spark stopped before the run ended: the master at "
                    + spark.sparkContext().master() + " did not take the application (Spark's log above says why);"
                    + " check --master and that the master runs");
            refused.initCause(e);
            throw refused;
        } finally {
            spark.stop();
        }
    }
}
