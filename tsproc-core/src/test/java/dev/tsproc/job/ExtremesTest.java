package dev.tsproc.job;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExtremesTest {

    @Property(tries = 2000)
    void keysOrderAsDoubleCompare(@ForAll double a, @ForAll double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return;
        }
        long keyA = Extremes.key(Double.doubleToRawLongBits(a));
        long keyB = Extremes.key(Double.doubleToRawLongBits(b));
        assertThat(Integer.signum(Long.compare(keyA, keyB))).as("%s vs %s", a, b).isEqualTo(Integer.signum(Double.compare(a, b)));
    }

    @Property(tries = 2000)
    void keyIsItsOwnInverse(@ForAll long bits) {
        assertThat(Extremes.key(Extremes.key(bits))).isEqualTo(bits);
    }

    @Test
    void zerosAndInfinities() {
        assertThat(Extremes.key(Double.doubleToRawLongBits(-0.0))).isEqualTo(-1);
        assertThat(Extremes.key(Double.doubleToRawLongBits(0.0))).isZero();
        assertThat(Extremes.value(Extremes.NO_LOW)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Extremes.value(Extremes.NO_HIGH)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Extremes.NO_HIGH).isLessThan(Extremes.key(Double.doubleToRawLongBits(-Double.MAX_VALUE)));
        assertThat(Extremes.NO_LOW).isGreaterThan(Extremes.key(Double.doubleToRawLongBits(Double.MAX_VALUE)));
    }
}
