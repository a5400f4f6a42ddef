package dev.tsproc.job;

import java.util.Arrays;

/**
 * The partial result of a {@link QueryJob} over a run of consecutive rows: one entry per group
 * (time bucket, series) met, in (bucket, series) order, held column by column.
 *
 * <p>Sums are exact: a group's sum is {@code sum[g] + bigSum[g]}, where {@code sum[g]} is an
 * integer-valued double of magnitude at most 2^53 (so every addition to it that stays below that
 * is exact — the fast path for integer data, like the talk's 0/1 values) and {@code bigSum[g]} an
 * {@link ExactSum} created only when a value or a total does not fit that form. Squares likewise.
 * Both starts at -0.0 so that a sum of only -0.0 values stays -0.0, as an IEEE sum does.
 *
 * <p>Because rows arrive in timestamp order, two consecutive partials can share only the last
 * bucket of the earlier and the first bucket of the later: {@link #combine} merges those and
 * appends the rest. Everything is exact or order-free, so the combined partial is the same
 * however the rows were cut into batches.
 *
 * <p>Not thread-safe: a partial belongs to one batch, then to the coordinator.
 */
public final class QueryPartial {
    /** Sums whose magnitude stays at or below this are exact in a double. */
    static final double EXACT_LIMIT = 0x1p53;

    private final boolean percentiles;
    private final boolean exactPercentiles;
    int size;
    long[] bucket;
    int[] series;
    long[] rows;
    long[] missing;
    double[] sum;
    double[] squares;
    ExactSum[] bigSum;
    ExactSum[] bigSquares;
    double[] min;
    double[] max;
    double[] first;
    double[] last;
    Percentiles[] sketches;

    QueryPartial(boolean percentiles, boolean exactPercentiles, int capacity) {
        this.percentiles = percentiles;
        this.exactPercentiles = exactPercentiles;
        int c = Math.max(1, capacity);
        bucket = new long[c];
        series = new int[c];
        rows = new long[c];
        missing = new long[c];
        sum = new double[c];
        squares = new double[c];
        bigSum = new ExactSum[c];
        bigSquares = new ExactSum[c];
        min = new double[c];
        max = new double[c];
        first = new double[c];
        last = new double[c];
        sketches = percentiles ? new Percentiles[c] : null;
    }

    /** Number of groups. */
    public int size() {
        return size;
    }

    /** Appends an empty group (no rows) with the given key and returns its index. */
    int addGroup(long bucketIndex, int seriesId) {
        if (size == bucket.length) {
            grow(size * 2);
        }
        int g = size++;
        bucket[g] = bucketIndex;
        series[g] = seriesId;
        rows[g] = 0;
        missing[g] = 0;
        sum[g] = -0.0;
        squares[g] = -0.0;
        bigSum[g] = null;
        bigSquares[g] = null;
        min[g] = Double.POSITIVE_INFINITY;
        max[g] = Double.NEGATIVE_INFINITY;
        first[g] = Double.NaN;
        last[g] = Double.NaN;
        if (percentiles) {
            sketches[g] = new Percentiles(exactPercentiles);
        }
        return g;
    }

    private void grow(int capacity) {
        bucket = Arrays.copyOf(bucket, capacity);
        series = Arrays.copyOf(series, capacity);
        rows = Arrays.copyOf(rows, capacity);
        missing = Arrays.copyOf(missing, capacity);
        sum = Arrays.copyOf(sum, capacity);
        squares = Arrays.copyOf(squares, capacity);
        bigSum = Arrays.copyOf(bigSum, capacity);
        bigSquares = Arrays.copyOf(bigSquares, capacity);
        min = Arrays.copyOf(min, capacity);
        max = Arrays.copyOf(max, capacity);
        first = Arrays.copyOf(first, capacity);
        last = Arrays.copyOf(last, capacity);
        if (percentiles) {
            sketches = Arrays.copyOf(sketches, capacity);
        }
    }

    /** Adds {@code small}, an integer-valued double of magnitude at most 2^53, to group g's sum. */
    void addSmallSum(int g, double small) {
        double s = sum[g] + small;
        if (Math.abs(s) <= EXACT_LIMIT) {
            sum[g] = s;
        } else {
            bigSum(g).add(small);
        }
    }

    /** As {@link #addSmallSum} for the sum of squares. */
    void addSmallSquares(int g, double small) {
        double s = squares[g] + small;
        if (Math.abs(s) <= EXACT_LIMIT) {
            squares[g] = s;
        } else {
            bigSquares(g).add(small);
        }
    }

    ExactSum bigSum(int g) {
        ExactSum e = bigSum[g];
        return e != null ? e : (bigSum[g] = new ExactSum());
    }

