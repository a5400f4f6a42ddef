package dev.tsproc.job;

/**
 * Exact sums of float values, and of their squares, for many slots at once, one row at a time:
 * each slot keeps fixed-point windows scaled to its own largest binade so far, held in plain
 * {@code double}s whose every partial sum is exact, so a row costs a few flops and a handful of
 * adds into its slot — no queue, no sort, no per-value deposit into a 70-chunk {@link ExactSum}.
 *
 * <p><b>Why it is exact.</b> A slot of binade {@code E} (set by its largest value so far) takes
 * into its windows every value {@code x} with {@code 2^(E−13) <= |x| < 2^(E+1)}, of binade
 * {@code e} in {@code [E−13, E]}. Adding and subtracting {@code 1.5·2^52} rounds any
 * {@code |y| < 2^51} to an integer {@code a}, and {@code y − a} is then exact; a double holds
 * every multiple of {@code 2^g} up to {@code 2^(53+g)} in magnitude, so a window whose terms are
 * multiples of {@code 2^g} of magnitude at most {@code 2^(40+g)}, {@value #FLUSH_VALUES} of them
 * at most, sums exactly, in any order.
 * <ul>
 * <li><i>Values</i>: {@code y = x·2^(39−E)} is exact, {@code |y| < 2^40}, a multiple of
 *     {@code 2^(e−52−E+39) >= 2^-26}. {@link #W1} sums its integer part (below 2^40, so
 *     multiples of 1 below 2^52), {@link #W2} the rest (at most 1/2, multiples of
 *     {@code 2^-26}: below 2^11 in all).
 * <li><i>Squares</i>: the rounded square {@code p = x·x < 2^(2E+2)} (no overflow or underflow in
 *     the range below), and its error {@code fma(x, x, −p)}, exact, at most half an ulp of
 *     {@code p}, at most {@code 2^(2E−52)}. {@code p·2^(38−2E)} is below 2^40 and a multiple of
 *     {@code 2^(2e−52−2E+38) >= 2^-40}: its integer part into {@link #Q1}, the rest into
 *     {@link #Q2}. The error times {@code 2^(92−2E)} is at most 2^40 and a multiple of
 *     {@code 2^(2e−104−2E+92) >= 2^-38}: integer part into {@link #Q3}, the rest into {@link #Q4}.
 * <li><i>Carries</i>: every {@value #FLUSH_VALUES} present values, when a larger value rescales
 *     the slot, and when the slot is emitted, its windows — each an integer times a power of
 *     two, below 2^63 — enter its {@link ExactSum}s (six {@link ExactSum#addScaled} deposits).
 * <li><i>Range</i>: {@code E} stays in {@code [}{@value #MIN_BINADE}{@code , }{@value #MAX_BINADE}{@code ]},
 *     so every scale is a normal double, no square overflows or underflows, the error is exact,
 *     and the lowest window's unit, {@code 2^(2E−130)}, stays above {@link ExactSum}'s {@code 2^-1074}.
 * </ul>
 * A value at or above {@code 2^(E+1)} rescales the slot: its windows are deposited (exact) and
 * {@code E} becomes the value's binade — on real data a handful of times per slot and batch, as
 * the first values set the scale. A value below {@code 2^(E−13)} (a factor of 8192 below the
 * slot's largest), a subnormal, an infinity, or a value whose binade is outside the range is
 * deposited into the {@link ExactSum}s one by one instead. Missing values enter as -0.0, which
 * adds nothing; so {@link #W2}, started at -0.0, is still -0.0 exactly when every present value
 * was (an IEEE sum is -0.0 only if both terms are), which keeps the sign rule of zero sums. The
 * windows' sums and the deposits are exact, so the slot's {@link ExactSum}s end up holding
 * exactly what value-by-value deposits give, whatever the rows' order or the batches: a property
 * test holds them to it, bit for bit.
 *
 * <p><b>Layout.</b> Per slot, one cache line of {@code double}s: the six windows, then the
 * scales of values and of squares; and, in small arrays of their own, the slot's binade (biased,
 * -1 for none yet) and its present values since the last deposit.
 *
 * <p>Not thread-safe: one batch fills one table.
 */
