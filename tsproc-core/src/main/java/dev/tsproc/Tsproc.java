package dev.tsproc;

import dev.tsproc.exec.Coordinator;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.ProcessExecutor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.exec.ThreadExecutor;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.ColumnarFormat;
import dev.tsproc.ingest.arrow.ArrowImporter;
import dev.tsproc.ingest.parquet.ParquetImporter;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.ingest.parquet.ParquetSources;
import dev.tsproc.job.Job;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Plan;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.Objects;

/**
 * The library's entry point — and the command line's: open a store, then query it, run a job
 * request on it, or run a job object of your own.
 *
 * {@snippet class=dev.tsproc.TsprocExamples region=query}
 *
 * {@snippet class=dev.tsproc.TsprocExamples region=custom-job}
 *
 * <p>Every run takes one path: the request is resolved to a job, the {@link Planner} cuts the
 * batches, this class chooses the executor {@link RunOptions#executor()} asks for (the only
 * place one is chosen) unless the caller brings a pool of its own, and the
 * {@link Coordinator} runs the plan, watched by one {@link dev.tsproc.observe.Run} that tells
 * {@link RunOptions#listener()} each event as it happens.
 *
 * <p>A {@code Tsproc} opened from a path owns its {@link Store} and unmaps it on {@link #close()};
 * results returned before that hold no reference to the store. One {@linkplain #load loaded} from
 * Parquet or Arrow files also owns the copy in shared memory, and removes it on close. Runs may
 * go from several threads at once on one {@code Tsproc}; each run has its own workers.
 */
public final class Tsproc implements AutoCloseable {
    private final Store store;
    private final boolean owned;
    private final ProcessExecutor.Config processes;
    /** The run directory in shared memory holding a loaded store, or null. */
    private final SharedSegments loadedInto;
    private final long loadNanos;

    private Tsproc(Store store, boolean owned, ProcessExecutor.Config processes, SharedSegments loadedInto, long loadNanos) {
        this.store = store;
        this.owned = owned;
        this.processes = processes;
        this.loadedInto = loadedInto;
        this.loadNanos = loadNanos;
    }

    /**
     * Opens (memory-maps) the store at {@code path}.
     *
     * @throws IOException if the file cannot be read or is not a valid store
     */
    public static Tsproc open(Path path) throws IOException {
        return open(path, ProcessExecutor.Config.defaults());
    }

    /**
     * Opens the store at {@code path}; worker processes, when a run asks for them, are started
     * with {@code processes} (JVM options, where their stderr goes, …) and may open this store.
     *
     * @throws IOException if the file cannot be read or is not a valid store
     */
    public static Tsproc open(Path path, ProcessExecutor.Config processes) throws IOException {
        return new Tsproc(Store.open(path), true, Objects.requireNonNull(processes, "processes"), null, 0);
    }

    /**
     * Queries files where they lie: loads the columns of the Parquet file, directory or glob, or
     * the Arrow IPC file, that {@code source} names (see {@link ColumnarFormat}) once into a store
     * in a run directory of its own in shared memory, which every worker maps instead of reading
     * the files again. {@link #close()} removes it; so does {@code tsproc clean} if this process
     * dies first. Each run's timeline carries the load time ({@link dev.tsproc.observe.Timeline#loadNanos()}).
     *
     * @param columns which columns hold timestamps, values and series, as for an import, and
     *                whether to read the series at all: {@link ParquetOptions#readingSeries}
     *                {@code (request.readsSeries())} loads only what a run of {@code request}
     *                needs ({@link JobRequest#readsSeries()}); a run that needs series then
     *                fails in one sentence on a store loaded without them. Likewise
     *                {@link ParquetOptions#within} leaves out Parquet row groups outside a
     *                query's time range; a run over other times then finds fewer rows
     * @throws BadInputException                   if {@code source} is neither Parquet nor Arrow,
     *                                             or cannot be read as such; nothing is left behind
     * @throws IOException                         on an I/O error; nothing is left behind
     * @throws InterruptedException                if interrupted; nothing is left behind
     */
    public static Tsproc load(Path source, ParquetOptions columns, ProcessExecutor.Config processes)
            throws IOException, InterruptedException {
        Objects.requireNonNull(processes, "processes");
        ColumnarFormat format = ColumnarFormat.of(source);
        if (format == ColumnarFormat.NONE) {
            throw new BadInputException(source, "it is neither a Parquet file, directory or glob nor an Arrow file");
        }
        SharedSegments shm = SharedSegments.create();
        try {
            Path path = shm.newStorePath();
            long start = System.nanoTime();
            if (format == ColumnarFormat.ARROW) {
                ArrowImporter.importFile(source, path, columns);
            } else {
                ParquetImporter.importFiles(source, ParquetSources.resolve(source.toString()), path, columns, _ -> { });
            }
            long nanos = System.nanoTime() - start;
            return new Tsproc(Store.open(path), true, processes, shm, nanos);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                shm.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Wraps an open store; {@link #close()} then leaves it open. */
    public static Tsproc of(Store store) {
        return new Tsproc(Objects.requireNonNull(store, "store"), false, ProcessExecutor.Config.defaults(), null, 0);
    }

    /** The store. */
    public Store store() {
        return store;
    }

    /** How long {@link #load} took to write the store, in nanoseconds; 0 for a store opened as it was. */
    public long loadNanos() {
        return loadNanos;
    }

    /** A new query over this store: every row, no grouping, until told otherwise. */
    public Query query() {
        return new Query(this);
    }

    /**
     * Runs {@code request} — a built-in job, a query, or a job class of yours — with
     * {@code options} (workers, batch size, failure policy, executor, listener).
     *
     * @throws IllegalArgumentException in one sentence, if the job cannot be created (an unknown
     *                                  class, bad parameters, a series the store lacks)
     * @throws JobFailedException       if a batch failed; every failure is attached
     * @throws JobTimedOutException     if the run missed its deadline
     * @throws InterruptedException     if the calling thread was interrupted; all workers have ended
     * @throws UncheckedIOException     if worker processes could not be started or open the job
     */
    public RunResult<?> run(JobRequest request, RunOptions options)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        return run(request, options, null);
    }

    /**
     * As {@link #run(JobRequest, RunOptions)}, on {@code executor}'s workers (a warm pool kept
     * for several runs), which are left open. {@code null} chooses as {@code options} ask.
     */
    public RunResult<?> run(JobRequest request, RunOptions options, Executor executor)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        try (JobRequest.Resolved resolved = request.resolve(store)) {
            return execute(resolved.job(), request, options, executor);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // releasing a job's jar files failed
        }
    }

    /**
     * Runs {@code job}, which the caller built, with {@code options}; {@code request} says how
     * worker processes create an equal job, and which rows it covers (a query's time range).
     *
     * @throws IllegalArgumentException if worker processes are asked for a job that cannot run in
     *                                  them (see {@link dev.tsproc.job.PartialCodec})
     * @throws JobFailedException       if a batch failed; every failure is attached
     * @throws JobTimedOutException     if the run missed its deadline
     * @throws InterruptedException     if the calling thread was interrupted; all workers have ended
     * @throws UncheckedIOException     if worker processes could not be started or open the job
     */
    public <P, R> RunResult<R> run(Job<P, R> job, JobRequest request, RunOptions options)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        return execute(job, Objects.requireNonNull(request, "request"), options, null);
    }

