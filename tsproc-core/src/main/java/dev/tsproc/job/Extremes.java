package dev.tsproc.job;

/**
 * Order keys for taking extremes of doubles with integer compares.
 *
 * <p>{@link #key} maps a double's bits to a {@code long} whose signed order is the order of
 * {@link Math#min}/{@link Math#max}: negative values have their magnitude bits flipped, so a
 * larger magnitude gives a smaller key, and -0.0 (key -1) sorts just below +0.0 (key 0). The
 * map is its own inverse. NaN has keys too, but the kernels never compare them: a missing
 * value's key is replaced by {@link #NO_LOW} or {@link #NO_HIGH}, the keys of +Infinity and
 * -Infinity, which are also where a block's extremes start.
 */
final class Extremes {
    /** The key of +Infinity: what a minimum is before any value. */
    static final long NO_LOW = key(Double.doubleToRawLongBits(Double.POSITIVE_INFINITY));
    /** The key of -Infinity: what a maximum is before any value. */
    static final long NO_HIGH = key(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY));

    private Extremes() {}

    /** The order key of a double's raw bits; also maps a key back to the bits. */
    static long key(long bits) {
        return bits ^ ((bits >> 63) & 0x7FFF_FFFF_FFFF_FFFFL);
    }

    /** The double whose order key is {@code key}. */
    static double value(long key) {
        return Double.longBitsToDouble(key(key));
    }
}
