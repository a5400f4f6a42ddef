package dev.tsproc.exec;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.exec.process.ProtocolException;
import dev.tsproc.exec.process.WorkerCommand;
import dev.tsproc.exec.process.WorkerDiedException;
import dev.tsproc.exec.process.WorkerProcess;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreChangedException;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Workers as JVMs of their own: a pool started once and kept for as many jobs as its owner
 * runs.
 *
 * <p>Each worker is started with the coordinator's {@code java}, class path and module flags
 * ({@link WorkerCommand}). For a job, every worker opens the store by its path and maps it
 * read-only — the same physical pages as every other worker — and creates the job from its
 * {@link JobRequest}. Under {@link Transfer#SHARED} a batch is sent as (index, offset, rows);
 * under {@link Transfer#COPY} its column bytes follow in the message and the worker computes
 * on its own copy. Partials come back in the job's {@link PartialCodec} form.
 *
 * <p><b>Lifecycle.</b> Closing the pool tells every worker to exit and kills those that do
 * not within a grace period. A worker also exits on its own when the coordinator's JVM dies,
 * by whatever means: see {@link dev.tsproc.exec.process.WorkerMain}.
 *
 * <p><b>Failures.</b> A worker that dies, stops sending heartbeats while it computes (hung,
 * stopped) or misses its batch deadline is killed and {@linkplain BatchRunner#lostWorker lost}:
 * the {@link Coordinator} may {@linkplain BatchRunner#replaceWorker() replace} it with a fresh
 * worker and run the batch again. A worker that breaks the protocol fails its batch. A worker
 * {@linkplain BatchRunner#workerLost() found lost} before a batch — died while idle, or lost on
 * a batch that was not run again — is replaced before it is given the batch. A job's own
 * exception fails only its batch.
 *
 * <p>Thread safety: one job at a time; a session's runners are used by one task each.
 */
public final class ProcessExecutor implements Executor {
    /**
     * How to start workers.
     *
     * @param jvmOptions    extra JVM options for every worker, after {@link WorkerCommand}'s
     * @param allowedStores stores the workers may open besides those in {@code tsproc-run-*}
     *                      directories
     * @param startTimeout  how long a worker may take to start
     * @param workerLog     receives workers' stderr lines, each prefixed with the worker's name
     * @param silenceLimit  how long a worker computing a batch may send no heartbeat before it
     *                      is taken for hung and killed
     * @param clock         what start-up and batch deadlines, the silence limit, grace periods
     *                      and batch timings read
     */
    public record Config(List<String> jvmOptions, List<Path> allowedStores, Duration startTimeout,
                         Consumer<String> workerLog, Duration silenceLimit, NanoClock clock) {
        public Config {
            jvmOptions = List.copyOf(jvmOptions);
            allowedStores = List.copyOf(allowedStores);
            Objects.requireNonNull(startTimeout, "startTimeout");
            Objects.requireNonNull(workerLog, "workerLog");
            Objects.requireNonNull(silenceLimit, "silenceLimit");
            Objects.requireNonNull(clock, "clock");
        }

        /** No extra options, stores in run directories only, 60 s to start, stderr to ours, 2 s of silence, the system clock. */
        public static Config defaults() {
            return new Config(List.of(), List.of(), Duration.ofSeconds(60), System.err::println,
                    WorkerProcess.DEFAULT_SILENCE_LIMIT, NanoClock.SYSTEM);
        }

        public Config withAllowedStores(List<Path> stores) {
            return new Config(jvmOptions, stores, startTimeout, workerLog, silenceLimit, clock);
        }

        public Config withJvmOptions(List<String> options) {
            return new Config(options, allowedStores, startTimeout, workerLog, silenceLimit, clock);
        }

        public Config withWorkerLog(Consumer<String> log) {
            return new Config(jvmOptions, allowedStores, startTimeout, log, silenceLimit, clock);
        }

        public Config withStartTimeout(Duration timeout) {
            return new Config(jvmOptions, allowedStores, timeout, workerLog, silenceLimit, clock);
        }

        public Config withSilenceLimit(Duration limit) {
            return new Config(jvmOptions, allowedStores, startTimeout, workerLog, limit, clock);
        }

        public Config withClock(NanoClock clock) {
            return new Config(jvmOptions, allowedStores, startTimeout, workerLog, silenceLimit, clock);
        }
    }

    /** The live workers; a lost worker's slot is taken by its replacement. */
    private final List<WorkerProcess> processes;
    private final Duration startup;
    private final WorkerCommand command;
    private final Config config;
    private final AtomicInteger started;

    private ProcessExecutor(List<WorkerProcess> processes, Duration startup, WorkerCommand command, Config config) {
        this.processes = new CopyOnWriteArrayList<>(processes);
        this.startup = startup;
        this.command = command;
        this.config = config;
        this.started = new AtomicInteger(processes.size());
    }

    /** Starts one worker; {@link WorkerProcess#awaitReady} waits until it is ready. */
    private static WorkerProcess startOne(String name, WorkerCommand command, Config config)
            throws IOException, InterruptedException {
        WorkerProcess p = WorkerProcess.start(name, command, config.allowedStores(), config.workerLog(), config.clock());
        p.silenceLimit(config.silenceLimit());
        return p;
    }

    /**
     * Starts {@code workers} worker JVMs at once and waits until every one is ready. A worker
     * that dies (or is killed) while it starts is started once more: a pool's start is a run's
     * first step, and one lost JVM should not end the run when a lost worker mid-run would not.
     *
     * @throws IOException if a worker fails to start twice; its stderr is in the message, and
     *                     every worker started is ended before this is thrown
     */
    public static ProcessExecutor start(int workers, Config config) throws IOException, InterruptedException {
        try {
            return start(workers, config, Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError("no deadline was given", e);
        }
    }

    /**
     * As {@link #start(int, Config)}, but gives up at {@code deadlineNanos} on
     * {@code config.clock()}, a run's deadline: the workers still starting then are killed, and
     * so are those already ready.
     *
     * @throws TimeoutException if the deadline passed before every worker was ready; no worker is left
     */
    public static ProcessExecutor start(int workers, Config config, long deadlineNanos)
            throws IOException, InterruptedException, TimeoutException {
        if (workers < 1) {
            throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
        }
        long start = config.clock().nanoTime();
        WorkerCommand command = WorkerCommand.likeThisJvm(config.jvmOptions());
        List<WorkerProcess> started = new ArrayList<>();
        try {
            for (int w = 1; w <= workers; w++) {
                started.add(startOne("worker-" + w, command, config));
            }
            for (int slot = 0; slot < started.size(); slot++) {
                WorkerProcess p = started.get(slot);
                try {
                    awaitReady(p, config, deadlineNanos);
                } catch (WorkerDiedException lost) {
                    config.workerLog().accept("[" + p.name() + "] was lost while starting (" + lost.getMessage()
                            + "); starting it once more");
                    p.kill();
                    p.close();
                    WorkerProcess again = startOne(p.name(), command, config);
                    started.set(slot, again);
                    try {
                        awaitReady(again, config, deadlineNanos);
                    } catch (IOException e) {
                        e.addSuppressed(lost);
                        throw e;
                    }
                }
            }
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            // Killed, not asked: a worker still starting would read SHUTDOWN only when ready.
            started.forEach(WorkerProcess::kill);
            started.forEach(WorkerProcess::close);
            throw e;
        }
        return new ProcessExecutor(List.copyOf(started), Duration.ofNanos(config.clock().nanoTime() - start), command, config);
    }

    /**
     * Waits until {@code p} is ready, for its start timeout or until {@code deadlineNanos},
     * whichever comes first.
     *
     * @throws TimeoutException if the deadline came first
     */
    private static void awaitReady(WorkerProcess p, Config config, long deadlineNanos)
            throws IOException, InterruptedException, TimeoutException {
        long left = deadlineNanos - config.clock().nanoTime(); // Long.MAX_VALUE, no deadline: may overflow, never used
        if (deadlineNanos == Long.MAX_VALUE || left >= config.startTimeout().toNanos()) {
            p.awaitReady(config.startTimeout());
            return;
        }
        try {
            p.awaitReady(Duration.ofNanos(Math.max(0, left)));
        } catch (IOException e) { // a worker not ready in time is killed and reported dead
            if (config.clock().nanoTime() - deadlineNanos < 0) {
                throw e;
            }
            TimeoutException late = new TimeoutException(p.name() + " was still starting at the deadline");
            late.initCause(e);
            throw late;
        }
    }

    @Override
    public Kind kind() {
        return Kind.PROCESSES;
    }

    @Override
    public int workers() {
        return processes.size();
    }

    /** Wall time to start the pool: every worker JVM started and ready. */
    public Duration startup() {
        return startup;
    }

    /** Wall time each worker JVM took to start and answer READY, in worker order. */
    public List<Duration> workerStartups() {
        return processes().stream().map(WorkerProcess::startup).toList();
    }

    /** The worker processes now, for monitoring and tests; their pids are in {@link WorkerProcess#pid()}. */
    List<WorkerProcess> processes() {
        return List.copyOf(processes);
    }

    @Override
    public <P> Session<P> open(Store store, Job<P, ?> job, JobRequest request, Transfer transfer, int count)
            throws IOException, InterruptedException {
        Objects.requireNonNull(request, "worker processes need the job as a JobRequest to create it");
        PartialCodec<P> codec = PartialCodec.of(job);
        List<Runner<P>> runners = new ArrayList<>();
        List<WorkerProcess> opened = new ArrayList<>();
        try {
            for (int slot = 0; slot < Math.min(count, processes.size()); slot++) {
                WorkerProcess p = usable(slot);
                openJob(p, store, request);
                opened.add(p);
                runners.add(new Runner<>(slot, p, store, request, codec, transfer));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeJobs(opened, new ArrayList<>());
            throw e;
        }
        List<BatchRunner<P>> asRunners = List.copyOf(runners);
        return new Session<>() {
            private final List<WorkerReport> reports = new ArrayList<>();
            private boolean closed;

            @Override
            public List<BatchRunner<P>> runners() {
                return asRunners;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    closeJobs(runners.stream().map(r -> r.process).toList(), reports);
                }
            }

            @Override
            public List<WorkerReport> reports() {
                return List.copyOf(reports);
            }
        };
    }

    /**
     * The worker in {@code slot}, replaced by a fresh one first if it was lost — killed at a
     * deadline, crashed on a batch's last attempt, broke the protocol — so the pool repairs
     * itself between jobs.
     */
    private WorkerProcess usable(int slot) throws IOException, InterruptedException {
        WorkerProcess p = processes.get(slot);
        if (p.broken() == null && p.isAlive()) {
            return p;
        }
        return replace(slot, p);
    }

    /**
     * Ends {@code lost} and starts a fresh worker for its slot. The fresh worker takes the slot
     * only once it is ready: one that fails or is interrupted while starting is killed, and the
     * slot keeps the lost worker, so the next job replaces it again — it never finds a worker
     * with an unread READY in the pool.
     */
    private WorkerProcess replace(int slot, WorkerProcess lost) throws IOException, InterruptedException {
        lost.kill();
        lost.close();
        WorkerProcess fresh = startOne("worker-" + started.incrementAndGet(), command, config);
        try {
            fresh.awaitReady(config.startTimeout());
        } catch (IOException | InterruptedException | RuntimeException e) {
            fresh.kill();
            fresh.close();
            throw e;
        }
        processes.set(slot, fresh);
        return fresh;
    }

    /** Opens the job in {@code p}, which must find the very store the coordinator has open, even on a retry. */
    private static void openJob(WorkerProcess p, Store store, JobRequest request) throws IOException, InterruptedException {
        if (!p.openJob(store.path(), request).equals(store.identity())) {
            throw new StoreChangedException(store.path(), p.name());
        }
    }

    /** Ends the job in every worker that can still answer, collecting their peaks. */
    private static void closeJobs(List<WorkerProcess> used, List<WorkerReport> reports) {
        boolean interrupted = Thread.interrupted();
        for (WorkerProcess p : used) {
            WorkerProcess.JobPeaks peaks = new WorkerProcess.JobPeaks(-1, -1);
            if (p.broken() == null) {
                try {
                    peaks = p.closeJob();
                } catch (IOException e) {
                    // broken now; it is killed and reported by its batch
                } catch (InterruptedException e) {
                    interrupted = true;
                    p.kill();
                }
            }
            reports.add(new WorkerReport(p.name(), p.pid(), p.startup(), peaks.peakRssBytes(), peaks.peakPrivateBytes()));
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells every worker to exit; kills those that do not. */
    @Override
    public void close() {
        processes.forEach(WorkerProcess::requestExit); // all at once: each JVM takes a while to exit
        processes.forEach(WorkerProcess::close);
    }

    /** Runs batches on the worker in one slot of the pool; replaces it there when it is lost. */
    private final class Runner<P> implements BatchRunner<P> {
        private final int slot;
        private final Store store;
        private final JobRequest request;
        private final PartialCodec<P> codec;
        private final Transfer transfer;
        private volatile WorkerProcess process;

        Runner(int slot, WorkerProcess process, Store store, JobRequest request, PartialCodec<P> codec, Transfer transfer) {
            this.slot = slot;
            this.process = process;
            this.store = store;
            this.request = request;
            this.codec = codec;
            this.transfer = transfer;
        }

        @Override
        public String worker() {
            return process.name();
        }

        @Override
        public boolean lostWorker(Throwable error) {
            return error instanceof WorkerDiedException;
        }

        /** Dead, or its handle broken (killed at a deadline, crashed, broke the protocol): it can run no batch. */
        @Override
        public boolean workerLost() {
            WorkerProcess process = this.process;
            return process.broken() != null || !process.isAlive();
        }

        /** Kills the lost worker (if it still runs), starts a fresh one in its slot and opens the job there. */
        @Override
        public void replaceWorker() throws IOException, InterruptedException {
            WorkerProcess fresh = replace(slot, process);
            process = fresh;
            openJob(fresh, store, request);
        }

        @Override
        public Ran<P> run(Batch batch, Duration timeout, Runnable computing) throws IOException, InterruptedException {
            Map<Column, MemorySegment> columns = transfer == Transfer.COPY ? columns(batch) : null;
            WorkerProcess process = this.process;
            long deadline = timeout == null ? Long.MAX_VALUE : config.clock().nanoTime() + timeout.toNanos();
            WorkerProcess.BatchReply reply = process.runBatch(batch, columns, deadline,
                    timeout == null ? null : Durations.format(timeout), computing);
            P partial = decode(batch, reply.partial());
            return new Ran<>(partial, reply.receivedNanos(), reply.computeStartNanos(), reply.computeEndNanos(), reply.memory());
        }

        /** The batch's slice of every column of the store, checked here as it is read: the bytes copy transfer sends. */
        private Map<Column, MemorySegment> columns(Batch batch) {
            BatchView view = store.view(batch);
            Map<Column, MemorySegment> columns = new EnumMap<>(Column.class);
            columns.put(Column.TS, view.ts());
            columns.put(Column.VALUE, view.values());
            if (view.hasSeries()) {
                columns.put(Column.SERIES, view.series());
            }
            return columns;
        }

        private P decode(Batch batch, ByteBuffer bytes) throws IOException {
            byte[] array = new byte[bytes.remaining()];
            bytes.duplicate().get(array);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(array));
            try {
                P partial = codec.readPartial(in);
                if (in.available() != 0) {
                    throw new ProtocolException("it has " + in.available() + " bytes after the partial");
                }
                return partial;
            } catch (EOFException e) {
                throw invalid(batch, new ProtocolException("it ends early"));
            } catch (IOException | RuntimeException e) {
                throw invalid(batch, e);
            }
        }

        private ProtocolException invalid(Batch batch, Exception e) {
            WorkerProcess process = this.process;
            ProtocolException p = new ProtocolException(process.name() + " sent an invalid partial for " + batch + ": "
                    + e.getMessage());
            process.kill();
            return p;
        }
    }
}