    /**
     * Runs {@code job}, an object of any kind, over every row with {@code options}, on threads:
     * worker processes need the job as a {@link JobRequest} to create it.
     *
     * @throws IllegalArgumentException if {@code options} ask for worker processes
     * @throws JobFailedException       if a batch failed; every failure is attached
     * @throws JobTimedOutException     if the run missed its deadline
     * @throws InterruptedException     if the calling thread was interrupted; all workers have ended
     */
    public <P, R> RunResult<R> run(Job<P, R> job, RunOptions options)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        return execute(job, null, options, null);
    }

    /** As {@link #run(Job, RunOptions)} on all cores with default batches, returning only the result. */
    public <P, R> R run(Job<P, R> job) throws JobFailedException, JobTimedOutException, InterruptedException {
        return run(job, RunOptions.defaults()).result();
    }

    /**
     * Fails, in one sentence, if {@code request} could not run over {@code store} on
     * {@code executor}: an unknown class or one that rejects its parameters, a query naming a
     * series the store lacks, a job worker processes cannot create. Lets a caller tell a mistake
     * in what it asks from a failure of the run. {@code store} may be {@code null} for requests
     * that do not read it (built-in and custom jobs).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void check(JobRequest request, Store store, Executor.Kind executor) {
        try (JobRequest.Resolved resolved = request.resolve(store)) {
            Coordinator.requireRunnable(resolved.job(), request, executor);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // releasing a job's jar files failed
        }
    }

    /** The one path every run takes: plan, choose the executor unless given, coordinate. */
    private <P, R> RunResult<R> execute(Job<P, R> job, JobRequest request, RunOptions options, Executor given)
            throws JobFailedException, JobTimedOutException, InterruptedException {
        long start = options.clock().nanoTime(); // the run's deadline counts from here, worker JVMs' start included
        try {
            Plan plan = request == null ? Planner.everyRow(store, options.batchRows())
                    : Planner.plan(store, request, options.batchRows());
            RunResult<R> result;
            if (given != null) {
                result = Coordinator.run(store, plan, job, request, options, given, start);
            } else {
                Coordinator.requireRunnable(job, request, options.executor()); // before any worker JVM starts
                try (Executor executor = executorFor(job.name(), options, plan, start)) {
                    result = Coordinator.run(store, plan, job, request, options, executor, start);
                }
            }
            result.timeline().load(loadNanos);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The executor {@code options} ask for, on their clock, with no more workers than the plan
     * has batches. Worker JVMs that are still starting when the run's deadline passes are
     * killed, and the run has timed out.
     */
    private Executor executorFor(String job, RunOptions options, Plan plan, long runStartNanos)
            throws IOException, InterruptedException, JobTimedOutException {
        int workers = options.workersFor(plan.rowCount());
        return switch (options.executor()) {
            case THREADS -> new ThreadExecutor(workers, options.clock());
            case PROCESSES -> {
                List<Path> allowed = new ArrayList<>(processes.allowedStores());
                allowed.add(store.path());
                long deadline = options.timeout() == null ? Long.MAX_VALUE : runStartNanos + options.timeout().toNanos();
                try {
                    yield ProcessExecutor.start(workers, processes.withAllowedStores(allowed).withClock(options.clock()), deadline);
                } catch (TimeoutException e) {
                    JobTimedOutException late = JobTimedOutException.whileStarting(job, options.timeout(),
                            plan.batchCount(), plan.rowCount());
                    late.initCause(e);
                    throw late;
                }
            }
        };
    }

    /** Unmaps the store if this {@code Tsproc} opened it, and removes it if {@link #load} wrote it. */
    @Override
    public void close() {
        if (owned) {
            store.close();
        }
        if (loadedInto != null) {
            try {
                loadedInto.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
