package dev.tsproc.job;

/**
 * Exact sums of a block of doubles, and of their squares, in a few instructions a value and
 * without a branch on the data: each value is scaled by a power of two and split into 50-bit
 * fixed-point windows held in {@code long}s, whose integer sums enter an {@link ExactSum} once
 * per block.
 *
 * <p><b>Why it is exact.</b> Let {@code 2^E} be the binade of the block's largest magnitude and
 * {@code u = E − 49} the unit of the first window. A value {@code x} with
 * {@code |x| >= 2^(E−47)} has its lowest significand bit at or above {@code 2^(u−50)}, the
 * second window's unit. So {@code y = x·2^-u} (exact: a power of two, no overflow or underflow)
 * lies below {@code 2^50} in magnitude with its lowest bit at or above {@code 2^-50}. Adding
 * {@code 1.5·2^52} rounds it to the integer {@code a} (the sum's bits minus the constant's are
 * {@code a}: no conversion instruction), {@code y − a} is exact and at most 1/2, and
 * {@code (y − a)·2^50} is an integer {@code b}: {@code x = (a + b·2^-50)·2^u} with nothing left
 * over. At most {@value #MAX_VALUES} integers of at most {@code 2^50} sum below {@code 2^63} in a
 * {@code long}, so every addition is exact, in any order. Values below {@code 2^(E−47)} (rare in
 * measured data: a factor of 2^47 below the block's largest) and subnormals do not fit; nor do
 * whole blocks with an infinity or whose largest magnitude is below {@code 2^-900} (the lowest
 * window would fall below the accumulator's {@code 2^-1074}), which go one by one.
 *
 * <p><b>Two forms.</b> The rounding above is the vector kernels' ({@link VectorBlockKernels}
 * reinterprets bits for free): they mask NaN and values that do not fit to +0.0 with integer
 * masks and deposit the latter one by one. The plain loops here truncate instead —
 * {@code a = (long) y}, {@code b = (long) ((y − a)·2^50)}, the same argument with
 * {@code |y − a| < 1} — because C2's superword pass vectorises {@code (long)} casts but no loop
 * that moves bits between a double and a long (JDK 25, measured); {@code (long) NaN} is 0, so
 * missing values need no mask. They count the present values that fit, and only if one did not,
 * deposit one by one what the windows left of each value: its bits below the second window,
 * exact (all of it where scaling underflowed). Neither form branches on the data.
 *
 * <p><b>Squares</b> are what {@link Summary}'s slow path always deposited: the rounded square
 * {@code p = x·x} and its error {@code e = fma(x, x, −p)}, exact unless the square underflows.
 * With {@code 2^Q} the binade of the largest {@code p}, {@code p} takes two windows as values do,
 * and {@code e} (at most half an ulp of {@code p}, so below {@code 2^(Q−53)}) the second and a
 * third: a square whose {@code p} is below {@code 2^(Q−47)} or whose nonzero {@code e} is below
 * {@code 2^(Q−97)} does not fit.
 *
 * <p>Every value takes the same operations on its own, so the loops are lane-parallel; the vector
 * kernels share the pieces below ({@link #fits}, {@link #unit}, the scales, the limits and the
 * deposits), and the block kernels' own pass finds what the windows need first — the largest
 * magnitude, the count, the sign of zero — as a {@link Scan}. Neal (2015) and Demmel & Nguyen's binned
 * sums (ReproBLAS, 2015) use the same idea: a shared exponent per block turns floating-point
 * addition into exact integer addition.
 */
final class FixedPointWindows {
    private FixedPointWindows() {}

    /** Most values per call: 2^11 windows of at most 2^50 sum below 2^63. */
    static final int MAX_VALUES = BlockKernels.BLOCK;
    private static final int WINDOW_BITS = 50;
    static final double WINDOW = 0x1p50;
    /** A block's largest binade, 2^E, lies this many bits above its first window's unit. */
    private static final int HEADROOM = 49;
    /** Adding 1.5·2^52 rounds any |y| below 2^51 to an integer, whose bits minus these are that integer. */
    static final double ROUNDER = 0x1.8p52;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    /** The lowest largest value a block may have: its third window's unit, 2^(E−149), stays above 2^-1074. */
    private static final long MIN_TOP_BITS = Double.doubleToRawLongBits(0x1p-900);
    private static final long MAGNITUDE = 0x7FFF_FFFF_FFFF_FFFFL;
    private static final long INFINITY_BITS = 0x7FF0_0000_0000_0000L;
    private static final long NEGATIVE_ZERO_BITS = Long.MIN_VALUE;
    private static final int EXPONENT_BIAS = 1023;

