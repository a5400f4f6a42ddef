package dev.tsproc.spark;

import java.io.Serial;
import java.io.Serializable;

/**
 * The consecutive batches {@code [firstBatch, endBatch)} of a plan that one Spark partition
 * maps: the one element of each partition of the job's RDD.
 *
 * @param partition  the partition's index
 * @param firstBatch the index of its first batch
 * @param endBatch   one past the index of its last batch
 */
record BatchRange(int partition, long firstBatch, long endBatch) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    BatchRange {
        if (partition < 0 || firstBatch < 0 || endBatch <= firstBatch) {
            throw new IllegalArgumentException("partition=" + partition + " batches [" + firstBatch + ", " + endBatch
                    + ") must be a non-empty range");
        }
    }
}
