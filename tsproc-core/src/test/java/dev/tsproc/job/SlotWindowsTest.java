package dev.tsproc.job;

import dev.tsproc.job.FixedPointWindowsTest.Shape;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.tsproc.job.FixedPointWindowsTest.assertSame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-slot windows against value-by-value {@link ExactSum} deposits per slot (the same exact
 * sums of values and of squares, bit for bit, and so the correctly rounded sum), against Python's
 * {@code math.fsum}, and at their limits: rescaling, carries, the range of binades.
 */
class SlotWindowsTest {

    /** Runs rows {@code v} with slots {@code slot} through the windows in blocks of {@code block}; returns the slots' sums, squares and counts. */
    private static Result windows(double[] v, int[] slot, int slots, int block, boolean squares) {
        ExactSum[] sums = new ExactSum[slots];
        ExactSum[] sq = squares ? new ExactSum[slots] : null;
        SlotWindows w = new SlotWindows(sums, sq);
        long[] acc = new long[slots * SlotKernels.STRIDE];
        for (int s = 0; s < slots; s++) {
            acc[s * SlotKernels.STRIDE + SlotKernels.MIN] = Extremes.NO_LOW;
            acc[s * SlotKernels.STRIDE + SlotKernels.MAX] = Extremes.NO_HIGH;
        }
        for (int from = 0; from < v.length; from += block) {
            int len = Math.min(block, v.length - from);
            w.add(acc, Arrays.copyOfRange(v, from, from + len), Arrays.copyOfRange(slot, from, from + len), len);
        }
        for (int s = 0; s < slots; s++) {
            w.close(s);
        }
        return new Result(sums, sq, acc);
    }

    private record Result(ExactSum[] sums, ExactSum[] squares, long[] acc) {}

    /** Asserts that every slot holds what value-by-value deposits of its rows give, and its counts and extremes. */
    private static void assertOneByOne(double[] v, int[] slot, int slots, Result r, String what) {
        for (int s = 0; s < slots; s++) {
            List<Double> mine = new ArrayList<>();
            for (int i = 0; i < v.length; i++) {
                if (slot[i] == s) {
                    mine.add(v[i]);
                }
            }
            double[] values = mine.stream().mapToDouble(Double::doubleValue).toArray();
            ExactSum[] expected = FixedPointWindowsTest.oneByOne(values, 0, values.length);
            long present = Arrays.stream(values).filter(x -> x == x).count();
            int o = s * SlotKernels.STRIDE;
            assertThat(r.acc()[o + SlotKernels.ROWS]).as(what + " slot " + s + " rows").isEqualTo(values.length);
            assertThat(r.acc()[o + SlotKernels.MISSING]).as(what + " slot " + s + " missing").isEqualTo(values.length - present);
            double min = Arrays.stream(values).filter(x -> x == x).reduce(Double.POSITIVE_INFINITY, Math::min);
            assertThat(Extremes.value(r.acc()[o + SlotKernels.MIN])).as(what + " slot " + s + " min").isEqualTo(min);
            if (present == 0) {
                assertThat(r.sums()[s] == null || r.sums()[s].count() == 0).as(what + " slot " + s + " has no sum").isTrue();
                continue;
            }
            assertSame(r.sums()[s], expected[0], what + " slot " + s + " sum");
            assertThat(r.sums()[s].count()).as(what + " slot " + s + " values summed").isEqualTo(present);
            if (r.squares() != null) {
                assertSame(r.squares()[s], expected[1], what + " slot " + s + " squares");
            }
        }
    }

    @Property(tries = 200)
    void equalTheOneByOneDepositsOfEachSlot(@ForAll Shape shape, @ForAll long seed, @ForAll @IntRange(max = 6000) int n,
                                            @ForAll @IntRange(min = 1, max = 12) int slots,
                                            @ForAll @IntRange(min = 1, max = 2048) int block) {
        double[] v = FixedPointWindowsTest.values(shape, seed, n);
        SplittableRandom random = new SplittableRandom(seed);
        int[] slot = random.ints(n, 0, slots).toArray();
        boolean squares = random.nextBoolean();
        assertOneByOne(v, slot, slots, windows(v, slot, slots, block, squares), shape + (squares ? " with squares" : ""));
    }

