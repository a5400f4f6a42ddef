package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The exact binary form of a {@link Summary}, for partials that cross a process boundary.
 *
 * <pre>
 *   rows i64 | missing i64 | min f64 bits | max f64 bits | sum (ExactSum) | squares (ExactSum)
 * </pre>
 *
 * Doubles travel as their raw bits, and the exact sums as their whole state, so a decoded
 * summary combines and finishes to the same bits as the original.
 */
final class SummaryCodec {
    private SummaryCodec() {}

    static void write(Summary s, DataOutput out) throws IOException {
        out.writeLong(s.rows);
        out.writeLong(s.missing);
        out.writeLong(Double.doubleToRawLongBits(s.min));
        out.writeLong(Double.doubleToRawLongBits(s.max));
        s.sum.writeTo(out);
        s.squares.writeTo(out);
    }

    static Summary read(DataInput in) throws IOException {
        Summary s = new Summary();
        s.rows = in.readLong();
        s.missing = in.readLong();
        if (s.rows < 0 || s.missing < 0 || s.missing > s.rows) {
            throw new IOException("summary rows=" + s.rows + " missing=" + s.missing + " are inconsistent");
        }
        s.min = Double.longBitsToDouble(in.readLong());
        s.max = Double.longBitsToDouble(in.readLong());
        s.sum.readFrom(in);
        s.squares.readFrom(in);
        long present = s.rows - s.missing;
        if (s.sum.count() > present) {
            throw new IOException("summary sum holds " + s.sum.count() + " values but only " + present + " are present");
        }
        return s;
    }
}
