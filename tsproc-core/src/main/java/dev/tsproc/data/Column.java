package dev.tsproc.data;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The columns a time series store can hold, each with its fixed element type.
 *
 * <p>The set is closed on purpose: the store format, the batch view and every kernel know
 * each column's width and layout statically, so the hot loops never dispatch on a type.
 * All columns are little-endian; on the x86 and ARM machines tsproc runs on this is the
 * native order, so the layouts cost nothing.
 */
public enum Column {
    /** Timestamps: int64 epoch nanoseconds, ascending. */
    TS(1, ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN)),
    /** Values: float64, NaN means missing. */
    VALUE(2, ValueLayout.JAVA_DOUBLE.withOrder(ByteOrder.LITTLE_ENDIAN)),
    /** Optional series ids: int32 index into the store's {@link SeriesDictionary}. */
    SERIES(3, ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN));

    /** Layout of a timestamp element. */
    public static final ValueLayout.OfLong TS_LAYOUT = (ValueLayout.OfLong) TS.layout;
    /** Layout of a value element. */
    public static final ValueLayout.OfDouble VALUE_LAYOUT = (ValueLayout.OfDouble) VALUE.layout;
    /** Layout of a series-id element. */
    public static final ValueLayout.OfInt SERIES_LAYOUT = (ValueLayout.OfInt) SERIES.layout;

    private final int id;
    private final ValueLayout layout;

    Column(int id, ValueLayout layout) {
        this.id = id;
        this.layout = layout;
    }

    /** The column's identifier in the store format's column table. */
    public int id() {
        return id;
    }

    /** Width of one element in bytes. */
    public int byteWidth() {
        return (int) layout.byteSize();
    }

    /** The element layout (little-endian, naturally aligned). */
    public ValueLayout layout() {
        return layout;
    }

    /** Bytes needed for {@code rowCount} elements of this column. */
    public long byteSize(long rowCount) {
        return Math.multiplyExact(rowCount, (long) byteWidth());
    }

    /** The column with the given format identifier, or {@code null} if there is none. */
    public static Column byId(int id) {
        for (Column c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
