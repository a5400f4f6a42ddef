package dev.tsproc.cli.command;

import dev.tsproc.Tsproc;
import dev.tsproc.cli.output.OutputFormat;
import dev.tsproc.cli.output.Progress;
import dev.tsproc.exec.ClusterExecutor;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.RunResult;
import dev.tsproc.observe.RunListener;
import dev.tsproc.ingest.ColumnarFormat;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.job.QueryResult;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.VerifiedMarks;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * {@code tsproc run --executor spark}: the run on a cluster engine the CLI does not carry, over a
 * store or over Parquet files the engine reads itself (with the import's column options). The
 * engine is found with {@link ServiceLoader} as a {@link ClusterExecutor} ({@code tsproc-spark}
 * provides one), so Spark's jars are on the class path only of the runs that ask for it —
 * bin/tsproc adds them then — and every other start stays as quick as it was.
 */
final class ClusterRun {
    /** The options of {@code run} that say how threads or worker JVMs work, which a cluster does its own way. */
    private static final List<String> LOCAL_ONLY = List.of("--workers", "--transfer", "--batch-timeout", "--retries",
            "--on-failure", "--rows");
    private static final String SPARK = "spark";

    private final RunCommand run;

    ClusterRun(RunCommand run) {
        this.run = run;
    }

    /** Whether {@code --executor} names a cluster engine. */
    static boolean asked(String executor) {
        return SPARK.equals(executor.strip().toLowerCase(Locale.ROOT));
    }

    int call() throws Exception {
        CommandLine cli = run.spec.commandLine();
        for (String option : LOCAL_ONLY) {
            if (cli.getParseResult().hasMatchedOption(option)) {
                throw new CommandLine.ParameterException(cli, option + " does not apply to --executor spark, which runs"
                        + " on Spark's executors");
            }
        }
        if (run.file == null) {
            throw new CommandLine.ParameterException(cli, "--executor spark needs a store FILE that every executor can"
                    + " read at its path");
        }
        ColumnarFormat format = ColumnarFormat.of(run.file);
        if (format == ColumnarFormat.ARROW) {
            throw new CommandLine.ParameterException(cli, "--executor spark reads stores and Parquet; import " + run.file
                    + " first (tsproc import " + run.file + " --out STORE) to a path every executor can read");
        }
        if (format == ColumnarFormat.NONE) {
            run.refuseColumnOptions();
        } else if (run.verify) {
            throw new CommandLine.ParameterException(cli, "--verify applies to stores; Spark reads " + run.file
                    + " with Parquet's own checks");
        }
        OutputFormat resultFormat = run.resultFormat();
        JobRequest request = run.request(Executor.Kind.PROCESSES, resultFormat); // its partials must travel, as to worker JVMs
        PrintWriter err = cli.getErr();
        if (format == ColumnarFormat.PARQUET) {
            ParquetOptions columns = run.columnOptions(1);
            return ShutdownGuard.run(err, () -> {
                ClusterExecutor spark = find();
                RunResult<?> result = observed(request, 0, err, listener -> spark.run(run.file.toString(), columns, request,
                        run.master, run.batchRows, run.duration("--timeout", run.timeout), listener));
                return published(result, request, resultFormat, err);
            });
        }
        return ShutdownGuard.run(err, () -> {
            try (Tsproc ts = Tsproc.open(run.file)) {
                ClusterExecutor spark = find();
                if (run.verify) {
                    ts.store().verify();
                } else {
                    VerifiedMarks.ofUser().verifyOnce(ts.store()); // a damaged store must never answer
                }
                if (request instanceof JobRequest.Query) {
                    try {
                        Tsproc.check(request, ts.store(), Executor.Kind.PROCESSES); // a series the store lacks is a usage error
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(cli, e.getMessage());
                    }
                }
                RunResult<?> result = observed(request, ts.store().fileSize(), err, listener -> spark.run(ts.store(), request,
                        run.master, run.batchRows, run.duration("--timeout", run.timeout), listener));
                return published(result, request, resultFormat, err);
            }
        });
    }

    /** A run on the cluster engine, told to a listener. */
    @FunctionalInterface
    private interface ClusterCall {
        RunResult<?> run(RunListener listener) throws Exception;
    }

    /**
     * Runs {@code call} observed as the options say. Says first that Spark is starting, as the bar
     * shows nothing until its session is up (20-30 s the first time); on a terminal, points
     * {@code System.err}, which Spark's console log follows (log4j2-cli.properties), over the bar.
     */
    private RunResult<?> observed(JobRequest request, long mappedBytes, PrintWriter err, ClusterCall call) throws Exception {
        if (!run.quiet.quiet) {
            err.println("starting Spark" + (run.master != null ? " (" + run.master + ")" : "") + "...");
            err.flush();
        }
        PrintStream stderr = System.err;
        if (Progress.mode(run.quiet.quiet) == Progress.Mode.BAR) {
            System.setErr(Progress.linesOverTheBar(err));
        }
        try (ObserveOptions.Session observed = run.observe.new Session(request.describe(), mappedBytes, run.quiet.quiet, err)) {
            RunResult<?> result = call.run(observed.listener());
            observed.finished(result);
            return result;
        } finally {
            System.setErr(stderr);
        }
    }

    /** Publishes the result, and says on {@code err} what ran where, how fast. */
    private int published(RunResult<?> result, JobRequest request, OutputFormat resultFormat, PrintWriter err) throws Exception {
        run.publish(result, resultFormat);
        double seconds = result.elapsed().toNanos() / 1e9;
        run.quiet.summary(err).printf(Locale.ROOT, "%s over %s in %.3f s: %s%s on %s, %.1f M rows/s%n",
                result.job(), Plurals.count(result.rows(), "row", "rows"), seconds,
                result.result() instanceof QueryResult q && request instanceof JobRequest.Query
                        ? Plurals.count(q.rows().size(), "group", "groups") + ", " : "",
                Plurals.count(result.batches(), "batch", "batches"),
                Plurals.count(result.workers(), "Spark executor", "Spark executors"),
                seconds == 0 ? 0 : result.rows() / seconds / 1e6);
        return ExitCodes.OK;
    }

    /**
     * The engine {@code --executor spark} names, from the class path.
     *
     * @throws IllegalArgumentException in one sentence if it is not there, or Spark is not
     */
    private static ClusterExecutor find() {
        try {
            for (ClusterExecutor engine : ServiceLoader.load(ClusterExecutor.class)) {
                if (engine.name().equals(SPARK)) {
                    Class.forName("org.apache.spark.sql.SparkSession", false, engine.getClass().getClassLoader());
                    return engine;
                }
            }
        } catch (ServiceConfigurationError | ClassNotFoundException | LinkageError e) {
            // the module is there but Spark is not: the same answer as neither
        }
        throw new IllegalArgumentException("--executor spark needs tsproc-spark and Apache Spark on the class path;"
                + " run it through bin/tsproc, which adds them");
    }
}
