package dev.tsproc.plan;

import dev.tsproc.data.Batch;

/**
 * Fixed-size batches covering rows {@code [firstRow, firstRow + rowCount)} of a store (all of it,
 * or the rows a query's time range selects): every batch has {@code batchRows} rows but the last,
 * which has the remainder. Made by the {@link Planner}.
 *
 * <p>The cut depends only on the row count and the batch size — never on the number of
 * workers — so the partials, and the order in which the coordinator combines them, are the
 * same however the work is spread. Batches are computed on demand, so a plan of billions of
 * rows costs no memory.
 *
 * @param firstRow  first row covered
 * @param rowCount  rows covered
 * @param batchRows rows per batch, at least 1
 */
public record Plan(long firstRow, long rowCount, long batchRows) {
    public Plan {
        if (firstRow < 0) {
            throw new IllegalArgumentException("firstRow=" + firstRow + " must not be negative");
        }
        if (rowCount < 0) {
            throw new IllegalArgumentException("rowCount=" + rowCount + " must not be negative");
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows=" + batchRows + " must be at least 1");
        }
    }

    /** Batches over rows {@code [0, rowCount)}. */
    public Plan(long rowCount, long batchRows) {
        this(0, rowCount, batchRows);
    }

    /** One past the last row covered. */
    public long rowEnd() {
        return firstRow + rowCount;
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
        return new Batch(index, firstRow + offset, Math.min(batchRows, rowCount - offset));
    }
}
