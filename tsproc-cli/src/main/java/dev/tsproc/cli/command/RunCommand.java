package dev.tsproc.cli.command;

import dev.tsproc.Tsproc;
import dev.tsproc.cli.output.OutputFormat;
import dev.tsproc.cli.output.Progress;
import dev.tsproc.cli.output.QueryPrinter;
import dev.tsproc.cli.output.Terminal;
import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.exec.Durations;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.ProcessExecutor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.exec.WorkerReport;
import dev.tsproc.ingest.ColumnarFormat;
import dev.tsproc.ingest.ExportTable;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.ingest.arrow.ArrowExporter;
import dev.tsproc.ingest.parquet.ParquetCodec;
import dev.tsproc.ingest.parquet.ParquetExporter;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.ResultTable;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.VerifiedMarks;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code tsproc run}: runs a job over a store, or over Parquet or Arrow files loaded for the run
 * into shared memory ({@link Tsproc#load}). Without a file, the built-in default: the talk's
 * workload generated in shared memory, summarised, and removed.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a job or query over a store, Parquet files or an Arrow file, on every core: in worker threads,"
                + " worker JVMs or Apache Spark's executors.",
                "Parquet (a file, a directory or a quoted glob) and Arrow files are loaded once into shared memory for"
                        + " the run, and removed after it.",
                "Without FILE: generate the talk's workload (" + RunCommand.DEFAULT_ROWS_TEXT
                        + " rows) in shared memory, run it, and remove it."})
public final class RunCommand implements Callable<Integer> {
    static final long DEFAULT_ROWS = 50_000_000L;
    static final String DEFAULT_ROWS_TEXT = "50 million";

