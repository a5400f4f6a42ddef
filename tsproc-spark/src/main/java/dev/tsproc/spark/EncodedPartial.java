package dev.tsproc.spark;

import java.io.Serial;
import java.io.Serializable;

/**
 * One batch's partial as an executor sends it to the driver: written by the job's
 * {@link dev.tsproc.job.PartialCodec}, never as a serialized object, so the driver's job reads
 * exactly what the executor's computed; and when and where it was computed, for the run's
 * {@link dev.tsproc.observe.Timeline}.
 *
 * @param batchIndex   the batch's index in the plan
 * @param rowCount     its rows
 * @param executor     the Spark executor that computed it ({@code executor 1 (pid 4242)})
 * @param worker       the executor's task slot that computed it, the timeline's row
 *                     ({@code executor 1@10.0.0.2 slot 1})
 * @param attempt      Spark's attempt at the task, 1 for the first
 * @param taskStart    when the task that computed it began on the executor (before it opened the
 *                     store or rebuilt the job), in epoch nanoseconds on the executor's clock
 * @param computeStart when the job's {@code map} began, in epoch nanoseconds on the executor's clock
 * @param computeEnd   when it returned, likewise
 * @param bytes        the encoded partial
 */
record EncodedPartial(long batchIndex, long rowCount, String executor, String worker, int attempt, long taskStart, long computeStart,
                      long computeEnd, byte[] bytes) implements Serializable {
    @Serial
    private static final long serialVersionUID = 2L;
}
