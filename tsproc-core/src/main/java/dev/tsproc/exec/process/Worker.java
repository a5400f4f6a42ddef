package dev.tsproc.exec.process;

import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.observe.MemorySample;
import dev.tsproc.observe.ProcessMemory;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.SynchronousQueue;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * The worker side of the protocol: what a worker JVM does with the messages its coordinator
 * sends (see {@link Message} for the conversation). {@link WorkerMain} runs one over the
 * process's stdin and stdout; tests run one over pipes in their own JVM.
 *
 * <p>The worker trusts nothing it reads. It opens only stores inside a
 * {@code tsproc-run-*} directory of the shared-memory root or named at start-up in
 * {@link Message.Hello}; it refuses batches whose rows lie outside the store; and under copy
 * transfer it takes exactly the bytes of the batch's columns, in order. A malformed or
 * misplaced message is answered with an {@link Message.Error} and ends the worker, since the
 * stream can no longer be trusted. A batch's own failure — the job threw — is reported as
 * {@link Message.BatchFailed} and the worker carries on.
 *
 * <p>Threads: the calling thread reads messages and answers PING and CANCEL at once; batches
 * run on one compute thread, one at a time. The worker never removes a store: only the
 * coordinator that made it does.
 */
public final class Worker {
    /** How often a worker says it is alive while a batch runs. */
    public static final Duration HEARTBEAT_PERIOD = Duration.ofMillis(200);
    private static final Pattern STORE_NAME = Pattern.compile("[0-9a-f]{32}\\.tsp");

    private final FrameReader reader;
    private final FrameWriter writer;
    private final LongConsumer onCoordinatorPid;
    private final SynchronousQueue<Runnable> computeQueue = new SynchronousQueue<>();
    private final Thread computeThread;
    private final Thread heartbeatThread;
    /** Guards {@link #runningBatch} and the compute thread's interrupt status. */
    private final Object computeLock = new Object();
    private long runningBatch = -1;
    private boolean cancelRequested;

    private List<Path> allowedStores = List.of();
    private Store store;
    private JobRequest.Resolved loaded;
    private PartialCodec<?> codec;
    private long peakPrivateBytes = -1;

    /**
     * A worker reading messages from {@code in} and writing to {@code out}.
     *
     * @param onCoordinatorPid told the coordinator's pid from {@link Message.Hello}, so the
     *                         caller can watch it
     */
    public Worker(InputStream in, OutputStream out, LongConsumer onCoordinatorPid) {
        this.reader = new FrameReader(in);
        this.writer = new FrameWriter(out);
        this.onCoordinatorPid = onCoordinatorPid;
        this.computeThread = Thread.ofPlatform().daemon().name("compute").unstarted(this::computeLoop);
        this.heartbeatThread = Thread.ofPlatform().daemon().name("heartbeat").unstarted(this::heartbeatLoop);
    }

    /**
     * Sends HEARTBEAT while a batch runs, so the coordinator can tell a long batch from a hung
     * or stopped worker. Sent under the compute lock, so never after the batch's own reply.
     */
    private void heartbeatLoop() {
        try {
            while (true) {
                Thread.sleep(HEARTBEAT_PERIOD);
                synchronized (computeLock) {
                    if (runningBatch >= 0) {
                        writer.write(new Message.Heartbeat(runningBatch));
                    }
                }
            }
        } catch (InterruptedException | IOException e) {
            // the worker is ending, or its coordinator is gone
        }
    }

    /**
     * Serves the coordinator until it says SHUTDOWN or its stream ends.
     *
     * @return the exit status: 0 when told to stop or at end of stream, 2 after a protocol error
     */
    public int run() throws IOException {
        computeThread.start();
        heartbeatThread.start();
        try {
            if (!hello()) {
                return 0; // the coordinator went away before saying anything
            }
            for (Message m; (m = reader.read()) != null; ) {
                if (m instanceof Message.Shutdown) {
                    return 0;
                }
                handle(m);
            }
            return 0;
        } catch (ProtocolException e) {
            writer.write(new Message.Error("worker rejected a message: " + e.getMessage()));
            return 2;
        } finally {
            computeThread.interrupt();
            heartbeatThread.interrupt();
            closeJob();
        }
    }

    /**
     * Reads HELLO and answers READY; false if the stream ended first. No warm-up: the start-up
     * cache holds the kernels' classes and profiles, and a one-shot run's own batches are what
     * the JIT should compile (docs/DESIGN-NOTES.md, "Worker JVMs start warm").
     */
    private boolean hello() throws IOException {
        Message first = reader.read();
        if (first == null) {
            return false;
        }
        if (!(first instanceof Message.Hello hello)) {
            throw new ProtocolException(Message.typeName(first.type()) + " came before HELLO");
        }
        onCoordinatorPid.accept(hello.coordinatorPid());
        List<Path> allowed = new ArrayList<>();
        for (String s : hello.allowedStores()) {
            allowed.add(Path.of(s));
        }
        allowedStores = List.copyOf(allowed);
        writer.write(new Message.Ready(ProcessHandle.current().pid(), System.nanoTime(), MemorySample.now()));
        return true;
    }