    /**
     * Adds the present values of {@code v[from, from + len)} to {@code sum} and, unless {@code squares} is
     * {@code null}, their squares (as above) to {@code squares}; NaN is missing.
     *
     * @return the number of missing values
     */
    static long add(double[] v, int from, int len, ExactSum sum, ExactSum squares) {
        if (len > MAX_VALUES) {
            throw new IllegalArgumentException("len=" + len + " is above " + MAX_VALUES);
        }
        long top = 0;
        long present = 0;
        long nonNegativeZero = 0;
        for (int i = from; i < from + len; i++) {
            long bits = Double.doubleToRawLongBits(v[i]);
            long keep = ~nanMask(bits);
            top = Math.max(top, bits & MAGNITUDE & keep);
            present -= keep;
            nonNegativeZero |= (bits ^ NEGATIVE_ZERO_BITS) & keep;
        }
        addScanned(v, from, len, sum, squares, new Scan(top, present, nonNegativeZero != 0));
        return len - present;
    }

    /**
     * What a pass over a block must find before its values enter the windows; a block kernel
     * finds it on its way, so the windows need no pass of their own.
     *
     * @param top             the bits of the largest magnitude among the present values (0 if none)
     * @param present         how many values are present (not NaN)
     * @param nonNegativeZero whether any present value is not -0.0 (the sign rule of zero sums)
     */
    record Scan(long top, long present, boolean nonNegativeZero) {
        /**
         * The scan of a block whose present values' largest magnitude has the bits {@code top},
         * and whose double sum {@code sum}, started at -0.0 with missing values as -0.0, a kernel
         * took on its way: it is -0.0 exactly when every present value is (an IEEE sum is -0.0
         * only if both terms are, and a nonzero or +0.0 partial sum never returns to -0.0),
         * whatever its rounding errors.
         */
        static Scan of(long top, long present, double sum) {
            return new Scan(top, present, Double.doubleToRawLongBits(sum) != NEGATIVE_ZERO_BITS);
        }

        /** As {@link #of(long, long, double)}, for present values ({@code present > 0}) in {@code [lo, hi]}. */
        static Scan of(double lo, double hi, long present, double sum) {
            long top = Math.max(Double.doubleToRawLongBits(lo) & MAGNITUDE, Double.doubleToRawLongBits(hi) & MAGNITUDE);
            return of(top, present, sum);
        }

        /** Whether the block's values fit the windows: no infinity, and a largest value of at least 2^-900. */
        boolean fits() {
            return FixedPointWindows.fits(top);
        }

        /** The exponent of the unit of the values' first window. */
        int unit() {
            return FixedPointWindows.unit(top);
        }

        /** The bits of the largest rounded square. */
        long squareTop() {
            double largest = Double.longBitsToDouble(top);
            return Double.doubleToRawLongBits(largest * largest);
        }
    }

    /** As {@link #add}, for a block whose {@link Scan} its caller made. */
    static void addScanned(double[] v, int from, int len, ExactSum sum, ExactSum squares, Scan scan) {
        int to = from + len;
        if (!scan.fits()) {
            oneByOne(v, from, to, sum, squares, 0, 0);
            return;
        }
        long oneByOne = sumValues(v, from, to, sum, scan.unit(), scan.present());
        sum.countValues(scan.present() - oneByOne, scan.nonNegativeZero());
        if (squares != null) {
            long squareTop = scan.squareTop();
            if (!fits(squareTop)) {
                oneByOne(v, from, to, null, squares, 0, 0);
            } else {
                sumSquares(v, from, to, squares, unit(squareTop), scan.present());
                squares.countValues(scan.present(), scan.present() > 0);
            }
        }
    }

