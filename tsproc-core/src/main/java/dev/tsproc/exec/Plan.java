package dev.tsproc.exec;

/**
 * Fixed-size batches covering a store's rows: every batch has {@code batchRows} rows but the
 * last, which has the remainder.
 *
 * <p>The cut depends only on the row count and the batch size — never on the number of
 * workers — so the partials, and the order in which the coordinator combines them, are the
 * same however the work is spread. Batches are computed on demand, so a plan of billions of
 * rows costs no memory.
 *
 * @param rowCount  rows in the store
 * @param batchRows rows per batch, at least 1
 */
public record Plan(long rowCount, long batchRows) {
    public Plan {
        if (rowCount < 0) {
            throw new IllegalArgumentException("rowCount=" + rowCount + " must not be negative");
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows=" + batchRows + " must be at least 1");
        }
    }

    /** Number of batches: {@code ceil(rowCount / batchRows)}. */
    public long batchCount() {
        return rowCount / batchRows + (rowCount % batchRows == 0 ? 0 : 1);
    }

    /** Batch {@code index}, {@code 0 <= index < batchCount()}. */
    public Batch batch(long index) {
        if (index < 0 || index >= batchCount()) {
            throw new IndexOutOfBoundsException("batch " + index + " outside [0, " + batchCount() + ")");
        }
        long offset = index * batchRows;
        return new Batch(index, offset, Math.min(batchRows, rowCount - offset));
    }
}
