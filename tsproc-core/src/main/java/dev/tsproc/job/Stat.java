package dev.tsproc.job;

/** The statistics the built-in jobs compute over the value column. */
public enum Stat {
    /** Rows, missing or not. */
    ROWS,
    /** Values that are not missing (SQL {@code COUNT(value)}). */
    COUNT,
    /** Missing values (NaN). */
    MISSING,
    /** Sum of the values that are not missing; 0 when there are none ({@code numpy.nansum}). */
    SUM,
    /** Mean of the values that are not missing; NaN when there are none. */
    MEAN,
    /** Smallest value; NaN when there are none. */
    MIN,
    /** Largest value; NaN when there are none. */
    MAX,
    /** Sample standard deviation (n - 1 in the denominator, as SQL {@code stddev}); NaN below two values. */
    STDDEV;

    /** The name used on the command line and in output. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
