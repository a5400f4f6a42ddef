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
 * @param inFile       where a batch of Parquet rows read in file order lies, or {@code null}
 */
record EncodedPartial(long batchIndex, long rowCount, String executor, String worker, int attempt, long taskStart, long computeStart,
                      long computeEnd, byte[] bytes, InFile inFile) implements Serializable {
    @Serial
    private static final long serialVersionUID = 3L;

    /**
     * Where a batch of Parquet rows read without sorting them came from, for the driver to put the
     * batches in file order and check that their times keep to it ({@link MapRows}).
     *
     * @param file    the file's index in path order
     * @param row     the batch's first row in the file
     * @param firstTs the batch's first time, epoch nanoseconds
     * @param lastTs  its last time; its rows' times never decrease in between
     */
    record InFile(int file, long row, long firstTs, long lastTs) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** This partial, from the batch at {@code where}. */
    EncodedPartial at(InFile where) {
        return new EncodedPartial(batchIndex, rowCount, executor, worker, attempt, taskStart, computeStart, computeEnd, bytes, where);
    }
}
