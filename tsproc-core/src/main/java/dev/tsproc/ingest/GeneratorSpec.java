package dev.tsproc.ingest;

import dev.tsproc.data.SeriesDictionary;

import java.util.Objects;

/**
 * What the {@link Generator} makes: how many rows, over how many series, how many of them
 * missing, drawn from which distribution, from which seed.
 *
 * <p>Row {@code i} has the timestamp {@code START_NANOS + i * STEP_NANOS}. The same spec always
 * gives the same bytes, whatever the number of threads.
 *
 * @param rows         number of rows, at least 0
 * @param series       number of series, each row's drawn uniformly; 0 or 1 means a single
 *                     series and no series column
 * @param missing      probability that a row's value is missing (NaN), in [0, 1]
 * @param distribution what the values are drawn from
 * @param seed         seed of all random draws
 */
public record GeneratorSpec(long rows, int series, double missing, Distribution distribution, long seed) {
    /** Timestamp of row 0: 2023-11-14T22:13:20Z in epoch nanoseconds, as in the talk. */
    public static final long START_NANOS = 1_700_000_000_000_000_000L;
    /** Rows are 1 ms apart, as in the talk. */
    public static final long STEP_NANOS = 1_000_000L;
    /** Most rows whose timestamps fit in int64. */
    public static final long MAX_ROWS = (Long.MAX_VALUE - START_NANOS) / STEP_NANOS + 1;
    /** The talk's share of missing values: one of its three equally likely choices. */
    public static final double TALK_MISSING = 0.33;
    /** The seed the talk's data generator uses. */
    public static final long TALK_SEED = 42;

    public GeneratorSpec {
        if (rows < 0) {
            throw new IllegalArgumentException("rows=" + rows + " must not be negative");
        }
        if (rows > MAX_ROWS) {
            throw new IllegalArgumentException("rows=" + rows + " is more than " + MAX_ROWS
                    + ", beyond which timestamps overflow int64");
        }
        if (series < 0 || series > SeriesDictionary.MAX_SERIES) {
            throw new IllegalArgumentException("series=" + series + " must be in [0, " + SeriesDictionary.MAX_SERIES + "]");
        }
        if (!(missing >= 0 && missing <= 1)) {
            throw new IllegalArgumentException("missing=" + missing + " must be in [0, 1]");
        }
        Objects.requireNonNull(distribution, "distribution must not be null");
    }

    /** The talk's workload: one series, values from {0, 1, missing}, seed 42. */
    public static GeneratorSpec talk(long rows) {
        return new GeneratorSpec(rows, 0, TALK_MISSING, Distribution.TALK, TALK_SEED);
    }

    /** Whether the store gets a series column: only when there are at least two series. */
    public boolean hasSeries() {
        return series >= 2;
    }
}
