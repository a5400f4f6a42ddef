package dev.tsproc.spark;

import dev.tsproc.data.Column;
import dev.tsproc.store.Store;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;

/**
 * A Spark column vector over one column's slice of a mapped store: Spark reads the file's bytes
 * where they are, nothing is copied. Each kind answers only the getter of its Spark type.
 */
abstract sealed class StoreColumn extends ColumnVector {
    StoreColumn(DataType type) {
        super(type);
    }

    /** {@code ts}: epoch nanoseconds as LONG, never null. */
    static final class Ts extends StoreColumn {
        private final MemorySegment ts;

        Ts(MemorySegment ts) {
            super(DataTypes.LongType);
            this.ts = ts;
        }

        @Override
        public long getLong(int row) {
            try {
                return ts.getAtIndex(Column.TS_LAYOUT, row);
            } catch (InternalError _) {
                throw truncated();
            }
        }
    }

    /** {@code value}: DOUBLE, null where the store holds NaN (missing). */
    static final class Value extends StoreColumn {
        private final MemorySegment values;
        private final int rows;
        /** Counted on first use: Spark asks only when it plans to skip null checks. */
        private int nulls = -1;

        Value(MemorySegment values, int rows) {
            super(DataTypes.DoubleType);
            this.values = values;
            this.rows = rows;
        }

        @Override
        public boolean isNullAt(int row) {
            return Double.isNaN(getDouble(row));
        }

        @Override
        public double getDouble(int row) {
            try {
                return values.getAtIndex(Column.VALUE_LAYOUT, row);
            } catch (InternalError _) {
                throw truncated();
            }
        }

        @Override
        public int numNulls() {
            if (nulls < 0) {
                int n = 0;
                for (int row = 0; row < rows; row++) {
                    if (isNullAt(row)) {
                        n++;
                    }
                }
                nulls = n;
            }
            return nulls;
        }
    }

    /** {@code series}: the name of the row's series id, as STRING. */
    static final class Series extends StoreColumn {
        private final MemorySegment ids;
        private final UTF8String[] names;

        Series(MemorySegment ids, UTF8String[] names) {
            super(DataTypes.StringType);
            this.ids = ids;
            this.names = names;
        }

        @Override
        public UTF8String getUTF8String(int row) {
            try {
                return names[ids.getAtIndex(Column.SERIES_LAYOUT, row)];
            } catch (InternalError _) {
                throw truncated();
            }
        }

        @Override
        public byte[] getBinary(int row) {
            return getUTF8String(row).getBytes();
        }
    }

    @Override
    public void close() {
        // The store's mapping belongs to the reader, which unmaps it when the task ends.
    }

    @Override
    public boolean hasNull() {
        return numNulls() > 0;
    }

    @Override
    public int numNulls() {
        return 0;
    }

    @Override
    public boolean isNullAt(int row) {
        return false;
    }

    @Override
    public boolean getBoolean(int row) {
        throw unsupported();
    }

    @Override
    public byte getByte(int row) {
        throw unsupported();
    }

    @Override
    public short getShort(int row) {
        throw unsupported();
    }

    @Override
    public int getInt(int row) {
        throw unsupported();
    }

    @Override
    public long getLong(int row) {
        throw unsupported();
    }

    @Override
    public float getFloat(int row) {
        throw unsupported();
    }

    @Override
    public double getDouble(int row) {
        throw unsupported();
    }

    @Override
    public ColumnarArray getArray(int row) {
        throw unsupported();
    }

    @Override
    public ColumnarMap getMap(int row) {
        throw unsupported();
    }

    @Override
    public Decimal getDecimal(int row, int precision, int scale) {
        throw unsupported();
    }

    @Override
    public UTF8String getUTF8String(int row) {
        throw unsupported();
    }

    @Override
    public byte[] getBinary(int row) {
        throw unsupported();
    }

    @Override
    public ColumnVector getChild(int ordinal) {
        throw unsupported();
    }

    /**
     * The task's failure when the mapped file was truncated under it: the JVM reports the fault
     * as an {@link InternalError}, which Spark takes for a fatal error and ends the executor's
     * JVM for (exit code 50) — found anywhere in the exception's causes, up to
     * {@code spark.executor.killOnFatalError.depth} deep — so the error is dropped and the task
     * fails with the store's one sentence only.
     */
    static UncheckedIOException truncated() {
        return new UncheckedIOException(new IOException(Store.TRUNCATED_WHILE_READING));
    }

    private UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("a tsproc " + dataType() + " column has no such getter");
    }
}