final class SlotWindows {
    /** Doubles per slot: one cache line. */
    private static final int STRIDE = 8;
    private static final int W1 = 0, W2 = 1, Q1 = 2, Q2 = 3, Q3 = 4, Q4 = 5, SCALE = 6, SQUARE_SCALE = 7;
    /** Present values a slot's windows take before they are deposited: 2^12 terms of at most 2^40 stay below 2^53. */
    static final int FLUSH_VALUES = 1 << 12;
    /** How many binades below the slot's largest a value may lie and still fit the windows. */
    static final int DEPTH = 13;
    static final int MIN_BINADE = -450;
    static final int MAX_BINADE = 500;
    private static final int EXPONENT_BIAS = 1023;
    /** A slot's binade before its first value: every nonzero magnitude is outside it. */
    private static final int NO_BINADE = -1;
    /** What a square's error is multiplied by beyond its square's scale: {@code 2^(92−2E) = 2^(38−2E)·2^54}. */
    private static final double ERROR_SCALE = 0x1p54;
    private static final double ROUNDER = FixedPointWindows.ROUNDER;
    private static final long ABS_BITS = SlotKernels.ABS_BITS;
    private static final long NEGATIVE_ZERO_BITS = SlotKernels.NEGATIVE_ZERO_BITS;

    private final double[] windows;
    /** Per slot, its binade {@code E} biased by 1023, or {@link #NO_BINADE}. */
    private final int[] binade;
    /** Per slot, its present values since its windows were last deposited. */
    private final int[] present;
    private final ExactSum[] sums;
    private final ExactSum[] squares;

    /**
     * @param sums    the slots' exact sums of values, filled in as they are deposited (entries made on first use)
     * @param squares the slots' exact sums of squares, or {@code null} if none are asked
     */
    SlotWindows(ExactSum[] sums, ExactSum[] squares) {
        this.windows = new double[sums.length * STRIDE];
        this.binade = new int[sums.length];
        this.present = new int[sums.length];
        this.sums = sums;
        this.squares = squares;
        for (int s = 0; s < sums.length; s++) {
            reset(s);
        }
    }

    /**
     * Adds the block's rows to their slots: rows and missing values, and extremes, into
     * {@code acc} ({@link SlotKernels}' layout); sums, and squares if asked, into the windows.
     */
    void add(long[] acc, double[] v, int[] slot, int len) {
        double[] win = windows;
        boolean withSquares = squares != null; // loop-invariant: C2 compiles a loop for each case
        for (int i = 0; i < len; i++) {
            int s = slot[i];
            long bits = Double.doubleToRawLongBits(v[i]);
            long m = SlotKernels.nanMask(bits);
            countAndExtremes(acc, s * SlotKernels.STRIDE, bits, m);
            double x = inWindows(s, bits, m);
            int w = s * STRIDE;
            double y = x * win[w + SCALE];
            double a = (y + ROUNDER) - ROUNDER;
            win[w + W1] += a;
            win[w + W2] += y - a;
            if (withSquares) {
                double p = x * x;
                double e = Math.fma(x, x, -p);
                double squareScale = win[w + SQUARE_SCALE];
                double yp = p * squareScale;
                double ye = e * (squareScale * ERROR_SCALE);
                double ap = (yp + ROUNDER) - ROUNDER;
                double ae = (ye + ROUNDER) - ROUNDER;
                win[w + Q1] += ap;
                win[w + Q2] += yp - ap;
                win[w + Q3] += ae;
                win[w + Q4] += ye - ae;
            }
            counted(s, m);
        }
    }

    /** Adds a row to its slot's rows, missing values ({@code m} all ones if missing) and extremes. */
    private static void countAndExtremes(long[] acc, int o, long bits, long m) {
        long key = Extremes.key(bits);
        acc[o + SlotKernels.ROWS]++;
        acc[o + SlotKernels.MISSING] -= m;
        acc[o + SlotKernels.MIN] = Math.min(acc[o + SlotKernels.MIN], (~m & key) | (m & Extremes.NO_LOW));
        acc[o + SlotKernels.MAX] = Math.max(acc[o + SlotKernels.MAX], (~m & key) | (m & Extremes.NO_HIGH));
    }