    private void handle(Message m) throws IOException {
        switch (m) {
            case Message.Ping p -> writer.write(new Message.Pong(p.id(), System.nanoTime()));
            case Message.OpenJob o -> openJob(o);
            case Message.RunBatch r -> runBatch(r);
            case Message.Cancel c -> {
                synchronized (computeLock) {
                    if (runningBatch == c.batchIndex()) {
                        cancelRequested = true;
                        computeThread.interrupt();
                    }
                }
            }
            case Message.CloseJob c -> {
                requireIdle("CLOSE_JOB");
                // Answer first: unmapping takes a while and the coordinator need not wait for it.
                writer.write(new Message.JobClosed(ProcessMemory.self().peakRssBytes(), peakPrivateBytes));
                closeJob();
            }
            default -> throw new ProtocolException(Message.typeName(m.type()) + " is not a message a worker accepts here");
        }
    }

    private void openJob(Message.OpenJob o) throws IOException {
        if (store != null) {
            throw new ProtocolException("OPEN_JOB came while a job was open");
        }
        Store opened = null;
        try {
            Path path = checkedStorePath(o.storePath());
            opened = Store.open(path);
            loaded = o.job().resolve(opened);
            codec = PartialCodec.of(loaded.job());
            store = opened;
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            closeJob();
            writer.write(new Message.Error(describe(e)));
            return;
        }
        ProcessMemory.resetPeak();
        peakPrivateBytes = ProcessMemory.sampleSelf().privateBytes();
        writer.write(new Message.JobOpened(store.identity()));
    }

    /**
     * The real path of {@code storePath} if the worker may open it: a store file named at
     * start-up, or one inside a run directory directly under the shared-memory root.
     */
    private Path checkedStorePath(String storePath) throws IOException {
        Path real;
        try {
            real = Path.of(storePath).toRealPath();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("store " + storePath + " cannot be opened: " + e.getMessage());
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("store " + storePath + " is not a regular file");
        }
        for (Path allowed : allowedStores) {
            if (Files.exists(allowed) && allowed.toRealPath().equals(real)) {
                return real;
            }
        }
        Path dir = real.getParent();
        Path root = SharedSegments.root();
        boolean inRunDirectory = dir != null && dir.getFileName().toString().startsWith(SharedSegments.RUN_PREFIX)
                && Files.exists(root) && root.toRealPath().equals(dir.getParent())
                && STORE_NAME.matcher(real.getFileName().toString()).matches();
        if (!inRunDirectory) {
            throw new IllegalArgumentException("store " + storePath + " is neither in a " + SharedSegments.RUN_PREFIX
                    + "* directory of " + root + " nor a store this worker was started for; refused");
        }
        return real;
    }

