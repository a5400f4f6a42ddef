package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * How a job's partials cross a process boundary: an exact binary encoding, written and read
 * as plain fields — never Java object serialization.
 *
 * <p>A job that runs in worker processes implements both {@link Job} and this interface with
 * the same partial type, so the coordinator can decode what a worker computed:
 *
 * {@snippet :
 * public final class AboveJob implements Job<long[], Long>, PartialCodec<long[]> {
 *     // ... Job methods ...
 *     public void writePartial(long[] partial, DataOutput out) throws IOException {
 *         out.writeLong(partial[0]);
 *     }
 *     public long[] readPartial(DataInput in) throws IOException {
 *         long n = in.readLong();
 *         if (n < 0) throw new IOException("count=" + n + " is negative");
 *         return new long[] {n};
 *     }
 * }
 * }
 *
 * @implSpec {@code readPartial(writePartial(p))} must combine and finish to exactly what
 * {@code p} would: the same answer bit for bit, whatever the executor. {@code readPartial}
 * reads bytes that crossed a pipe, so it must validate what it reads and throw an
 * {@link IOException} naming the field and the value on anything it cannot trust; it must not
 * allocate more than the input can justify. Both methods may be called from any thread, one
 * partial at a time.
 *
 * @param <P> the partial type of the job
 */
public interface PartialCodec<P> {
    /** Writes {@code partial} to {@code out}. */
    void writePartial(P partial, DataOutput out) throws IOException;

    /** Reads a partial written by {@link #writePartial}, validating every field. */
    P readPartial(DataInput in) throws IOException;

    /**
     * The codec of {@code job}: the job itself when it implements this interface.
     *
     * @throws IllegalArgumentException if the job has no codec, so it cannot run in worker processes
     */
    @SuppressWarnings("unchecked")
    static <P> PartialCodec<P> of(Job<P, ?> job) {
        if (job instanceof PartialCodec<?> codec) {
            return (PartialCodec<P>) codec;
        }
        throw new IllegalArgumentException("job " + job.name() + " cannot run in worker processes: its class "
                + job.getClass().getName() + " does not implement " + PartialCodec.class.getName());
    }
}