    /**
     * The value of the row with bits {@code bits} for slot {@code s}'s windows: -0.0 if it is
     * missing or went one by one ({@link #outside}), else the value, the slot rescaled to it if
     * it was larger.
     */
    private double inWindows(int s, long bits, long m) {
        long xBits = (bits & ~m) | (m & NEGATIVE_ZERO_BITS);
        long magnitude = xBits & ABS_BITS;
        int b = binade[s];
        long exponent = (magnitude >>> 52) | ((magnitude - 1) >> 63 & b); // a zero's is taken as the slot's own
        if (Long.compareUnsigned(b - exponent, DEPTH) > 0) {
            xBits = outside(s, xBits);
        }
        return Double.longBitsToDouble(xBits);
    }

    /** Counts a row ({@code m} all ones if missing) towards slot {@code s}'s next deposit. */
    private void counted(int s, long m) {
        int n = present[s] + 1 + (int) m;
        present[s] = n;
        if (n == FLUSH_VALUES) {
            deposit(s);
        }
    }

    /**
     * A present, nonzero value outside slot {@code s}'s windows: rescales the slot to it if it is
     * larger and in the range, and returns it for the windows; else deposits it one by one and
     * returns -0.0, which adds nothing.
     */
    private long outside(int s, long xBits) {
        long magnitude = xBits & ABS_BITS;
        int biased = (int) (magnitude >>> 52);
        int e = biased - EXPONENT_BIAS;
        if (biased > binade[s] && e >= MIN_BINADE && e <= MAX_BINADE) {
            deposit(s);
            scaleTo(s, e);
            return xBits;
        }
        double x = Double.longBitsToDouble(xBits);
        sum(s).add(x);
        if (squares != null) {
            double p = x * x;
            ExactSum q = square(s);
            q.add(p);
            if (Double.isFinite(p)) {
                q.add(Math.fma(x, x, -p));
            }
        }
        present[s]--; // the -0.0 the windows take instead is not a value
        return NEGATIVE_ZERO_BITS;
    }

    /** Sets slot {@code s}'s binade to {@code e}, and its scales. */
    private void scaleTo(int s, int e) {
        binade[s] = e + EXPONENT_BIAS;
        windows[s * STRIDE + SCALE] = Math.scalb(1.0, 39 - e);
        windows[s * STRIDE + SQUARE_SCALE] = Math.scalb(1.0, 38 - 2 * e);
    }

    /** Deposits slot {@code s}'s windows into its exact sums and empties them; its scale stays. */
    private void deposit(int s) {
        int n = present[s];
        if (n == 0) {
            return; // nothing but missing values: the windows hold zeros
        }
        double[] win = windows;
        int w = s * STRIDE;
        int e = binade[s] - EXPONENT_BIAS;
        ExactSum sum = sum(s);
        sum.addScaled((long) win[w + W1], e - 39);
        sum.addScaled((long) Math.scalb(win[w + W2], 26), e - 39 - 26);
        sum.countValues(n, Double.doubleToRawLongBits(win[w + W2]) != NEGATIVE_ZERO_BITS);
        if (squares != null) {
            ExactSum q = square(s);
            q.addScaled((long) win[w + Q1], 2 * e - 38);
            q.addScaled((long) Math.scalb(win[w + Q2], 40), 2 * e - 38 - 40);
            q.addScaled((long) win[w + Q3], 2 * e - 92);
            q.addScaled((long) Math.scalb(win[w + Q4], 38), 2 * e - 92 - 38);
            q.countValues(n, true);
        }
        win[w + W1] = 0.0;
        win[w + W2] = -0.0;
        win[w + Q1] = 0.0;
        win[w + Q2] = 0.0;
        win[w + Q3] = 0.0;
        win[w + Q4] = 0.0;
        present[s] = 0;
    }

    /**
     * Deposits slot {@code s}'s windows and returns it to no scale (its first value sets one):
     * the slot is being emitted, and its next rows start a new group.
     */
    void close(int s) {
        deposit(s);
        reset(s);
    }

    private void reset(int s) {
        java.util.Arrays.fill(windows, s * STRIDE, (s + 1) * STRIDE, 0.0);
        windows[s * STRIDE + W2] = -0.0;
        binade[s] = NO_BINADE;
    }

    private ExactSum sum(int s) {
        ExactSum e = sums[s];
        return e != null ? e : (sums[s] = new ExactSum());
    }

    private ExactSum square(int s) {
        ExactSum e = squares[s];
        return e != null ? e : (squares[s] = new ExactSum());
    }
}
