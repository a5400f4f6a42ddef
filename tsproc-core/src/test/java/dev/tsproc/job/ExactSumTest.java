package dev.tsproc.job;

import dev.tsproc.testkit.ReferenceStats;
import dev.tsproc.testkit.TestStores;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ExactSumTest {

    private static double sum(double... values) {
        ExactSum s = new ExactSum();
        for (double v : values) {
            s.add(v);
        }
        return s.toDouble();
    }

    @Test
    void sumsWithoutCancellationError() {
        assertThat(sum(1e100, 1.0, -1e100)).isEqualTo(1.0);
        assertThat(sum(0.1, 0.2, 0.3)).isEqualTo(0.6); // plain doubles give 0.6000000000000001
        assertThat(sum(Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE)).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void roundsOnceToNearestEven() {
        // 1 + 2^-53 is exactly half way between 1 and its successor: ties to even gives 1.
        assertThat(sum(1.0, 0x1p-53)).isEqualTo(1.0);
        // A sticky bit far below breaks the tie upwards.
        assertThat(sum(1.0, 0x1p-53, 0x1p-1000)).isEqualTo(Math.nextUp(1.0));
    }

    @Test
    void handlesZerosAndInfinities() {
        assertThat(sum()).isEqualTo(0.0).matches(d -> Double.doubleToRawLongBits(d) == 0);
        assertThat(Double.doubleToRawLongBits(sum(-0.0, -0.0))).isEqualTo(Long.MIN_VALUE);
        assertThat(Double.doubleToRawLongBits(sum(-0.0, 0.0))).isZero();
        assertThat(Double.doubleToRawLongBits(sum(1.0, -1.0))).isZero();
        assertThat(sum(Double.POSITIVE_INFINITY, 1.0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(sum(Double.NEGATIVE_INFINITY, -1.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(sum(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).isNaN();
        assertThat(sum(Double.MAX_VALUE, Double.MAX_VALUE)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(sum(Double.MIN_VALUE, Double.MIN_VALUE)).isEqualTo(2 * Double.MIN_VALUE);
    }

    @Test
    void quotientIsCorrectlyRounded() {
        assertThat(ExactSum.quotient(BigInteger.ONE, BigInteger.valueOf(3), 0)).isEqualTo(1.0 / 3);
        assertThat(ExactSum.quotient(BigInteger.TWO, BigInteger.valueOf(3), -1074)).isEqualTo(Double.MIN_VALUE);
        assertThat(ExactSum.quotient(BigInteger.valueOf(-7), BigInteger.TWO, 0)).isEqualTo(-3.5);
    }

    @Property(tries = 200)
    void equalsTheExactSumRoundedOnce(@ForAll long seed, @ForAll @IntRange(max = 3000) int n) {
        double[] v = noNaN(TestStores.awkwardValues(seed, n, true));
        assertThat(Double.doubleToRawLongBits(sum(v))).isEqualTo(Double.doubleToRawLongBits(ReferenceStats.sum(v)));
    }

    @Property(tries = 200)
    void doesNotDependOnOrderOrCuts(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int n,
                                    @ForAll @IntRange(min = 1, max = 50) int pieces) {
        double[] v = noNaN(TestStores.awkwardValues(seed, n, false));
        double whole = sum(v);
        List<Double> shuffled = new ArrayList<>();
        for (double d : v) {
            shuffled.add(d);
        }
        Collections.shuffle(shuffled, new Random(seed));
        ExactSum merged = new ExactSum();
        int per = Math.max(1, v.length / pieces);
        for (int from = 0; from < v.length; from += per) {
            ExactSum piece = new ExactSum();
            for (int i = from; i < Math.min(v.length, from + per); i++) {
                piece.add(shuffled.get(i));
            }
            merged.addAll(piece);
        }
        assertThat(Double.doubleToRawLongBits(merged.toDouble())).isEqualTo(Double.doubleToRawLongBits(whole));
    }

    @Property(tries = 300)
    void roundsFromTheNonzeroChunksAsFromTheFullWidth(@ForAll long seed, @ForAll @IntRange(min = 2, max = 3000) int n,
                                                       @ForAll boolean smallIntegers) {
        Random random = new Random(seed);
        double[] v = smallIntegers ? random.doubles(n).map(d -> Math.floor(d * 200) - 100).toArray()
                : java.util.Arrays.stream(TestStores.awkwardValues(seed, n, false)).filter(Double::isFinite).toArray();
        ExactSum sum = new ExactSum();
        ExactSum squares = new ExactSum();
        for (double d : v) {
            sum.add(d);
            squares.add(d * d);
        }
        long count = v.length;
        BigInteger full = sum.scaledValue();
        assertThat(sum.toDouble()).isEqualTo(count == 0 || full.signum() == 0 ? sum.toDouble() : ExactSum.quotient(full, BigInteger.ONE, -1074));
        if (count >= 2) {
            assertThat(ExactSum.mean(sum, count)).isEqualTo(ExactSum.quotient(full, BigInteger.valueOf(count), -1074));
            assertThat(ExactSum.sampleStddev(sum, squares, count))
                    .isEqualTo(ExactSum.sampleStddev(full, squares.scaledValue(), 1074, count));
        }
    }

    @Test
    void carriesBeyondTheDoubleRangeAndBack() {
        ExactSum s = new ExactSum();
        for (int i = 0; i < 3_000_000; i++) {
            s.add(Double.MAX_VALUE / 4);
        }
        assertThat(s.toDouble()).isEqualTo(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 3_000_000; i++) {
            s.add(-Double.MAX_VALUE / 4);
        }
        s.add(0x1p-1074);
        assertThat(s.toDouble()).isEqualTo(Double.MIN_VALUE);
    }

    /** Another process rebuilds the very state from the bytes, which hold only the chunks that matter. */
    @Property(tries = 200)
    void travelsAsItsStateInTheChunksThatDifferFromTheirSurroundings(@ForAll long seed, @ForAll @IntRange(max = 300) int n,
                                                                    @ForAll boolean infinities) throws IOException {
        ExactSum sum = new ExactSum();
        for (double d : noNaN(TestStores.awkwardValues(seed, n, infinities))) {
            sum.add(d);
        }
        byte[] bytes = bytes(sum);
        ExactSum read = new ExactSum();
        read.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        assertThat(read.scaledValue()).isEqualTo(sum.scaledValue());
        assertThat(Double.doubleToRawLongBits(read.toDouble())).isEqualTo(Double.doubleToRawLongBits(sum.toDouble()));
        assertThat(bytes(read)).isEqualTo(bytes);
    }

    @Test
    void aSumOfTypicalDataTravelsInAFewChunks() throws IOException {
        for (double sign : new double[] {1, -1}) {
            ExactSum sum = new ExactSum();
            Random random = new Random(7);
            for (int i = 0; i < 10_000; i++) {
                sum.add(sign * random.nextDouble(5));
            }
            byte[] bytes = bytes(sum);
            assertThat(bytes.length).as("sign %s", sign).isLessThan(64);
            ExactSum read = new ExactSum();
            read.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
            assertThat(read.scaledValue()).isEqualTo(sum.scaledValue());
        }
        assertThat(bytes(new ExactSum())).hasSize(4 + 2 + 3 * 8 + 1);
    }

    private static byte[] bytes(ExactSum sum) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sum.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    private static double[] noNaN(double[] v) {
        return java.util.Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray();
    }
}
