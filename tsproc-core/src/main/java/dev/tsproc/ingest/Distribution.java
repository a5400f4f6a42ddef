package dev.tsproc.ingest;

/** The value distributions the {@link Generator} draws from. */
public enum Distribution {
    /**
     * The talk's data: each value is 0 or 1 with equal probability, or missing. The talk draws
     * uniformly from {0, 1, missing}; the spec's {@code missing} sets the missing share.
     */
    TALK,
    /**
     * A random walk per series, starting at 0, with independent normal steps of standard
     * deviation {@value Generator#WALK_STEP}: data that looks like prices or sensor readings, so
     * time-bucket queries show a trend. A missing row still takes its step but stores NaN.
     */
    WALK,
    /** Independent standard normal values: mean 0, standard deviation 1. */
    GAUSS
}