    /**
     * Names of files taken for CSV, to which {@code run} says to import them first: loading them
     * for a run would bring the import's error policies and bad-line reports into run's options.
     */
    private static final Pattern CSV_NAME = Pattern.compile("(?i).*\\.(csv|tsv)(\\.gz)?");

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    QuietOption quiet;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "The store, or Parquet or Arrow files to load for the run. Omit for the built-in default dataset.")
    Path file;

    /** The column options, for Parquet and Arrow files; refused for a store, which has its columns already. */
    @Mixin
    ColumnOptions columns;

    @Option(names = "--job", defaultValue = "stats",
            description = {"stats, count, missing, sum, mean, min, max or stddev; or the class name of your own job "
                    + "(see --jar, --param). Default: ${DEFAULT-VALUE}."})
    String job;

    @Option(names = "--jar", paramLabel = "JAR",
            description = "A jar holding your own job class, for the coordinator and every worker; repeat for several.")
    List<Path> jars = new ArrayList<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE",
            description = "A parameter of your own job, passed to its constructor as text; repeat for several.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--workers", description = "Workers: threads or worker JVMs. Default: all cores.")
    Integer workers;

    @Option(names = "--executor", defaultValue = "threads",
            description = "threads (workers are threads of this JVM), processes (workers are JVMs of their own) or spark"
                    + " (Apache Spark's executors, see --master; bin/tsproc adds Spark to the class path). "
                    + "Default: ${DEFAULT-VALUE}.")
    String executor;

    @Option(names = "--master", paramLabel = "URL",
            description = "--executor spark: the Spark master, local[N] or spark://HOST:PORT. Default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--transfer", defaultValue = "shared",
            description = "shared (workers read their batches in the shared, memory-mapped store) or copy (each batch "
                    + "is copied to its worker first: the baseline the talk warns about). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--format", description = "table, csv or json; or arrow or parquet, a file for pyarrow, Polars and DuckDB"
            + " (--out FILE, or standard output redirected to a file, or for parquet a pipe; a query's answer only)."
            + " Default: table, or what --out's extension says.")
    OutputFormat format;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the result to FILE instead of standard output, as --format says or else as its extension does"
                    + " (csv, json, txt for the table, arrow, parquet). FILE must not exist, unless --force.")
    Path out;

    @Option(names = "--force", description = "With --out: replace FILE if it exists (atomically: readers see the old file or the new one).")
    boolean force;

    @Option(names = "--verify", description = "Verify all of the store's checksums and time order before running, not only the rows the query reads (reads all data once more).")
    boolean verify;

    @Option(names = "--rows", description = "Rows of the built-in default dataset. Default: " + DEFAULT_ROWS_TEXT + ".")
    Long defaultRows;

    @Mixin
    QueryOptions query;

    @Mixin
    ObserveOptions observe;

    @Override
    public Integer call() throws Exception {
        QueryRun.check(spec.commandLine(), query);
        int workerCount = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        Checks.atLeast(spec, "--workers", workerCount, 1);
        Checks.atLeast(spec, "--batch-rows", batchRows, 1);
        if (defaultRows != null && file != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rows applies only to the default dataset, not to a FILE");
        }
        Checks.atLeast(spec, "--retries", retries, 0);
        if (ClusterRun.asked(executor)) {
            return new ClusterRun(this).call();
        }
        if (master != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--master applies only to --executor spark");
        }
        OutputFormat resultFormat = resultFormat();
        JobRequest request = request(executorKind(), resultFormat);
        TaskGroup.Policy policy = switch (onFailure.toLowerCase(Locale.ROOT)) {
            case "cancel" -> TaskGroup.Policy.CANCEL;
            case "collect" -> TaskGroup.Policy.COLLECT;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --on-failure '" + onFailure + "'; choose cancel or collect");
        };
        RunOptions options = new RunOptions(workerCount, batchRows, policy, executorKind(),
                Checks.transfer(spec, "--transfer", transfer),
                duration("--timeout", timeout), duration("--batch-timeout", batchTimeout), retries);
        return ShutdownGuard.run(spec.commandLine().getErr(), () -> runGuarded(options, workerCount, request, resultFormat));
    }

    /**
     * The format of the result: {@code --format}, else what {@code --out}'s extension says, else a
     * table. Fails before any work if {@code --out} names a file that exists without {@code --force},
     * or one whose format is not known.
     */
    OutputFormat resultFormat() throws IOException {
        if (out == null) {
            if (force) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--force applies only with --out FILE");
            }
            if (format != null && format.isBinary()) {
                requireBinaryStandardOutput();
            }
            return format == null ? OutputFormat.table : format;
        }
        Errors.requireOutput(out, force);
        if (format != null) {
            return format;
        }
        return OutputFormat.ofFileName(out).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                "cannot tell the format of " + out + " from its name; name it .csv, .json, .txt, .arrow or .parquet, or say --format"));
    }

    /**
     * Fails unless standard output can take a binary result: not a terminal, and for Arrow, whose
     * writer writes at positions in the file, a file rather than a pipe.
     */
    private void requireBinaryStandardOutput() {
        if (Terminal.isStandardOutput()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format " + format
                    + " writes a binary file, of no use on a terminal; add --out FILE, or redirect standard output to a file");
        }
        if (format == OutputFormat.arrow && !Files.isRegularFile(STANDARD_OUTPUT)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format arrow writes at positions in a file,"
                    + " and standard output here is not a file but a pipe or device; add --out FILE");
        }
    }

    /** Standard output, as the file or pipe it is (Linux's view of this process's descriptor 1). */
    private static final Path STANDARD_OUTPUT = Path.of("/proc/self/fd/1");

    private int runGuarded(RunOptions options, int workerCount, JobRequest request, OutputFormat resultFormat) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Sweep.atStartup(err);
        if (file != null) {
            if (ColumnarFormat.of(file) == ColumnarFormat.NONE) {
                refuseColumnOptions();
                if (CSV_NAME.matcher(file.getFileName().toString()).matches()) {
                    throw new IllegalArgumentException(file + " looks like CSV, which run does not read; import it first:"
                            + " tsproc import " + file + " --out STORE");
                }
                try (Tsproc ts = Tsproc.open(file, processes())) {
                    return runOn(ts, false, request, options, resultFormat);
                }
            }
            // Only what the run reads is loaded: a series column not grouped or filtered by is not decoded, and
            // Parquet row groups outside a query's --from/--to (by their statistics) are not read.
            ParquetOptions loaded = columnOptions(workerCount).readingSeries(request.readsSeries());
            if (request instanceof JobRequest.Query asked) {
                loaded = loaded.within(asked.spec().fromNanos(), asked.spec().toNanos());
            }
            try (Tsproc ts = Tsproc.load(file, loaded, processes())) {
                quiet.summary(err).printf(Locale.ROOT, "loaded %,d rows of %s into shared memory in %.3f s%n",
                        ts.store().rowCount(), file, ts.loadNanos() / 1e9);
                return runOn(ts, true, request, options, resultFormat);
            }
        }
        long rows = defaultRows == null ? DEFAULT_ROWS : defaultRows;
        Checks.atLeast(spec, "--rows", rows, 0);
        try (SharedSegments shm = SharedSegments.create()) {
            Path store = shm.newStorePath();
            long start = System.nanoTime();
            try (Progress progress = new Progress("generate", rows, Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
                Generator.generate(GeneratorSpec.talk(rows), store, workerCount, progress::advanceTo);
            }
            quiet.summary(err).printf(Locale.ROOT, "generated the talk's workload: %,d rows in shared memory in %.3f s%n", rows, seconds(start));
            try (Tsproc ts = Tsproc.open(store, processes())) {
                return runOn(ts, true, request, options, resultFormat);
            }
        }
    }

    /** Worker processes' settings: their messages go to standard error. */
    private ProcessExecutor.Config processes() {
        return ProcessExecutor.Config.defaults().withWorkerLog(spec.commandLine().getErr()::println);
    }

    /** The column options, for Parquet or Arrow files read on {@code threads} threads. */
    ParquetOptions columnOptions(int threads) {
        try {
            return columns.parquet(threads);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The column options read files; a store has its columns already, so naming them is a mistake, not a no-op. */
    void refuseColumnOptions() {
        String given = columns.firstGiven();
        if (given != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    given + " applies to Parquet and Arrow files only; " + file + " is neither");
        }
    }

    Duration duration(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    /**
     * What the command line asks to run: the query its query options describe, or the job --job,
     * --param and --jar name, checked to be creatable on {@code checkedFor}'s workers and printable in
     * {@code resultFormat}.
     */
    JobRequest request(Executor.Kind checkedFor, OutputFormat resultFormat) {
        try {
            if (query.isQuery()) {
                return JobRequest.query(query.spec());
            }
            JobRequest request = JobRequest.named(job, params, jars);
            if (resultFormat.isBinary() && request instanceof JobRequest.Custom) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format " + resultFormat
                        + " writes a query's answer, and " + job + " is a job of your own; choose table, csv or json");
            }
            if (request instanceof JobRequest.Custom) {
                Tsproc.check(request, null, checkedFor); // a class that is not there is a usage error, before any work
            }
            return request;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Executor.Kind executorKind() {
        try {
            return Checks.executor(spec, "--executor", executor);
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --executor '" + executor + "'; choose threads, processes or spark");
        }
    }

    /**
     * Runs {@code request} over {@code ts}'s store through the library's front door, observed as
     * {@link ObserveOptions} say, and prints the answer. A store this run did not write itself
     * ({@code written} false) is checked as its batches read it (version 2), or, a version-1
     * store, verified whole first unless it was since it last changed.
     */
    private int runOn(Tsproc ts, boolean written, JobRequest request, RunOptions options, OutputFormat resultFormat)
            throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (verify) {
            ts.store().verify();
        } else if (!written && !ts.store().checksBlocksAsRead()) {
            VerifiedMarks.ofUser().verifyOnce(ts.store()); // a version-1 store: a damaged store must never answer
        }
        if (request instanceof JobRequest.Query) {
            try {
                Tsproc.check(request, ts.store(), options.executor()); // a series the store lacks is a usage error
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        try (ObserveOptions.Session observed = observe.new Session(request.describe(), ts.store().fileSize(), quiet.quiet,
                err)) {
            RunResult<?> run = ts.run(request, observed.options(options));
            observed.finished(run);
            publish(run, resultFormat);
            report(run, options, request instanceof JobRequest.Query && run.result() instanceof QueryResult rows
                    ? Plurals.count(rows.rows().size(), "group", "groups") + ", " : "");
        }
        return ExitCodes.OK;
    }

    /** Prints the result on standard output, or writes it to {@code --out}'s file and publishes it whole. */
    void publish(RunResult<?> run, OutputFormat resultFormat) throws IOException, InterruptedException {
        if (out == null && resultFormat.isBinary()) {
            // Standard output redirected to a file or pipe (checked before the run); descriptor 1 stays open.
            spec.commandLine().getOut().flush();
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            writeBinary(run, resultFormat, stdout.getChannel(), new BufferedOutputStream(stdout, 1 << 16));
            return;
        }
        if (out == null) {
            QueryPrinter.printResult(run.job(), run.result(), resultFormat, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return;
        }
        try (AtomicFile file = force ? AtomicFile.replace(out) : AtomicFile.create(out)) {
            if (resultFormat.isBinary()) {
                writeBinary(run, resultFormat, file.channel(), file.outputStream());
            } else {
                QueryPrinter.printResult(run.job(), run.result(), resultFormat, file.writer());
            }
            file.commit();
        }
    }

    /** Writes a query's answer as Arrow into {@code channel} (from position 0) or as Parquet into {@code stream}. */
    private static void writeBinary(RunResult<?> run, OutputFormat resultFormat, FileChannel channel, OutputStream stream)
            throws IOException, InterruptedException {
        // only queries get here (call() refuses a custom job), and a built-in job is a query
        ExportTable table = ResultTable.of((QueryResult) run.result());
        if (resultFormat == OutputFormat.arrow) {
            ArrowExporter.write(table, channel);
        } else {
            ParquetExporter.write(table, stream, new ParquetExporter.Options(ParquetCodec.SNAPPY, 1));
            stream.flush();
        }
    }

    /**
     * The closing line on standard error: how much, how fast, on what, how long worker JVMs took
     * to start, and how long loading files took before the run (not part of its time).
     */
    private void report(RunResult<?> run, RunOptions options, String groups) {
        double seconds = run.elapsed().toNanos() / 1e9;
        String startup = options.executor() == Executor.Kind.THREADS ? "" : String.format(Locale.ROOT,
                "; worker JVMs started in %.3f s", run.workerReports().stream().map(WorkerReport::startup)
                        .max(Duration::compareTo).orElse(Duration.ZERO).toNanos() / 1e9);
        quiet.summary(spec.commandLine().getErr()).printf(Locale.ROOT,
                "%s over %s in %.3f s: %s%s on %s, %s transfer, %.1f M rows/s%s%s%n",
                run.job(), Plurals.count(run.rows(), "row", "rows"), seconds, groups, Plurals.count(run.batches(), "batch", "batches"),
                options.executor() == Executor.Kind.THREADS ? Plurals.count(run.workers(), "worker thread", "worker threads")
                        : Plurals.count(run.workers(), "worker JVM", "worker JVMs"), options.transfer().label(),
                seconds == 0 ? 0 : run.rows() / seconds / 1e6, startup, run.timeline().loadNanos() == 0 ? ""
                        : String.format(Locale.ROOT, "; files loaded before in %.3f s", run.timeline().loadNanos() / 1e9));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
