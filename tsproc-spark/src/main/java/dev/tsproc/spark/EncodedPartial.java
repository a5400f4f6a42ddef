package dev.tsproc.spark;

import java.io.Serial;
import java.io.Serializable;

/**
 * One batch's partial as an executor sends it to the driver: written by the job's
 * {@link dev.tsproc.job.PartialCodec}, never as a serialized object, so the driver's job reads
 * exactly what the executor's computed.
 *
 * @param batchIndex the batch's index in the plan
 * @param rowCount   its rows
 * @param executor   the Spark executor that computed it ({@code host/id})
 * @param bytes      the encoded partial
 */
record EncodedPartial(long batchIndex, long rowCount, String executor, byte[] bytes) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