    /**
     * Sums into the windows of unit {@code 2^unit} by truncation (below); returns how many values
     * had a residue deposited one by one.
     */
    private static long sumValues(double[] v, int from, int to, ExactSum sum, int unit, long present) {
        double scale = scale(unit);
        double inWindowsScale = Double.longBitsToDouble(powerBits(-lowestInWindows(unit, 2)));
        long w1 = 0, w2 = 0, fit = 0;
        for (int i = from; i < to; i++) {
            double x = v[i];
            double y = x * scale;
            long a = (long) y;
            w1 += a;
            w2 += (long) ((y - a) * WINDOW);
            fit += inWindows(Math.abs(x), inWindowsScale);
        }
        deposit(sum, w1, w2, unit);
        return fit == present ? 0 : residues(v, from, to, sum, unit, false);
    }

    private static void sumSquares(double[] v, int from, int to, ExactSum squares, int unit, long present) {
        double scale = scale(unit);
        double errorScale = errorScale(unit);
        double inWindowsScale = Double.longBitsToDouble(powerBits(-lowestInWindows(unit, 2)));
        double errorInWindowsScale = Double.longBitsToDouble(powerBits(-lowestInWindows(unit, 3)));
        long w1 = 0, w2 = 0, e2 = 0, e3 = 0, fit = 0, errorFit = 0;
        for (int i = from; i < to; i++) {
            double x = v[i];
            double p = x * x;
            double e = Math.fma(x, x, -p);
            double y = p * scale;
            long a = (long) y;
            w1 += a;
            w2 += (long) ((y - a) * WINDOW);
            double z = e * errorScale;
            long c = (long) z;
            e2 += c;
            e3 += (long) ((z - c) * WINDOW);
            fit += inWindows(p, inWindowsScale);
            errorFit += inWindows(Math.abs(e), errorInWindowsScale);
        }
        deposit(squares, w1, w2, unit);
        deposit(squares, e2, e3, unit - WINDOW_BITS);
        if (fit != present || errorFit != present) {
            residues(v, from, to, squares, unit, true);
        }
    }

    /**
     * 1 if the magnitude {@code m} is 0 or at least {@code 1 / inWindowsScale} (a power of two), 0
     * if it is smaller or NaN: in doubles and a {@code (long)} cast ({@code (long) NaN} is 0), which
     * C2 vectorises. The terms are added in this order so that the sum of a small {@code m} stays
     * below 1 (a sum below 1 plus 1.0 could round up to 2.0).
     */
    private static long inWindows(double m, double inWindowsScale) {
        return (long) ((1.0 - Math.min(1.0, m * 0x1p600 * 0x1p600)) + Math.min(1.0, m * inWindowsScale));
    }

    /**
     * Deposits one by one what the truncating windows of unit {@code 2^unit} did not hold of the
     * present values of {@code v[from, to)} (or of their squares, rounded and error, if {@code
     * squares}): each value less the parts its windows took, exact (the bits of the value below
     * {@code 2^(unit−50)}, or, if scaling it underflowed, all of it).
     *
     * @return how many residues were deposited
     */
    private static long residues(double[] v, int from, int to, ExactSum into, int unit, boolean squares) {
        long deposited = 0;
        for (int i = from; i < to; i++) {
            double x = v[i];
            if (x != x) {
                continue;
            }
            if (squares) {
                double p = x * x;
                deposited += residue(into, p, unit) + residue(into, Math.fma(x, x, -p), unit - WINDOW_BITS);
            } else {
                deposited += residue(into, x, unit);
            }
        }
        return deposited;
    }

    /** Deposits what two truncating windows of unit {@code 2^unit} leave of {@code x}; 1 if that is not zero. */
    private static int residue(ExactSum into, double x, int unit) {
        double y = x * scale(unit);
        long a = (long) y;
        long b = (long) ((y - a) * WINDOW);
        double left = (x - Math.scalb((double) a, unit)) - Math.scalb((double) b, unit - WINDOW_BITS);
        if (left == 0) {
            return 0;
        }
        into.add(left);
        return 1;
    }

    // The pieces the vector kernels' windows share with the loops above.

    /** Whether a block whose largest magnitude has the bits {@code top} fits the windows. */
    static boolean fits(long top) {
        return top < INFINITY_BITS && top >= MIN_TOP_BITS;
    }

    /** The exponent {@code E − 49} of the first window's unit, for a largest magnitude (bits {@code top}) in the binade 2^E. */
    static int unit(long top) {
        return exponentOf(top) - HEADROOM;
    }

    /** The bits of the smallest magnitude (a value, or a rounded square) that fits two windows of unit {@code 2^unit}. */
    static long lowValue(int unit) {
        return powerBits(lowestInWindows(unit, 2));
    }