    ExactSum bigSquares(int g) {
        ExactSum e = bigSquares[g];
        return e != null ? e : (bigSquares[g] = new ExactSum());
    }

    /** Merges group {@code j} of {@code later}, whose rows all come after group g's, into group g. */
    void mergeFrom(int g, QueryPartial later, int j) {
        rows[g] += later.rows[j];
        missing[g] += later.missing[j];
        addSmallSum(g, later.sum[j]);
        addSmallSquares(g, later.squares[j]);
        if (later.bigSum[j] != null) {
            bigSum(g).addAll(later.bigSum[j]);
        }
        if (later.bigSquares[j] != null) {
            bigSquares(g).addAll(later.bigSquares[j]);
        }
        min[g] = Math.min(min[g], later.min[j]);
        max[g] = Math.max(max[g], later.max[j]);
        if (Double.isNaN(first[g])) {
            first[g] = later.first[j];
        }
        if (!Double.isNaN(later.last[j])) {
            last[g] = later.last[j];
        }
        if (percentiles) {
            sketches[g].addAll(later.sketches[j]);
        }
    }

    /** Appends a copy of group {@code j} of {@code other}; sums and sketches are shared, not copied. */
    private void appendFrom(QueryPartial other, int j) {
        if (size == bucket.length) {
            grow(Math.max(size * 2, size + 1));
        }
        int g = size++;
        bucket[g] = other.bucket[j];
        series[g] = other.series[j];
        rows[g] = other.rows[j];
        missing[g] = other.missing[j];
        sum[g] = other.sum[j];
        squares[g] = other.squares[j];
        bigSum[g] = other.bigSum[j];
        bigSquares[g] = other.bigSquares[j];
        min[g] = other.min[j];
        max[g] = other.max[j];
        first[g] = other.first[j];
        last[g] = other.last[j];
        if (percentiles) {
            sketches[g] = other.sketches[j];
        }
    }

    /**
     * The partial of this partial's rows followed by {@code later}'s: groups of the shared bucket
     * merged, the rest appended. May return either argument, updated; {@code later} must not be
     * used afterwards.
     */
    static QueryPartial combine(QueryPartial earlier, QueryPartial later) {
        if (later.size == 0) {
            return earlier;
        }
        if (earlier.size == 0) {
            return later;
        }
        long shared = earlier.bucket[earlier.size - 1];
        if (later.bucket[0] < shared) {
            throw new IllegalStateException("timestamps are not ascending: bucket " + later.bucket[0]
                    + " follows bucket " + shared);
        }
        int p = 0;
        if (later.bucket[0] == shared) {
            while (p < later.size && later.bucket[p] == shared) {
                p++;
            }
            int s = earlier.size;
            while (s > 0 && earlier.bucket[s - 1] == shared) {
                s--;
            }
            if (!mergeInPlace(earlier, s, later, p)) {
                earlier = mergeRebuilt(earlier, s, later, p);
            }
        }
        earlier.ensureCapacity(earlier.size + later.size - p);
        for (int j = p; j < later.size; j++) {
            earlier.appendFrom(later, j);
        }
        return earlier;
    }

    private void ensureCapacity(int capacity) {
        if (capacity > bucket.length) {
            grow(Math.max(capacity, bucket.length * 2));
        }
    }

    /** Merges later[0, p) into earlier[s, size) when every series of the former is in the latter. */
    private static boolean mergeInPlace(QueryPartial earlier, int s, QueryPartial later, int p) {
        int i = s;
        for (int j = 0; j < p; j++) {
            while (i < earlier.size && earlier.series[i] < later.series[j]) {
                i++;
            }
            if (i == earlier.size || earlier.series[i] != later.series[j]) {
                return false;
            }
        }
        i = s;
        for (int j = 0; j < p; j++) {
            while (earlier.series[i] < later.series[j]) {
                i++;
            }
            earlier.mergeFrom(i, later, j);
        }
        return true;
    }

    /** Earlier's groups before the shared bucket, then the shared bucket's groups of both merged by series. */
    private static QueryPartial mergeRebuilt(QueryPartial earlier, int s, QueryPartial later, int p) {
        QueryPartial out = new QueryPartial(earlier.percentiles, earlier.exactPercentiles, earlier.size + later.size);
        for (int g = 0; g < s; g++) {
            out.appendFrom(earlier, g);
        }
        int i = s;
        int j = 0;
        while (i < earlier.size || j < p) {
            if (j == p || (i < earlier.size && earlier.series[i] < later.series[j])) {
                out.appendFrom(earlier, i++);
            } else if (i == earlier.size || later.series[j] < earlier.series[i]) {
                out.appendFrom(later, j++);
            } else {
                out.appendFrom(earlier, i++);
                out.mergeFrom(out.size - 1, later, j++);
            }
        }
        return out;
    }
}
