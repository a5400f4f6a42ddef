package dev.tsproc.testkit;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The plain sequential reference for the built-in statistics: one loop per statistic, sums in
 * exact {@link BigDecimal} arithmetic, rounded once. Deliberately naive, so it is easy to trust.
 */
public final class ReferenceStats {
    private ReferenceStats() {}

    public static long count(double[] v) {
        long n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                n++;
            }
        }
        return n;
    }

    public static long missing(double[] v) {
        return v.length - count(v);
    }

    public static double sum(double[] v) {
        boolean posInf = false, negInf = false, any = false, allNegZero = true;
        BigDecimal s = BigDecimal.ZERO;
        for (double x : v) {
            if (Double.isNaN(x)) {
                continue;
            }
            any = true;
            allNegZero &= Double.doubleToRawLongBits(x) == Long.MIN_VALUE;
            if (x == Double.POSITIVE_INFINITY) {
                posInf = true;
            } else if (x == Double.NEGATIVE_INFINITY) {
                negInf = true;
            } else {
                s = s.add(new BigDecimal(x));
            }
        }
        if (posInf && negInf) {
            return Double.NaN;
        }
        if (posInf || negInf) {
            return posInf ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        if (any && allNegZero) {
            return -0.0;
        }
        return s.doubleValue();
    }

    public static double mean(double[] v) {
        long n = count(v);
        if (n == 0) {
            return Double.NaN;
        }
        double s = sum(v);
        if (!Double.isFinite(s) && isNonFiniteSum(v)) {
            return s;
        }
        BigDecimal exact = BigDecimal.ZERO;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                exact = exact.add(new BigDecimal(x));
            }
        }
        return exact.divide(BigDecimal.valueOf(n), new MathContext(60)).doubleValue();
    }

    private static boolean isNonFiniteSum(double[] v) {
        for (double x : v) {
            if (Double.isInfinite(x)) {
                return true;
            }
        }
        return false;
    }

    public static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        boolean any = false;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                m = Math.min(m, x);
                any = true;
            }
        }
        return any ? m : Double.NaN;
    }

    public static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        boolean any = false;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                m = Math.max(m, x);
                any = true;
            }
        }
        return any ? m : Double.NaN;
    }

    /** Sample standard deviation from exact two-pass arithmetic; NaN below two values or with infinities. */
    public static double stddev(double[] v) {
        long n = count(v);
        if (n < 2 || isNonFiniteSum(v)) {
            return Double.NaN;
        }
        MathContext mc = new MathContext(200);
        BigDecimal s = BigDecimal.ZERO;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s = s.add(new BigDecimal(x));
            }
        }
        BigDecimal mean = s.divide(BigDecimal.valueOf(n), mc);
        BigDecimal m2 = BigDecimal.ZERO;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                BigDecimal d = new BigDecimal(x).subtract(mean);
                m2 = m2.add(d.multiply(d), mc);
            }
        }
        return Math.sqrt(m2.divide(BigDecimal.valueOf(n - 1), mc).doubleValue());
    }
}
