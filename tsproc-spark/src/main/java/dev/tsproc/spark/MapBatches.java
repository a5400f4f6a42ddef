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
import java.util.ArrayList;
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
        String executor = executorName();
        Plan plan = new Plan(firstRow, rowCount, batchRows);
        List<EncodedPartial> partials = new ArrayList<>();
        try (Store store = openPlanned(storePath, fileSize, headerCrc);
             JobRequest.Resolved resolved = JobRequest.decode(ByteBuffer.wrap(request)).resolve(store)) {
            while (ranges.hasNext()) {
                BatchRange range = ranges.next();
                for (long index = range.firstBatch(); index < range.endBatch(); index++) {
                    TaskContext.get().killTaskIfInterrupted();
                    partials.add(map(resolved.job(), plan.batch(index), store::view, executor));
                }
            }
        }
        return partials.iterator();
    }

    /**
     * Maps {@code batch}, viewed by {@code view}, and encodes its partial; a failure of the view
     * or the job becomes the {@link BatchFailure} naming the batch and the executor.
     */
    static <P> EncodedPartial map(Job<P, ?> job, Batch batch, Function<Batch, BatchView> view, String executor) {
        try {
            P partial = job.map(view.apply(batch));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                PartialCodec.of(job).writePartial(partial, out);
            }
            return new EncodedPartial(batch.index(), batch.rowCount(), executor, bytes.toByteArray());
        } catch (IOException e) {
            throw new BatchFailure(batch, executor, new UncheckedIOException(e));
        } catch (RuntimeException e) {
            if (TaskContext.get().isInterrupted()) {
                throw e; // cancelled: Spark reports the kill, not a failure
            }
            throw new BatchFailure(batch, executor, e);
        }
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
