package dev.tsproc.job;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PercentilesTest {
    @Test
    void smallIndexFindsTheSmallIntegersAndNaNAndNothingElse() {
        for (int k = -8; k <= 7; k++) {
            assertThat(Percentiles.smallIndex(k)).as("%d", k).isEqualTo(k + 8);
        }
        assertThat(Percentiles.smallIndex(Double.NaN)).isEqualTo(16);
        assertThat(Percentiles.smallIndex(Double.longBitsToDouble(0xFFF8_0000_0000_0000L))).isEqualTo(16);
        for (double x : new double[] {-0.0, 8, -9, 0.5, -0.5, 7.000000000000001, Double.MIN_VALUE, 1e300, -1e300,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 65536, 3.5}) {
            assertThat(Percentiles.smallIndex(x)).as("%s", x).isEqualTo(-1);
        }
    }

    @Property(tries = 2000)
    void smallIndexAgreesWithItsDefinition(@ForAll double x) {
        int expected = Double.isNaN(x) ? 16
                : x == Math.rint(x) && x >= -8 && x <= 7 && Double.doubleToRawLongBits(x) != Long.MIN_VALUE ? (int) x + 8 : -1;
        int actual = Percentiles.smallIndex(x);
        if (Double.isNaN(x) && actual == -1) {
            return; // a NaN with an unusual payload may take the slow path, which skips it
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void preCountedSmallIntegersLeaveTheSameSketchAsOneByOne() {
        Percentiles batched = new Percentiles(false);
        Percentiles single = new Percentiles(false);
        double[] v = {0, 1, 1, -3, 7, 2.5, 1e9, -8, Double.NaN, 0, -0.0, Double.POSITIVE_INFINITY};
        batched.acceptAll(v, v.length);
        for (double x : v) {
            if (!Double.isNaN(x)) {
                single.accept(x);
            }
        }
        double[] qs = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1};
        assertThat(batched.valuesAt(qs, -8, Double.POSITIVE_INFINITY)).containsExactly(single.valuesAt(qs, -8, Double.POSITIVE_INFINITY));
    }
}
