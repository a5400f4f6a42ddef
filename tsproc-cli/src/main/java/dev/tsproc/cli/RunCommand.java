package dev.tsproc.cli;

import dev.tsproc.exec.Coordinator;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.exec.TaskGroup;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.BuiltinJob;
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
            description = "stats, count, missing, sum, mean, min, max or stddev. Default: ${DEFAULT-VALUE}.")
    String job;

    @Option(names = "--workers", description = "Worker threads. Default: all cores.")
    Integer workers;

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

    @Mixin
    QueryOptions query;

    @Override
    public Integer call() throws Exception {
        QueryRun.check(spec.commandLine(), query);
        int workerCount = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        Checks.atLeast(spec, "--workers", workerCount, 1);
        Checks.atLeast(spec, "--batch-rows", batchRows, 1);
        if (defaultRows != null && file != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rows applies only to the default dataset, not to a FILE");
        }
        BuiltinJob builtin;
        try {
            builtin = BuiltinJob.named(job);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        TaskGroup.Policy policy = switch (onFailure.toLowerCase(Locale.ROOT)) {
            case "cancel" -> TaskGroup.Policy.CANCEL;
            case "collect" -> TaskGroup.Policy.COLLECT;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --on-failure '" + onFailure + "'; choose cancel or collect");
        };
        RunOptions options = new RunOptions(workerCount, batchRows, policy);
        try (ShutdownGuard guard = new ShutdownGuard()) {
            if (file != null) {
                return runOn(file, builtin, options);
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
                return runOn(store, builtin, options);
            }
        }
    }

    private int runOn(Path path, BuiltinJob builtin, RunOptions options) throws Exception {
        try (Store store = Store.open(path)) {
            if (verify) {
                store.verifyChecksums();
            }
            if (query.isQuery()) {
                return QueryRun.run(spec.commandLine(), store, query, options, format);
            }
            RunResult<Stats> run = Coordinator.run(store, builtin, options);
            PrintWriter out = spec.commandLine().getOut();
            StatsPrinter.print(run.result(), format, out);
            double seconds = run.elapsed().toNanos() / 1e9;
            spec.commandLine().getErr().printf(Locale.ROOT,
                    "%s over %,d rows in %.3f s: %d batches on %d worker threads, %.1f M rows/s%n",
                    builtin.name(), run.rows(), seconds, run.batches(), run.workers(),
                    seconds == 0 ? 0 : run.rows() / seconds / 1e6);
            return ExitCodes.OK;
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
