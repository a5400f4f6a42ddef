package dev.tsproc.exec;

/**
 * One batch of a plan: rows {@code [rowOffset, rowOffset + rowCount)} of the store.
 *
 * @param index     position of the batch in the plan, from 0
 * @param rowOffset first row
 * @param rowCount  number of rows, at least 1
 */
public record Batch(long index, long rowOffset, long rowCount) {
    /** One past the last row. */
    public long rowEnd() {
        return rowOffset + rowCount;
    }

    @Override
    public String toString() {
        return "batch " + index + " (rows " + rowOffset + ".." + (rowEnd() - 1) + ")";
    }
}
