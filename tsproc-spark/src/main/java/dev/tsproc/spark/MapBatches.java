package dev.tsproc.spark;

import dev.tsproc.data.Batch;
import dev.tsproc.data.BatchView;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Plan;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreChangedException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * What an executor does with its partition: opens the store, rebuilds the job from the encoded
 * request, maps each batch of its {@link BatchRange} from a zero-copy view of the mapped file,
 * and returns each batch's partial in the job's codec with its batch index.
 *
 * <p>Only plain data travels to the executor: the store's path and identity, the request's
 * bytes and the plan's three numbers. The executor checks that the file at the path is the store
 * the driver planned (same size and header checksum; the inode may differ across machines), so
 * a replaced or different file fails the job instead of answering for another store. Spark
 * retries a task that failed or whose executor was lost; since a batch's partial depends on the
 * batch only, a retry gives the same bytes.
 *
 * <p>Each partial also says when its batch was computed — epoch nanoseconds on the executor's
 * clock — and in which of the executor's task slots ({@link Where}), so the driver can draw one
 * timeline row per slot: an executor of four cores runs four tasks at once, and one row for
 * them would overlap.
 *
 * <p>A store truncated while a task reads it makes the JVM raise an {@link InternalError} at the
 * fault, which Spark takes for a fatal error, even as a cause, and ends the executor's JVM for
 * (exit code 50); the batch fails with the store's one sentence instead, without the error.
 */
final class MapBatches implements FlatMapFunction<Iterator<BatchRange>, EncodedPartial> {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String storePath;
    private final long fileSize;
    private final int headerCrc;
    private final byte[] request;
    private final long firstRow;
    private final long rowCount;
    private final long batchRows;

    /** This JVM's task slots mapping batches now: bit {@code s} set while slot {@code s + 1} is taken. */
    private static final BitSet SLOTS_TAKEN = new BitSet();
    /** Epoch nanoseconds at {@link System#nanoTime()} 0: the wall clock read once, at this class's loading. */
    private static final long EPOCH_AT_NANO_ZERO = epochNanosNow() - System.nanoTime();

    MapBatches(Store store, JobRequest request, Plan plan) {
        this.storePath = store.path().toAbsolutePath().toString();
        this.fileSize = store.identity().fileSize();
        this.headerCrc = store.identity().headerCrc();
        this.request = request.encode();
        this.firstRow = plan.firstRow();
        this.rowCount = plan.rowCount();
        this.batchRows = plan.batchRows();
    }

    @Override
    public Iterator<EncodedPartial> call(Iterator<BatchRange> ranges) throws IOException {
        Plan plan = new Plan(firstRow, rowCount, batchRows);
        List<EncodedPartial> partials = new ArrayList<>();
        try (Where where = Where.take();
             Store store = openPlanned(storePath, fileSize, headerCrc);
             JobRequest.Resolved resolved = JobRequest.decode(ByteBuffer.wrap(request)).resolve(store)) {
            while (ranges.hasNext()) {
                BatchRange range = ranges.next();
                for (long index = range.firstBatch(); index < range.endBatch(); index++) {
                    TaskContext.get().killTaskIfInterrupted();
                    partials.add(map(resolved.job(), plan.batch(index), store::view, where));
                }
            }
        }
        return partials.iterator();
    }

    /**
     * Maps {@code batch}, viewed by {@code view}, and encodes its partial with when and where it
     * was computed; a failure of the view or the job becomes the {@link BatchFailure} naming the
     * batch and the executor.
     */
    static <P> EncodedPartial map(Job<P, ?> job, Batch batch, Function<Batch, BatchView> view, Where where) {
        try {
            long start = epochNanos();
            P partial = job.map(view.apply(batch));
            long end = epochNanos();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                PartialCodec.of(job).writePartial(partial, out);
            }
            return new EncodedPartial(batch.index(), batch.rowCount(), where.executor(), where.worker(), where.attempt(),
                    where.taskStart(), start, end, bytes.toByteArray(), null);
        } catch (IOException e) {
            throw new BatchFailure(batch, where.executor(), new UncheckedIOException(e));
        } catch (InternalError _) { // the mapped file was truncated under the batch
            throw new BatchFailure(batch, where.executor(), StoreColumn.truncated());
        } catch (RuntimeException e) {
            if (TaskContext.get().isInterrupted()) {
                throw e; // cancelled: Spark reports the kill, not a failure
            }
            throw new BatchFailure(batch, where.executor(), e);
        }
    }

    /**
     * Where a task maps its batches: the executor ({@link #executorName()}), the task slot it
     * holds — the lowest free in this JVM when the task began, held until {@link #close()} — as
     * the timeline's row ({@code executor 1@10.0.0.2 slot 1}), Spark's attempt, 1 for the first,
     * and when the task began ({@link #epochNanos()}).
     */
    record Where(String executor, String worker, int attempt, int slot, long taskStart) implements AutoCloseable {
        /** Takes the lowest free task slot of this JVM for the task beginning now on this thread. */
        static Where take() {
            long taskStart = epochNanos();
            int slot;
            synchronized (SLOTS_TAKEN) {
                slot = SLOTS_TAKEN.nextClearBit(0) + 1;
                SLOTS_TAKEN.set(slot - 1);
            }
            return new Where(executorName(), "executor " + SparkEnv.get().executorId() + "@"
                    + SparkEnv.get().blockManager().blockManagerId().host() + " slot " + slot,
                    TaskContext.get().attemptNumber() + 1, slot, taskStart);
        }

        /** Frees the slot. */
        @Override
        public void close() {
            synchronized (SLOTS_TAKEN) {
                SLOTS_TAKEN.clear(slot - 1);
            }
        }
    }

    /**
     * The time now in epoch nanoseconds, as precise as {@link System#nanoTime()}: what executors
     * stamp batches with and the driver sets a run's start by, comparable across the JVMs of one
     * machine, and across machines as far as their clocks agree.
     */
    static long epochNanos() {
        return EPOCH_AT_NANO_ZERO + System.nanoTime();
    }

    private static long epochNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Opens the store at {@code path} on an executor, refusing a file that is not the one the
     * driver planned: another size or header checksum.
     *
     * @throws StoreChangedException if the file at the path is another one
     */
    static Store openPlanned(String path, long fileSize, int headerCrc) throws IOException {
        Store store = Store.open(Path.of(path));
        Store.Identity identity = store.identity();
        if (identity.fileSize() != fileSize || identity.headerCrc() != headerCrc) {
            store.close();
            throw new StoreChangedException(store.path(), executorName());
        }
        return store;
    }

    /** {@code executor 1 (pid 4242)}: Spark's executor id and the JVM's process id, which a person can look for. */
    static String executorName() {
        return "executor " + SparkEnv.get().executorId() + " (pid " + ProcessHandle.current().pid() + ")";
    }

    /**
     * A batch failed on an executor: which batch, which rows, where, and why. Spark carries it to
     * the driver as the task's failure, and {@link TsprocSpark} turns it into the
     * {@link dev.tsproc.exec.BatchFailedException} of a failed job.
     */
    static final class BatchFailure extends RuntimeException implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        final long batchIndex;
        final long rowOffset;
        final long rows;
        final String executor;

        BatchFailure(Batch batch, String executor, Throwable cause) {
            super(batch + " failed on " + executor + ": " + cause, cause);
            this.batchIndex = batch.index();
            this.rowOffset = batch.rowOffset();
            this.rows = batch.rowCount();
            this.executor = executor;
        }
    }
}