    /** The bits of the smallest nonzero square error that fits the second and third windows. */
    static long lowError(int unit) {
        return powerBits(lowestInWindows(unit, 3));
    }

    /** {@code 2^-unit}: what a value is multiplied by to land in the windows. */
    static double scale(int unit) {
        return Double.longBitsToDouble(powerBits(-unit));
    }

    /** {@code 2^(50−unit)}: what a square's error is multiplied by to land in the second and third windows. */
    static double errorScale(int unit) {
        return Double.longBitsToDouble(powerBits(WINDOW_BITS - unit));
    }

    /**
     * Deposits two windows' sums of {@code count} values split by rounding, as the vector kernels
     * do: the bits of {@code y + 1.5·2^52} and of {@code (y − ((y + 1.5·2^52) − 1.5·2^52))·2^50 + 1.5·2^52},
     * each carrying one {@link #ROUNDER_BITS} (the sums may wrap around, the difference does not).
     */
    static void depositValues(ExactSum sum, long w1, long w2, long count, int unit) {
        long rounders = count * ROUNDER_BITS;
        deposit(sum, w1 - rounders, w2 - rounders, unit);
    }

    /** Deposits two windows' integer sums: {@code w1 · 2^unit + w2 · 2^(unit−50)}. */
    private static void deposit(ExactSum sum, long w1, long w2, int unit) {
        sum.addScaled(w1, unit);
        sum.addScaled(w2, unit - WINDOW_BITS);
    }

    /** As {@link #depositValues}, for rounded squares in {@code w1, w2} and their errors in {@code e2, e3}. */
    static void depositSquares(ExactSum squares, long w1, long w2, long e2, long e3, long count, int unit) {
        depositValues(squares, w1, w2, count, unit);
        depositValues(squares, e2, e3, count, unit - WINDOW_BITS);
    }

    /**
     * The per-value path: deposits, into {@code sum} the present values of magnitude below the
     * bits {@code lowValue}, and into {@code squares} the squares of those whose rounded square
     * is below {@code lowSquare} or whose error is not in the windows; with both limits 0 (the
     * whole block) every present value and square. Non-null targets only.
     *
     * @return how many values went into {@code sum}
     */
    static long oneByOne(double[] v, int from, int to, ExactSum sum, ExactSum squares, long lowValue, long lowSquare) {
        boolean whole = lowValue == 0 && lowSquare == 0;
        long lowError = lowSquare == 0 ? 0 : powerBits(exponentOf(lowSquare) - WINDOW_BITS); // one window further down
        long summed = 0;
        for (int i = from; i < to; i++) {
            double x = v[i];
            if (x != x) {
                continue;
            }
            long magnitude = Double.doubleToRawLongBits(x) & MAGNITUDE;
            if (sum != null && (whole || (magnitude != 0 && magnitude < lowValue))) {
                sum.add(x);
                summed++;
            }
            if (squares != null) {
                double p = x * x;
                double e = Math.fma(x, x, -p);
                long pBits = Double.doubleToRawLongBits(p);
                long eMagnitude = Double.doubleToRawLongBits(e) & MAGNITUDE;
                boolean inWindows = pBits >= lowSquare && (eMagnitude == 0 || eMagnitude >= lowError);
                if (whole || (pBits != 0 && !inWindows)) {
                    squares.add(p);
                    if (Double.isFinite(p)) {
                        squares.add(e);
                    }
                }
            }
        }
        return summed;
    }

    /**
     * The binade of the smallest value whose lowest significand bit (52 below its leading one)
     * is at or above the unit of window {@code windows}, counting from the first, of unit
     * {@code 2^unit}: smaller values do not fit.
     */
    private static int lowestInWindows(int unit, int windows) {
        return unit - (windows - 1) * WINDOW_BITS + 52;
    }

    /** All ones if {@code bits} is a NaN, else zero. */
    private static long nanMask(long bits) {
        return (INFINITY_BITS - (bits & MAGNITUDE)) >> 63;
    }

    /** The unbiased binade of a normal double's bits. */
    private static int exponentOf(long bits) {
        return (int) (bits >>> 52) - EXPONENT_BIAS;
    }

    /** The bits of {@code 2^exponent}, a normal double. */
    private static long powerBits(int exponent) {
        return (long) (exponent + EXPONENT_BIAS) << 52;
    }
}
