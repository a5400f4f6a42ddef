package dev.tsproc.exec.process;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.data.Column;
import dev.tsproc.observe.MemorySample;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The coordinator's handle on one worker JVM: starts it, speaks the protocol with it, and
 * makes sure it ends.
 *
 * {@snippet :
 * try (WorkerProcess w = WorkerProcess.start("worker-1", WorkerCommand.likeThisJvm(List.of()), List.of(), log)) {
 *     w.awaitReady(Duration.ofSeconds(30));
 *     w.openJob(storePath, JobRequest.builtin("sum"));
 *     WorkerProcess.BatchReply reply = w.runBatch(new Batch(0, 0, 1_000_000), null);
 *     w.closeJob();
 * }
 * }
 *
 * <p><b>Threads.</b> Two daemon threads per worker: one reads frames from its stdout into a
 * queue, one drains its stderr line by line (a full stderr pipe would block the worker),
 * forwarding lines to a log and keeping the last few for error messages. The request methods
 * are for one thread at a time — the task that owns this worker.
 *
 * <p><b>Cancellation.</b> A thread interrupted while waiting for a batch sends CANCEL, waits up
 * to {@link #CANCEL_GRACE} for the worker to stop, kills the worker if it does not, and throws
 * {@link InterruptedException}.
 *
 * <p><b>Failures.</b> A malformed message from the worker, or its death, breaks this handle:
 * the worker is killed and every later request fails with the same
 * {@link WorkerDiedException} or {@link ProtocolException}.
 *
 * <p><b>Clocks.</b> Deadlines, the silence limit and grace periods are on the {@link NanoClock}
 * given to {@link #start}, and so are the times this class returns. The worker reports times on
 * its own {@link System#nanoTime()}; the offset to this handle's clock is measured at start-up by
 * PING round trips.
 */
public final class WorkerProcess implements AutoCloseable {
    /** How long a cancelled batch may take to stop before its worker is killed: short, since Ctrl-C must end a run within a second. */
    public static final Duration CANCEL_GRACE = Duration.ofMillis(500);
    /** How long a worker running a batch may stay silent (no heartbeat) before it is taken for hung. */
    public static final Duration DEFAULT_SILENCE_LIMIT = Duration.ofSeconds(2);
    /** How long a worker may take to exit when told to. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(2);
    private static final int STDERR_TAIL_LINES = 10;
    private static final int STDERR_MESSAGE_CHARS = 1000;
    private static final int STDERR_LINE_CHARS = 2000;

    /** What the reading thread hands over: a message, or the end of the channel. */
    private record Inbound(Message message, IOException end) {}

    private final String name;
    private final NanoClock clock;
    private final Process process;
    private final FrameWriter writer;
    private final LinkedBlockingQueue<Inbound> inbox = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread readerThread;
    private final Thread stderrThread;
    private final long startNanos;
    private long readyNanos;
    private long clockOffsetNanos;
    private volatile IOException broken;
    private long pingIds;
    private Duration silenceLimit = DEFAULT_SILENCE_LIMIT;
    private boolean exitRequested;

    private WorkerProcess(String name, NanoClock clock, Process process, Consumer<String> log, long startNanos) {
        this.name = name;
        this.clock = clock;
        this.process = process;
        this.startNanos = startNanos;
        this.writer = new FrameWriter(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        // The stderr thread first: a JVM that died at once (a bad flag) sends the reader to died(),
        // which joins it. Started the other way round, the reader found it null under load, died
        // of that, and the worker's end never reached the inbox: its start hung until the deadline.
        this.stderrThread = Thread.ofPlatform().daemon().name(name + "-stderr").start(() -> drainStderr(log));
        this.readerThread = Thread.ofPlatform().daemon().name(name + "-reader").start(this::readLoop);
    }

    /** Starts a worker JVM as {@link #start(String, WorkerCommand, List, Consumer, NanoClock)} does, on the system clock. */
    public static WorkerProcess start(String name, WorkerCommand command, List<Path> allowedStores, Consumer<String> log)
            throws IOException {
        return start(name, command, allowedStores, log, NanoClock.SYSTEM);
    }

    /**
     * Starts a worker JVM and sends it HELLO; {@link #awaitReady} waits until it has started.
     *
     * @param allowedStores stores the worker may open besides those in run directories
     * @param log           receives the worker's stderr, a line at a time, prefixed with its name
     * @param clock         what deadlines, the silence limit, grace periods and timings read
     */
    public static WorkerProcess start(String name, WorkerCommand command, List<Path> allowedStores, Consumer<String> log,
                                      NanoClock clock) throws IOException {
        long start = clock.nanoTime();
        Process process = new ProcessBuilder(command.command()).start();
        WorkerProcess worker = new WorkerProcess(name, clock, process, log, start);
        try {
            worker.writer.write(new Message.Hello(name, ProcessHandle.current().pid(),
                    allowedStores.stream().map(p -> p.toAbsolutePath().toString()).toList()));
        } catch (IOException e) {
            // The JVM may have died at once (a bad flag): awaitReady reports it with its stderr.
        }
        return worker;
    }

    /**
     * Waits until the worker has started, then measures its clock offset.
     *
     * @throws WorkerDiedException if it exits or does not answer within {@code timeout}; the
     *                             message holds its stderr
     */
    public void awaitReady(Duration timeout) throws IOException, InterruptedException {
        Message m = receive(clock.nanoTime() + timeout.toNanos(), "did not start within " + timeout.toSeconds() + " s");
        if (!(m instanceof Message.Ready)) {
            throw breakWith(new ProtocolException(name + " sent " + Message.typeName(m.type()) + " instead of READY"));
        }
        readyNanos = clock.nanoTime();
        long bestRoundTrip = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long id = ++pingIds;
            long sent = clock.nanoTime();
            send(new Message.Ping(id));
            Message reply = receive(clock.nanoTime() + timeout.toNanos(), "did not answer PING within " + timeout.toSeconds() + " s");
            long back = clock.nanoTime();
            if (!(reply instanceof Message.Pong pong) || pong.id() != id) {
                throw breakWith(new ProtocolException(name + " answered PING " + id + " with " + Message.typeName(reply.type())));
            }
            if (back - sent < bestRoundTrip) {
                bestRoundTrip = back - sent;
                clockOffsetNanos = sent + (back - sent) / 2 - pong.clockNanos();
            }
        }
        if (Math.abs(clockOffsetNanos) <= bestRoundTrip / 2) {
            // Indistinguishable from one shared clock (Linux: both are CLOCK_MONOTONIC); an
            // estimate would only add its error, and make short steps come out negative.
            clockOffsetNanos = 0;
        }
    }

    /**
     * How long a batch may go without a heartbeat before the worker is taken for hung, killed
     * and reported dead; at least a few {@link Worker#HEARTBEAT_PERIOD}s.
     */
    public void silenceLimit(Duration limit) {
        if (limit.compareTo(Worker.HEARTBEAT_PERIOD.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("silence limit " + limit + " must be at least two heartbeat periods ("
                    + Worker.HEARTBEAT_PERIOD.multipliedBy(2) + ")");
        }
        this.silenceLimit = limit;
    }

    /** The worker's name, as given to {@link #start}. */
    public String name() {
        return name;
    }

    /** The worker's process id. */
    public long pid() {
        return process.pid();
    }

    /** Time from starting the process until it was ready. */
    public Duration startup() {
        return Duration.ofNanos(readyNanos - startNanos);
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Has the worker open {@code store} and load {@code job}.
     *
     * @return the identity of the store the worker opened
     * @throws IllegalArgumentException with the worker's reason if it could not (path refused,
     *                                  job unknown); the worker stays usable
     */
    public Store.Identity openJob(Path store, JobRequest job) throws IOException, InterruptedException {
        send(new Message.OpenJob(store.toAbsolutePath().toString(), job));
        Message m = receive(Long.MAX_VALUE, null);
        return switch (m) {
            case Message.JobOpened o -> o.store();
            case Message.Error e -> throw new IllegalArgumentException(name + " could not open the job: " + e.errorMessage());
            default -> throw breakWith(new ProtocolException(name + " answered OPEN_JOB with " + Message.typeName(m.type())));
        };
    }

    /**
     * A batch's result, times on the coordinator's clock.
     *
     * @param partial the encoded partial
     */
    public record BatchReply(ByteBuffer partial, long receivedNanos, long computeStartNanos, long computeEndNanos,
                             MemorySample memory) {}

    /**
     * Runs one batch. With {@code columns} (copy transfer: every column of the store, sliced to
     * the batch), their bytes are sent after the request in column order; without, the worker
     * reads the rows from its own mapping of the store.
     *
     * @throws RemoteBatchFailure   if the job failed in the worker; the worker stays usable
     * @throws InterruptedException if interrupted; the batch was cancelled in the worker first
     */
    public BatchReply runBatch(Batch batch, Map<Column, MemorySegment> columns) throws IOException, InterruptedException {
        return runBatch(batch, columns, Long.MAX_VALUE, null, () -> {});
    }

    /**
     * Runs one batch as {@link #runBatch(Batch, Map)} does, with a deadline.
     *
     * @param deadlineNanos when the batch must be done, on this handle's clock; {@code Long.MAX_VALUE} for never
     * @param deadlineText  the deadline in words, for the error ("2 s")
     * @param computing     run when the worker says it began computing the batch (COMPUTING)
     * @throws WorkerDiedException  at once if the worker dies or closes its channel; after
     *                              killing it, if it misses the deadline or sends no heartbeat
     *                              for the {@linkplain #silenceLimit silence limit}
     */
    public BatchReply runBatch(Batch batch, Map<Column, MemorySegment> columns, long deadlineNanos, String deadlineText,
                               Runnable computing) throws IOException, InterruptedException {
        long batchIndex = batch.index();
        send(new Message.RunBatch(batch, columns != null));
        if (columns != null) {
            try {
                for (Column column : Column.values()) {
                    MemorySegment bytes = columns.get(column);
                    if (bytes != null) {
                        writer.writeColumn(batchIndex, column.id(), bytes);
                    }
                }
            } catch (IOException e) {
                throw breakWith(died("stopped reading while being sent batch " + batchIndex, e));
            }
        }
        Message m;
        try {
            m = awaitBatch(batchIndex, deadlineNanos, deadlineText, computing);
        } catch (InterruptedException e) {
            cancel(batchIndex);
            throw e;
        }
        return switch (m) {
            case Message.BatchDone d when d.batch().equals(batch) -> new BatchReply(d.partial(), d.receivedNanos() + clockOffsetNanos,
                    d.computeStartNanos() + clockOffsetNanos, d.computeEndNanos() + clockOffsetNanos, d.memory());
            case Message.BatchFailed f when f.batchIndex() == batchIndex ->
                    throw new RemoteBatchFailure(f.errorClass(), f.errorMessage(), f.stackTrace());
            default -> throw breakWith(new ProtocolException(name + " answered " + batch + " with " + describe(m)));
        };
    }

    /**
     * The batch's answer, skipping heartbeats and telling {@code computing} when the worker says
     * it began; a silent worker or a missed deadline kills the worker. Waits in steps of the
     * silence limit so that a worker stopped by SIGSTOP, spinning in native code or deadlocked is
     * found as quickly as one that died.
     */
    private Message awaitBatch(long batchIndex, long deadlineNanos, String deadlineText, Runnable computing)
            throws IOException, InterruptedException {
        while (true) {
            long silentUntil = clock.nanoTime() + silenceLimit.toNanos();
            boolean deadlineFirst = deadlineNanos - silentUntil < 0;
            Inbound in = poll(deadlineFirst ? deadlineNanos : silentUntil);
            if (in == null) {
                process.destroyForcibly();
                throw breakWith(died(deadlineFirst
                        ? "exceeded the batch deadline of " + deadlineText + " on batch " + batchIndex + " and was killed"
                        : "sent no heartbeat for " + seconds(silenceLimit) + " during batch " + batchIndex
                                + " (hung or stopped) and was killed", null));
            }
            Message m = unwrap(in, null);
            if (m instanceof Message.Computing c) {
                if (c.batchIndex() != batchIndex) {
                    throw breakWith(new ProtocolException(name + " said it began computing batch " + c.batchIndex()
                            + " while running batch " + batchIndex));
                }
                computing.run();
            } else if (!(m instanceof Message.Heartbeat)) {
                return m;
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describe(Message m) {
        return switch (m) {
            case Message.BatchDone d -> "the result of " + d.batch();
            case Message.BatchFailed f -> "the failure of batch " + f.batchIndex();
            case Message.Error e -> "ERROR: " + e.errorMessage();
            default -> Message.typeName(m.type());
        };
    }

    /** Sends CANCEL and waits, uninterruptibly and bounded, for the batch to stop; kills the worker if it does not. */
    private void cancel(long batchIndex) {
        try {
            send(new Message.Cancel(batchIndex));
            long deadline = clock.nanoTime() + CANCEL_GRACE.toNanos();
            while (true) {
                Message m = receiveUninterruptibly(deadline, "did not stop batch " + batchIndex + " within "
                        + seconds(CANCEL_GRACE) + " of being cancelled");
                if (m instanceof Message.BatchCancelled c && c.batchIndex() == batchIndex
                        || m instanceof Message.BatchDone d && d.batch().index() == batchIndex
                        || m instanceof Message.BatchFailed f && f.batchIndex() == batchIndex) {
                    return;
                }
            }
        } catch (IOException e) {
            breakWith(died("failed while batch " + batchIndex + " was being cancelled", e));
        }
    }

    /**
     * A worker's peak memory during one job, -1 where unknown.
     *
     * @param peakRssBytes     highest resident set size, shared pages of the store included
     * @param peakPrivateBytes highest private memory seen at the end of a batch
     */
    public record JobPeaks(long peakRssBytes, long peakPrivateBytes) {}

    /**
     * Ends the job in the worker: it unmaps the store.
     *
     * @return its peak resident set and peak private memory during the job, -1 where unknown
     */
    public JobPeaks closeJob() throws IOException, InterruptedException {
        send(new Message.CloseJob());
        Message m = receive(Long.MAX_VALUE, null);
        if (m instanceof Message.JobClosed closed) {
            return new JobPeaks(closed.peakRssBytes(), closed.peakPrivateBytes());
        }
        throw breakWith(new ProtocolException(name + " answered CLOSE_JOB with " + describe(m)));
    }

    /** Why this handle is unusable, or {@code null} while it is fine. */
    public IOException broken() {
        return broken;
    }

    /** Kills the worker at once (SIGKILL) and waits for it to end. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(EXIT_GRACE, clock);
    }

    /**
     * Tells the worker to exit (SHUTDOWN, then end of stream) without waiting; {@link #close()}
     * then waits. Lets a pool end all its workers at once rather than one after another.
     */
    public void requestExit() {
        synchronized (this) {
            if (exitRequested) {
                return;
            }
            exitRequested = true;
        }
        if (process.isAlive() && broken == null) {
            try {
                writer.write(new Message.Shutdown());
            } catch (IOException e) {
                // already gone
            }
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Tells the worker to exit, and kills it if it has not within a short grace period. */
    @Override
    public void close() {
        requestExit();
        if (!awaitExit(EXIT_GRACE, clock)) {
            kill();
        }
        try {
            readerThread.join(EXIT_GRACE.toMillis());
            stderrThread.join(EXIT_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the process has exited within {@code grace} on {@code waitClock}. */
    private boolean awaitExit(Duration grace, NanoClock waitClock) {
        boolean interrupted = false;
        long deadline = waitClock.nanoTime() + grace.toNanos();
        try {
            while (true) {
                long left = deadline - waitClock.nanoTime();
                try {
                    if (process.waitFor(waitClock.realWaitNanos(left), TimeUnit.NANOSECONDS)) {
                        return true;
                    }
                    if (left <= 0) {
                        return false;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void send(Message m) throws IOException {
        IOException b = broken;
        if (b != null) {
            throw b;
        }
        try {
            writer.write(m);
        } catch (IOException e) {
            throw breakWith(died("stopped reading while being sent " + Message.typeName(m.type()), e));
        }
    }

    /**
     * The next message; {@code late} says what the worker failed to do if none comes by the
     * deadline. Interrupted, it breaks this handle and kills the worker: the answer still on its
     * way would otherwise be read as the answer to the next request.
     */
    private Message receive(long deadlineNanos, String late) throws IOException, InterruptedException {
        while (true) {
            Inbound in;
            try {
                in = poll(deadlineNanos);
            } catch (InterruptedException e) {
                breakWith(new WorkerDiedException(name + " (pid " + process.pid()
                        + ") was killed: interrupted while waiting for its answer", e));
                throw e;
            }
            Message m = unwrap(in, late);
            if (!(m instanceof Message.Heartbeat || m instanceof Message.Computing)) {
                return m; // a batch's progress messages are never an answer
            }
        }
    }

    private Message receiveUninterruptibly(long deadlineNanos, String late) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return unwrap(poll(deadlineNanos), late);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What the reading thread hands over next, or {@code null} once the clock has passed
     * {@code deadlineNanos} with nothing ({@code Long.MAX_VALUE}: waits for ever); blocks in
     * real time as {@link NanoClock#realWaitNanos} says.
     */
    private Inbound poll(long deadlineNanos) throws InterruptedException {
        if (deadlineNanos == Long.MAX_VALUE) {
            return inbox.take();
        }
        while (true) {
            long left = deadlineNanos - clock.nanoTime();
            Inbound in = inbox.poll(clock.realWaitNanos(left), TimeUnit.NANOSECONDS);
            if (in != null || left <= 0) {
                return in;
            }
        }
    }

    private Message unwrap(Inbound in, String late) throws IOException {
        if (in == null) {
            throw breakWith(died(late, null));
        }
        if (in.end() != null) {
            inbox.add(in); // every later request sees the same end
            throw breakWith(in.end());
        }
        return in.message();
    }

    /** Marks this handle broken by {@code e} (the first cause wins), kills the worker, returns the cause. */
    private IOException breakWith(IOException e) {
        synchronized (this) {
            if (broken == null) {
                broken = e;
            }
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        return broken;
    }

    /** An error saying that this worker {@code what}, with its exit status if it has one and the end of its stderr. */
    private WorkerDiedException died(String what, Throwable cause) {
        // Only to put the exit status in the message, not a decision: real time even on a test's clock.
        boolean exited = awaitExit(Duration.ofMillis(500), NanoClock.SYSTEM);
        try {
            stderrThread.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail;
        synchronized (stderrTail) {
            tail = String.join(" | ", stderrTail);
        }
        if (tail.length() > STDERR_MESSAGE_CHARS) {
            tail = "..." + tail.substring(tail.length() - STDERR_MESSAGE_CHARS);
        }
        return new WorkerDiedException(name + " (pid " + process.pid() + ") " + what
                + (exited ? "; it exited with status " + process.exitValue() : "")
                + (tail.isEmpty() ? "" : "; its last output: " + tail), cause);
    }

    private void readLoop() {
        FrameReader reader = new FrameReader(new BufferedInputStream(process.getInputStream(), 1 << 16));
        try {
            for (Message m; (m = reader.read()) != null; ) {
                inbox.add(new Inbound(copyBuffers(m), null));
            }
            inbox.add(new Inbound(null, died("closed its channel", null)));
        } catch (ProtocolException e) {
            process.destroyForcibly();
            inbox.add(new Inbound(null, new ProtocolException(name + " sent a malformed message: " + e.getMessage())));
        } catch (IOException e) {
            inbox.add(new Inbound(null, died("broke its channel", e)));
        } catch (RuntimeException | Error e) {
            // Whatever ends this thread must still end the worker for whoever waits on the inbox.
            process.destroyForcibly();
            inbox.add(new Inbound(null, new IOException(name + "'s reader failed: " + e, e)));
            throw e;
        }
    }

    /** Messages leave the reading thread, so their byte buffers must not share its reused buffer. */
    private static Message copyBuffers(Message m) {
        if (m instanceof Message.BatchDone d) {
            ByteBuffer own = ByteBuffer.allocate(d.partial().remaining()).put(d.partial().duplicate()).flip();
            return new Message.BatchDone(d.batch(), d.receivedNanos(), d.computeStartNanos(), d.computeEndNanos(), d.memory(), own);
        }
        return m;
    }

    private void drainStderr(Consumer<String> log) {
        byte[] buffer = new byte[8192];
        StringBuilder line = new StringBuilder();
        try (InputStream err = process.getErrorStream()) {
            for (int n; (n = err.read(buffer)) > 0; ) {
                String text = new String(buffer, 0, n, StandardCharsets.UTF_8);
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '\n') {
                        emit(line, log);
                    } else if (line.length() < STDERR_LINE_CHARS) {
                        line.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        if (!line.isEmpty()) {
            emit(line, log);
        }
    }

    private void emit(StringBuilder line, Consumer<String> log) {
        String text = line.toString();
        line.setLength(0);
        synchronized (stderrTail) {
            stderrTail.addLast(text);
            if (stderrTail.size() > STDERR_TAIL_LINES) {
                stderrTail.removeFirst();
            }
        }
        log.accept("[" + name + "] " + text);
    }
}
