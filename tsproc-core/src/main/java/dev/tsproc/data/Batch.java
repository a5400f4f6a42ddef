package dev.tsproc.data;

/**
 * One batch of a plan: rows {@code [rowOffset, rowOffset + rowCount)} of the store. The one
 * record of a batch's identity from the planner to the report: the coordinator hands it to a
 * worker, the worker protocol carries its fields, and every event and time a run records
 * refers to it.
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