    @Property(tries = 100)
    void slotsOfTwoMagnitudesRescaleAndDeposit(@ForAll long seed, @ForAll @IntRange(min = -1074, max = 1023) int big,
                                               @ForAll @IntRange(min = 0, max = 40) int gap) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = 3000;
        double[] v = new double[n];
        int[] slot = new int[n];
        for (int i = 0; i < n; i++) {
            // growing magnitudes rescale a slot again and again; the small ones fall below its windows
            int exponent = Math.max(-1074, random.nextBoolean() ? big - random.nextInt(3) + i / 1000 : big - gap);
            v[i] = Math.scalb(random.nextDouble(-2, 2), Math.min(1023, exponent));
            slot[i] = random.nextInt(3);
        }
        assertOneByOne(v, slot, 3, windows(v, slot, 3, 2048, true), "2^" + big + " and 2^" + (big - gap));
    }

    @Test
    void windowsAtTheirLimits() {
        int many = 3 * SlotWindows.FLUSH_VALUES + 5;
        double[][] cases = {
                // the largest magnitudes of a binade, all of one sign: every window at its carry limit
                {Math.nextDown(2.0)},
                {-Math.nextDown(0x1p-30), Math.nextDown(-0x1p-30)},
                // the ends of the range of binades, and just beyond
                {Math.nextDown(0x1p501), 0x1p488, 1.0},
                {0x1p502, 0x1p-449, 0x1p-450, 0x1p-451},
                {Double.MAX_VALUE, -Double.MAX_VALUE, 1.0},
                // subnormals, zeros, infinities, missing
                {Double.MIN_VALUE, -Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL)},
                {-0.0, -0.0, Double.NaN},
                {-0.0, 0.0},
                {0.0, 1.5, Double.POSITIVE_INFINITY, Double.NaN},
                {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY},
                {Double.NaN},
                // just inside and just below a slot's depth of 13 binades
                {1.0, 0x1p-13, Math.nextDown(0x1p-13), 0x1p-14 + 0x1p-66},
        };
        for (double[] c : cases) {
            double[] v = new double[many];
            int[] slot = new int[many];
            for (int i = 0; i < many; i++) {
                v[i] = c[i % c.length];
                slot[i] = i % 7 == 0 ? 1 : 0;
            }
            String what = Arrays.toString(c);
            Result r = windows(v, slot, 2, 2048, true);
            assertOneByOne(v, slot, 2, r, what);
        }
    }

    @Test
    void equalsPythonsFsumPerSlot() throws Exception {
        int slots = 5;
        List<double[]> samples = new ArrayList<>();
        List<double[]> perSlot = new ArrayList<>();
        long seed = 31;
        for (Shape shape : Shape.values()) {
            if (shape == Shape.INFINITIES) {
                continue;
            }
            double[] v = FixedPointWindowsTest.fsumSafe(FixedPointWindowsTest.values(shape, seed++, 5_000), shape);
            int[] slot = new SplittableRandom(seed).ints(v.length, 0, slots).toArray();
            Result r = windows(v, slot, slots, 2048, false);
            double[] sums = new double[slots];
            for (int s = 0; s < slots; s++) {
                int k = s;
                samples.add(java.util.stream.IntStream.range(0, v.length).filter(i -> slot[i] == k).mapToDouble(i -> v[i]).toArray());
                sums[s] = r.sums()[s] == null ? 0.0 : r.sums()[s].toDouble();
            }
            perSlot.add(sums);
        }
        List<Double> fsums = FixedPointWindowsTest.pythonFsums(samples);
        for (int k = 0; k < samples.size(); k++) {
            double actual = perSlot.get(k / slots)[k % slots];
            double expected = fsums.get(k);
            assertThat(Double.doubleToRawLongBits(actual)).as("sample " + k + ": " + actual + " vs fsum " + expected)
                    .isEqualTo(Double.doubleToRawLongBits(expected));
        }
    }
}
