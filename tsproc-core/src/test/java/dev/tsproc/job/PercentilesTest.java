package dev.tsproc.job;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

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
        Percentiles batched = new Percentiles(0);
        Percentiles single = new Percentiles(0);
        double[] v = {0, 1, 1, -3, 7, 2.5, 1e9, -8, Double.NaN, 0, -0.0, Double.POSITIVE_INFINITY};
        batched.acceptAll(v.clone(), v.length);
        for (double x : v) {
            if (!Double.isNaN(x)) {
                single.accept(x);
            }
        }
        double[] qs = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1};
        assertThat(batched.valuesAt(qs, -8, Double.POSITIVE_INFINITY)).containsExactly(single.valuesAt(qs, -8, Double.POSITIVE_INFINITY));
    }

    /**
     * The sketch's state (its bins, as {@link Percentiles#writeTo} writes them) is the same
     * however the values were split into partials and in whatever order of merges, and every
     * percentile read from it is within the documented bound of the exact one.
     */
    @Property(tries = 300)
    void mergedSketchesHoldTheBinsOfOneSketchOfAllValues(@ForAll long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int n = random.nextInt(0, 4000);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (random.nextInt(6)) {
                case 0 -> random.nextInt(-8, 8);
                case 1 -> random.nextGaussian();
                case 2 -> Math.scalb(random.nextDouble() - 0.5, random.nextInt(-1074, 1024));
                case 3 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : -0.0;
                case 4 -> random.nextDouble(1, 1000);
                default -> -random.nextDouble(1e-3, 1e3);
            };
        }
        Percentiles whole = new Percentiles(0);
        for (double v : values) {
            whole.accept(v);
        }
        List<Percentiles> parts = new ArrayList<>();
        for (int from = 0; from < n || parts.isEmpty(); ) {
            int to = Math.min(n, from + random.nextInt(1, 700));
            Percentiles part = new Percentiles(0);
            for (int i = from; i < to; i++) {
                part.accept(values[i]);
            }
            parts.add(part);
            from = Math.max(to, from + 1);
        }
        while (parts.size() > 1) {
            int i = random.nextInt(parts.size() - 1);
            parts.get(i).addAll(parts.remove(i + 1));
        }
        assertThat(bytes(parts.getFirst())).isEqualTo(bytes(whole));
        double[] qs = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};
        double[] answer = whole.valuesAt(qs, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (int k = 0; k < qs.length && n > 0; k++) {
            double exact = sorted[(int) Percentiles.rank(qs[k], n)];
            QueryJobTest.assertWithinSketchBound(answer[k], exact, "q=" + qs[k] + ": " + answer[k] + " vs " + exact);
        }
    }

    /**
     * A group of at most {@link Percentiles#EXACT_LIMIT} values (small integers aside) answers
     * exactly, percentile_disc of the sorted values, and one of more is sketched: however its
     * values were split into partials and merged.
     */
    @Property(tries = 200)
    void aGroupIsExactUpToTheLimitWhateverItsPartsAndSketchedBeyond(@ForAll long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int n = random.nextInt(0, 3 * Percentiles.EXACT_LIMIT);
        double[] values = new double[n];
        int large = 0;
        for (int i = 0; i < n; i++) {
            values[i] = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(-8, 8);
                case 1 -> random.nextBoolean() ? Double.NEGATIVE_INFINITY : -0.0;
                case 2 -> random.nextInt(-20, 20) / 4.0;
                default -> random.nextGaussian() * 1e3;
            };
            large += Percentiles.smallIndex(values[i]) < 0 ? 1 : 0;
        }
        Percentiles whole = new Percentiles(false);
        for (double v : values) {
            whole.accept(v);
        }
        List<Percentiles> parts = new ArrayList<>();
        for (int from = 0; from < n || parts.isEmpty(); ) {
            int to = Math.min(n, from + random.nextInt(1, 400));
            Percentiles part = new Percentiles(false);
            part.acceptAll(Arrays.copyOfRange(values, from, to), to - from);
            parts.add(part);
            from = Math.max(to, from + 1);
        }
        while (parts.size() > 1) {
            int i = random.nextInt(parts.size() - 1);
            parts.get(i).addAll(parts.remove(i + 1));
        }
        Percentiles merged = parts.getFirst();
        assertThat(merged.exact()).isEqualTo(large <= Percentiles.EXACT_LIMIT).isEqualTo(whole.exact());
        assertThat(bytes(merged)).isEqualTo(bytes(whole));
        double[] qs = {0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1};
        double[] answer = merged.valuesAt(qs, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        if (merged.exact() && n > 0) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            for (int k = 0; k < qs.length; k++) {
                assertThat(answer[k]).as("q=" + qs[k]).isEqualTo(sorted[(int) Percentiles.rank(qs[k], n)]);
            }
        }
    }

    private static byte[] bytes(Percentiles p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }
}
