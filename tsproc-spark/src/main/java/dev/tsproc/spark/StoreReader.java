package dev.tsproc.spark;

import dev.tsproc.data.Column;
import dev.tsproc.store.Store;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Reads a {@link RowRange} as columnar batches of vectors over the mapped store, checking each
 * column's blocks of a batch's rows ({@link Store#checkRows}) before handing it to Spark: a
 * damaged block fails the task with the store's one sentence.
 */
final class StoreReader implements PartitionReader<ColumnarBatch> {
    /** Rows per columnar batch: the default of Spark's own columnar readers (Parquet, ORC). */
    static final int BATCH_ROWS = 4096;

    private final Store store;
    private final RowRange range;
    private long next;
    /** The series names as Spark's strings, made once per task; null if the task does not read series. */
    private final UTF8String[] seriesNames;
    private ColumnarBatch batch;

    private StoreReader(RowRange range) throws IOException {
        this.range = range;
        this.next = range.firstRow();
        this.store = MapBatches.openPlanned(range.path(), range.fileSize(), range.headerCrc());
        seriesNames = range.columns().contains("series")
                ? store.dictionary().names().stream().map(UTF8String::fromString).toArray(UTF8String[]::new)
                : null;
    }

    @Override
    public boolean next() throws IOException {
        long end = range.firstRow() + range.rowCount();
        if (next >= end) {
            return false;
        }
        int rows = (int) Math.min(BATCH_ROWS, end - next);
        ColumnVector[] vectors = new ColumnVector[range.columns().size()];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = vector(range.columns().get(i), next, rows);
        }
        batch = new ColumnarBatch(vectors, rows);
        next += rows;
        return true;
    }

    private ColumnVector vector(String name, long from, int rows) throws IOException {
        Column column = Column.valueOf(name.toUpperCase(Locale.ROOT));
        try {
            store.checkRows(column, from, rows);
        } catch (InternalError _) {
            throw StoreColumn.truncated();
        }
        MemorySegment slice = store.column(column).asSlice(column.byteSize(from), column.byteSize(rows));
        return switch (column) {
            case TS -> new StoreColumn.Ts(slice);
            case VALUE -> new StoreColumn.Value(slice, rows);
            case SERIES -> new StoreColumn.Series(slice, seriesNames);
        };
    }

    @Override
    public ColumnarBatch get() {
        return batch;
    }

    @Override
    public void close() {
        store.close();
    }

    /** Makes the readers on the executors; reads are always columnar. */
    static final class Factory implements PartitionReaderFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean supportColumnarReads(InputPartition partition) {
            return true;
        }

        @Override
        public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
            try {
                return new StoreReader((RowRange) partition);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        @Override
        public PartitionReader<InternalRow> createReader(InputPartition partition) {
            throw new UnsupportedOperationException("a tsproc store is read in columnar batches");
        }
    }
}