    private void runBatch(Message.RunBatch r) throws IOException {
        if (store == null) {
            throw new ProtocolException("RUN_BATCH came before OPEN_JOB");
        }
        requireIdle("RUN_BATCH");
        Batch batch = r.batch();
        if (batch.rowOffset() > store.rowCount() - batch.rowCount()) {
            throw new ProtocolException("RUN_BATCH rows [rowOffset=" + batch.rowOffset() + ", rowCount=" + batch.rowCount()
                    + ") lie outside the store's " + store.rowCount() + " rows");
        }
        BatchView view = null; // shared: viewed on the compute thread, where its rows are checked
        Arena arena = null;
        if (r.columnsFollow()) {
            arena = Arena.ofShared();
            try {
                view = receiveColumns(r, arena);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
        long received = System.nanoTime();
        synchronized (computeLock) {
            runningBatch = batch.index();
        }
        Arena owned = arena;
        BatchView copied = view;
        handOff(() -> compute(r, copied, received, owned));
    }

    /** Copy transfer: the batch's columns, in store order, each as consecutive chunks. */
    private BatchView receiveColumns(Message.RunBatch r, Arena arena) throws IOException {
        MemorySegment[] columns = new MemorySegment[Column.values().length];
        for (Column column : Column.values()) {
            if (column == Column.SERIES && !store.hasSeries()) {
                continue;
            }
            MemorySegment target;
            try {
                target = arena.allocate(column.byteSize(r.batch().rowCount()), 64);
            } catch (OutOfMemoryError | IllegalArgumentException e) {
                throw new ProtocolException("RUN_BATCH rowCount=" + r.batch().rowCount() + " needs more memory than the worker has");
            }
            for (long filled = 0; filled < target.byteSize(); ) {
                Message m = reader.read();
                if (m instanceof Message.Ping p) {
                    writer.write(new Message.Pong(p.id(), System.nanoTime()));
                    continue;
                }
                if (!(m instanceof Message.ColumnChunk c)) {
                    throw new ProtocolException((m == null ? "end of stream" : Message.typeName(m.type()))
                            + " came where batch " + r.batch().index() + " expected " + column + " bytes from byteOffset=" + filled);
                }
                if (c.batchIndex() != r.batch().index() || c.columnId() != column.id() || c.byteOffset() != filled
                        || c.data().remaining() > target.byteSize() - filled) {
                    throw new ProtocolException("COLUMN_CHUNK batchIndex=" + c.batchIndex() + " columnId=" + c.columnId()
                            + " byteOffset=" + c.byteOffset() + " length=" + c.data().remaining() + " is not the next piece of batch "
                            + r.batch().index() + " column " + column.id() + " (byteOffset=" + filled + " of " + target.byteSize() + ")");
                }
                int n = c.data().remaining();
                MemorySegment.copy(MemorySegment.ofBuffer(c.data()), 0, target, filled, n);
                filled += n;
            }
            columns[column.ordinal()] = target;
        }
        MemorySegment series = store.hasSeries() ? columns[Column.SERIES.ordinal()] : MemorySegment.NULL;
        return new BatchView(r.batch(), columns[Column.TS.ordinal()],
                columns[Column.VALUE.ordinal()], series, store.dictionary());
    }

    private void handOff(Runnable task) throws IOException {
        try {
            computeQueue.put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing a batch to the compute thread", e);
        }
    }

    private void requireIdle(String what) throws ProtocolException {
        synchronized (computeLock) {
            if (runningBatch >= 0) {
                throw new ProtocolException(what + " came while batch " + runningBatch + " was running");
            }
        }
    }

    private void computeLoop() {
        try {
            while (true) {
                computeQueue.take().run();
            }
        } catch (InterruptedException e) {
            // the worker is ending
        }
    }

    /**
     * Runs on the compute thread: maps the batch — the columns received ({@code copied}), or
     * else a view of the store's rows, which checks a column's rows as the job first reads it
     * ({@link Store#view}) — and reports the result. A damaged block fails the batch with its
     * {@link CorruptStoreException}.
     */
    private void compute(Message.RunBatch r, BatchView copied, long received, Arena arena) {
        Message reply;
        try {
            reply = map(r, copied, received);
        } catch (Throwable t) {
            boolean cancelled;
            synchronized (computeLock) {
                cancelled = cancelRequested && (t instanceof CancellationException || t instanceof InterruptedException);
            }
            // A fault on the mapped store (it shrank under the mapping) is the store's problem, not the job's.
            Throwable reported = switch (t) {
                case InternalError e when arena == null -> new IOException(Store.TRUNCATED_WHILE_READING, e);
                case UncheckedIOException e when e.getCause() instanceof CorruptStoreException damaged -> damaged;
                default -> t;
            };
            reply = cancelled ? new Message.BatchCancelled(r.batch().index())
                    : new Message.BatchFailed(r.batch().index(), reported.getClass().getName(), String.valueOf(reported.getMessage()),
                            trace(reported));
        } finally {
            if (arena != null) {
                arena.close();
            }
        }
        synchronized (computeLock) {
            runningBatch = -1;
            cancelRequested = false;
            Thread.interrupted(); // a CANCEL that came too late must not hit the next batch
        }
        try {
            writer.write(reply);
        } catch (IOException e) {
            // The coordinator is gone; the reading thread sees the end of its stream and exits.
        }
    }

    private <P> Message map(Message.RunBatch r, BatchView copied, long received) throws IOException {
        @SuppressWarnings("unchecked") Job<P, ?> job = (Job<P, ?>) loaded.job();
        @SuppressWarnings("unchecked") PartialCodec<P> partialCodec = (PartialCodec<P>) codec;
        long start = System.nanoTime();
        writer.write(new Message.Computing(r.batch().index(), start));
        P partial = job.map(copied != null ? copied : store.view(r.batch()));
        long end = System.nanoTime();
        MemorySample memory = MemorySample.now();
        peakPrivateBytes = Math.max(peakPrivateBytes, memory.privateBytes());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            partialCodec.writePartial(partial, out);
        }
        return new Message.BatchDone(r.batch(), received, start, end, memory,
                ByteBuffer.wrap(bytes.toByteArray()));
    }

    private static String trace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    private void closeJob() {
        codec = null;
        if (store != null) {
            try {
                store.close();
            } catch (IllegalStateException inUse) {
                // only when the worker ends mid-batch; the process exit unmaps it
            }
            store = null;
        }
        if (loaded != null) {
            try {
                loaded.close();
            } catch (IOException e) {
                // releasing a jar file failed; nothing depends on it
            }
            loaded = null;
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
