package dev.tsproc.cli;

import dev.tsproc.exec.Coordinator;
import dev.tsproc.exec.Durations;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.exec.TaskGroup;
import dev.tsproc.exec.Transfer;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.JobSpec;
import dev.tsproc.job.Stats;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tsproc run}: runs a job over a store. Without a file, the built-in default: the talk's
 * workload generated in shared memory, summarised, and removed.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a job over a store on every core.",
                "Without FILE: generate the talk's workload (" + RunCommand.DEFAULT_ROWS_TEXT
                        + " rows) in shared memory, run it, and remove it."})
final class RunCommand implements Callable<Integer> {
    static final long DEFAULT_ROWS = 50_000_000L;
    static final String DEFAULT_ROWS_TEXT = "50 million";

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    QuietOption quiet;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The store. Omit for the built-in default dataset.")
    Path file;

    @Option(names = "--job", defaultValue = "stats",
            description = "stats, count, missing, sum, mean, min, max or stddev, or the class name of your own job"
                    + " (on the class path or in --jar). Default: ${DEFAULT-VALUE}.")
    String job;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A parameter of your own job; repeatable.")
    java.util.Map<String, String> parameters = new java.util.LinkedHashMap<>();

    @Option(names = "--jar", paramLabel = "JAR", description = "A jar holding your own job's classes; repeatable.")
    java.util.List<Path> jars = new java.util.ArrayList<>();

    @Option(names = "--workers", description = "Workers (threads or processes). Default: all cores.")
    Integer workers;

    @Option(names = "--executor", defaultValue = "threads",
            description = "threads, or processes (worker JVMs: a crash is isolated and retried). Default: ${DEFAULT-VALUE}.")
    String executor;

    @Option(names = "--transfer", defaultValue = "shared",
            description = "shared (workers read the store in place) or copy (each batch is copied to its worker). Default: ${DEFAULT-VALUE}.")
    String transfer;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Cancel the job if it has not finished after DURATION (500ms, 30s, 2m, 1h or ISO-8601 PT30S); exit code "
                    + ExitCodes.TIMED_OUT + ". Default: none.")
    String timeout;

    @Option(names = "--batch-timeout", paramLabel = "DURATION",
            description = "Fail a batch that takes longer than DURATION; a worker process that does is killed and its batch"
                    + " retried. Default: none.")
    String batchTimeout;

    @Option(names = "--retries", defaultValue = "" + RunOptions.DEFAULT_RETRIES,
            description = "How often a batch whose worker process died, hung or missed its deadline is run again on a fresh"
                    + " worker. Default: ${DEFAULT-VALUE}.")
    int retries;

    @Option(names = "--batch-rows", defaultValue = "" + RunOptions.DEFAULT_BATCH_ROWS,
            description = "Rows per batch; the answer does not depend on it. Default: ${DEFAULT-VALUE}.")
    long batchRows;

    @Option(names = "--on-failure", defaultValue = "cancel",
            description = "cancel (the first failed batch stops the job) or collect (run all, report every failure). Default: ${DEFAULT-VALUE}.")
    String onFailure;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(names = "--verify", description = "Verify the store's checksums before running (reads all data once more).")
    boolean verify;

    @Option(names = "--rows", description = "Rows of the built-in default dataset. Default: " + DEFAULT_ROWS_TEXT + ".")
    Long defaultRows;

    @Override
    public Integer call() throws Exception {
        int workerCount = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        Checks.atLeast(spec, "--workers", workerCount, 1);
        Checks.atLeast(spec, "--batch-rows", batchRows, 1);
        if (defaultRows != null && file != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rows applies only to the default dataset, not to a FILE");
        }
        Checks.atLeast(spec, "--retries", retries, 0);
        JobSpec jobSpec;
        try {
            jobSpec = new JobSpec(job, parameters, jars.stream().map(Path::toAbsolutePath).toList());
            jobSpec.load().close(); // an unknown job or bad parameters are a usage error, before any work
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        TaskGroup.Policy policy = switch (onFailure.toLowerCase(Locale.ROOT)) {
            case "cancel" -> TaskGroup.Policy.CANCEL;
            case "collect" -> TaskGroup.Policy.COLLECT;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --on-failure '" + onFailure + "'; choose cancel or collect");
        };
        Executor.Kind kind = switch (executor.toLowerCase(Locale.ROOT)) {
            case "threads" -> Executor.Kind.THREADS;
            case "processes" -> Executor.Kind.PROCESSES;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --executor '" + executor + "'; choose threads or processes");
        };
        Transfer transferMode = switch (transfer.toLowerCase(Locale.ROOT)) {
            case "shared" -> Transfer.SHARED;
            case "copy" -> Transfer.COPY;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --transfer '" + transfer + "'; choose shared or copy");
        };
        RunOptions options = new RunOptions(workerCount, batchRows, policy, kind, transferMode,
                duration("--timeout", timeout), duration("--batch-timeout", batchTimeout), retries);
        try (ShutdownGuard guard = new ShutdownGuard()) {
            try {
                return runGuarded(options, workerCount, jobSpec);
            } catch (InterruptedException e) {
                // Report while the guard still holds the JVM open: once it closes, a signal's exit follows at once.
                return Errors.interrupted(e, spec.commandLine().getErr());
            }
        }
    }

    private int runGuarded(RunOptions options, int workerCount, JobSpec jobSpec) throws Exception {
        if (file != null) {
            return runOn(file, jobSpec, options);
        }
        long rows = defaultRows == null ? DEFAULT_ROWS : defaultRows;
        Checks.atLeast(spec, "--rows", rows, 0);
        try (SharedSegments shm = SharedSegments.create()) {
            Path store = shm.newStorePath();
            long start = System.nanoTime();
            try (Progress progress = new Progress("generate", rows, Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
                Generator.generate(GeneratorSpec.talk(rows), store, workerCount, progress::advanceTo);
            }
            spec.commandLine().getErr().printf(Locale.ROOT,
                    "generated the talk's workload: %,d rows in shared memory in %.3f s%n", rows, seconds(start));
            return runOn(store, jobSpec, options);
        }
    }

    private Duration duration(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private int runOn(Path path, JobSpec jobSpec, RunOptions options) throws Exception {
        try (Store store = Store.open(path)) {
            if (verify) {
                store.verifyChecksums();
            }
            RunResult<?> run = Coordinator.run(store, jobSpec, options);
            PrintWriter out = spec.commandLine().getOut();
            if (run.result() instanceof Stats stats) {
                StatsPrinter.print(stats, format, out);
            } else {
                out.println(run.result());
            }
            double seconds = run.elapsed().toNanos() / 1e9;
            spec.commandLine().getErr().printf(Locale.ROOT,
                    "%s over %,d rows in %.3f s: %d batches on %d worker %s, %.1f M rows/s%n",
                    jobSpec.name(), run.rows(), seconds, run.batches(), run.workers(),
                    options.executor() == Executor.Kind.THREADS ? "threads" : "processes",
                    seconds == 0 ? 0 : run.rows() / seconds / 1e6);
            return ExitCodes.OK;
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
