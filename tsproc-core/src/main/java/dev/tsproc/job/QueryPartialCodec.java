package dev.tsproc.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The exact binary form of a {@link QueryPartial}, for partials that cross a process boundary:
 * the one partial codec of every query and built-in job.
 *
 * <pre>
 *   version u8 (= {@value #VERSION}) | groups i32, then per group:
 *     bucket i64 | series i32 | rows i64 | missing i64 | sum f64 | squares f64 | min f64 | max f64
 *     | first f64 | last f64 | flags u8 (1: exact sum follows, 2: exact squares follow)
 *     | [sum (ExactSum)] | [squares (ExactSum)] | [percentiles, when the query has them]
 * </pre>
 *
 * Doubles travel as raw bits, exact sums and sketches as their whole state, so a decoded partial
 * combines and finishes to the same bits as the original. The reader checks what the combine
 * relies on — groups in (bucket, series) order, counts that fit, fast-path sums that are exact
 * integers — and grows its arrays only as groups arrive. The version comes first so that a
 * worker and a coordinator of different builds fail with a clear message rather than a
 * misread partial; bump it whenever the layout changes.
 */
final class QueryPartialCodec {
    /** The layout's version, written first. */
    static final int VERSION = 4;
    private static final int HAS_SUM = 1;
    private static final int HAS_SQUARES = 2;
    private static final int INITIAL_GROUPS = 64;

    private QueryPartialCodec() {}

    static void write(QueryPartial p, boolean percentiles, DataOutput out) throws IOException {
        out.writeByte(VERSION);
        out.writeInt(p.size);
        for (int g = 0; g < p.size; g++) {
            out.writeLong(p.bucket[g]);
            out.writeInt(p.series[g]);
            out.writeLong(p.rows[g]);
            out.writeLong(p.missing[g]);
            out.writeLong(Double.doubleToRawLongBits(p.sum[g]));
            out.writeLong(Double.doubleToRawLongBits(p.squares[g]));
            out.writeLong(Double.doubleToRawLongBits(p.min[g]));
            out.writeLong(Double.doubleToRawLongBits(p.max[g]));
            out.writeLong(Double.doubleToRawLongBits(p.first[g]));
            out.writeLong(Double.doubleToRawLongBits(p.last[g]));
            out.writeByte((p.bigSum[g] != null ? HAS_SUM : 0) | (p.bigSquares[g] != null ? HAS_SQUARES : 0));
            if (p.bigSum[g] != null) {
                p.bigSum[g].writeTo(out);
            }
            if (p.bigSquares[g] != null) {
                p.bigSquares[g].writeTo(out);
            }
            if (percentiles) {
                p.sketches[g].writeTo(out);
            }
        }
    }

    static QueryPartial read(DataInput in, boolean percentiles, boolean exactPercentiles) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("query partial version=" + version + " is not " + VERSION
                    + ", the version of this build: coordinator and workers must run the same tsproc");
        }
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("query partial groups=" + size + " is negative");
        }
        QueryPartial p = new QueryPartial(percentiles, exactPercentiles, Math.min(size, INITIAL_GROUPS));
        for (int g = 0; g < size; g++) {
            long bucket = in.readLong();
            int series = in.readInt();
            if (g > 0 && (bucket < p.bucket[g - 1] || (bucket == p.bucket[g - 1] && series <= p.series[g - 1]))) {
                throw new IOException("query partial group[" + g + "] (bucket " + bucket + ", series " + series
                        + ") is not after the group before it");
            }
            if (series < -1) {
                throw new IOException("query partial group[" + g + "] series=" + series + " is negative");
            }
            int at = p.addGroup(bucket, series);
            p.rows[at] = in.readLong();
            p.missing[at] = in.readLong();
            if (p.rows[at] < 0 || p.missing[at] < 0 || p.missing[at] > p.rows[at]) {
                throw new IOException("query partial group[" + g + "] rows=" + p.rows[at] + " missing="
                        + p.missing[at] + " are inconsistent");
            }
            p.sum[at] = exactInteger(in.readLong(), g, "sum");
            p.squares[at] = exactInteger(in.readLong(), g, "squares");
            p.min[at] = Double.longBitsToDouble(in.readLong());
            p.max[at] = Double.longBitsToDouble(in.readLong());
            p.first[at] = Double.longBitsToDouble(in.readLong());
            p.last[at] = Double.longBitsToDouble(in.readLong());
            int flags = in.readUnsignedByte();
            if ((flags & ~(HAS_SUM | HAS_SQUARES)) != 0) {
                throw new IOException("query partial group[" + g + "] flags=" + flags + " has unknown bits");
            }
            if ((flags & HAS_SUM) != 0) {
                p.bigSum(at).readFrom(in);
            }
            if ((flags & HAS_SQUARES) != 0) {
                p.bigSquares(at).readFrom(in);
            }
            if (percentiles) {
                p.sketches[at] = Percentiles.readFrom(in, exactPercentiles);
            }
        }
        return p;
    }

    /** A fast-path sum: an integer-valued double of magnitude at most 2^53, or -0.0. */
    private static double exactInteger(long bits, int g, String field) throws IOException {
        double d = Double.longBitsToDouble(bits);
        if (!(Math.abs(d) <= QueryPartial.EXACT_LIMIT) || d != Math.rint(d)) {
            throw new IOException("query partial group[" + g + "] " + field + "=" + d
                    + " is not an integer of magnitude at most 2^53");
        }
        return d;
    }
}
