package dev.tsproc.job;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class LogLinearSketchTest {
    /** Bins ascend with the values, in {@link Double#compare}'s order (-0.0 below 0.0), NaN aside. */
    @Property(tries = 3000)
    void binsAscendWithTheirValues(@ForAll double x, @ForAll double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return;
        }
        int order = Double.compare(x, y);
        assertThat(Integer.signum(Integer.compare(LogLinearSketch.index(x), LogLinearSketch.index(y))))
                .as("%s vs %s", x, y).isIn(order < 0 ? -1 : order > 0 ? 1 : 0, 0);
    }

    /** What a bin reports is within the documented bound of every value in it. */
    @Property(tries = 3000)
    void aBinReportsWithinTheBoundOfItsValues(@ForAll double x) {
        if (!Double.isNaN(x)) {
            assertWithinBound(x);
        }
    }

    @Test
    void theBoundHoldsAtTheEdgesOfBinsAndOfTheRange() {
        for (int exponent : new int[] {-1022, -1, 0, 1, 52, 1023}) {
            for (int k = 0; k <= 128; k++) {
                double edge = Math.scalb(1 + k / 128.0, exponent);
                for (double x : new double[] {edge, Math.nextDown(edge), Math.nextUp(edge)}) {
                    if (Double.isFinite(x)) {
                        assertWithinBound(x);
                        assertWithinBound(-x);
                    }
                }
            }
        }
        for (double x : new double[] {Double.MIN_VALUE, Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), 0x1p-1029,
                Double.MAX_VALUE}) {
            assertWithinBound(x);
            assertWithinBound(-x);
        }
        assertThat(LogLinearSketch.value(LogLinearSketch.index(0.0))).isEqualTo(0.0);
        assertThat(LogLinearSketch.value(LogLinearSketch.index(-0.0))).isEqualTo(-0.0);
        assertThat(LogLinearSketch.index(Double.POSITIVE_INFINITY)).isEqualTo(LogLinearSketch.MAX_INDEX);
        assertThat(LogLinearSketch.index(Double.NEGATIVE_INFINITY)).isEqualTo(LogLinearSketch.MIN_INDEX);
        assertThat(LogLinearSketch.value(LogLinearSketch.MAX_INDEX)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(LogLinearSketch.value(LogLinearSketch.MIN_INDEX)).isEqualTo(Double.NEGATIVE_INFINITY);
        // the bound is tight: 1/257 at the bottom of a binade, so 128 mantissa bins are needed for 1/256
        double worst = Math.abs(LogLinearSketch.value(LogLinearSketch.index(1.0)) - 1.0);
        assertThat(worst).isGreaterThan(1.0 / 258).isLessThanOrEqualTo(LogLinearSketch.RELATIVE_ACCURACY);
    }

    /** Counted one by one, as a run, or as weighted updates, merged in any split: the same counts and ranks. */
    @Test
    void runsWeightsAndMergesCountAlike() throws IOException {
        double[] values = {3.5, -2e-300, 1e300, Double.NEGATIVE_INFINITY, 0.0, -0.0, 3.5, 7e-320, 12.25, -12.25, 3.5};
        LogLinearSketch single = new LogLinearSketch();
        for (double v : values) {
            single.add(v, 1);
        }
        LogLinearSketch run = new LogLinearSketch();
        run.addAll(values, 0, 4);
        LogLinearSketch rest = new LogLinearSketch();
        rest.addAll(values, 4, values.length - 1);
        rest.add(3.5, 1);
        run.addAll(rest);
        assertThat(bytes(run)).isEqualTo(bytes(single));
        assertThat(run.count()).isEqualTo(values.length);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (int r = 0; r < sorted.length; r++) {
            assertThat(run.valueAt(r)).as("rank %d", r).isEqualTo(LogLinearSketch.value(LogLinearSketch.index(sorted[r])));
        }
    }

    private static byte[] bytes(LogLinearSketch sketch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sketch.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    private static void assertWithinBound(double x) {
        double v = LogLinearSketch.value(LogLinearSketch.index(x));
        if (Double.isInfinite(x) || x == 0) {
            assertThat(Double.doubleToRawLongBits(v)).as("%s", x).isEqualTo(Double.doubleToRawLongBits(x));
        } else if (Math.abs(x) < Double.MIN_NORMAL) {
            assertThat(Math.abs(v - x)).as("%s reported as %s", x, v).isLessThan(0x1p-1029);
        } else {
            assertThat(Math.abs(v - x)).as("%s reported as %s", x, v).isLessThanOrEqualTo(Math.abs(x) * LogLinearSketch.RELATIVE_ACCURACY);
        }
    }
}
