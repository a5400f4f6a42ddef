package dev.tsproc.job;

import dev.tsproc.testkit.ReferenceStats;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The fixed-point windows against value-by-value {@link ExactSum} deposits (the same exact sums
 * of values and of squares, bit for bit), against a {@link java.math.BigDecimal} reference (the
 * correctly rounded sum), and against Python's {@code math.fsum}, on float data of every kind.
 */
class FixedPointWindowsTest {

    /** Data shapes: measured-looking values, and the awkward ones the windows must hand on. */
    enum Shape { GAUSSIAN, WALK, WIDE_EXPONENTS, SUBNORMALS, ZEROS_AND_SIGNS, INFINITIES, CANCELLATION, HUGE, TINY }

    static double[] values(Shape shape, long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        double walk = random.nextDouble(-100, 100);
        for (int i = 0; i < n; i++) {
            double x = switch (shape) {
                case GAUSSIAN -> random.nextGaussian() * Math.scalb(1.0, random.nextInt(-3, 4));
                case WALK -> walk += random.nextGaussian();
                case WIDE_EXPONENTS -> Math.scalb(random.nextDouble(-2, 2), random.nextInt(-1074, 1023));
                case SUBNORMALS -> random.nextBoolean() ? Double.MIN_VALUE * random.nextLong(1, 1L << 52)
                        : random.nextGaussian() * 1e-300;
                case ZEROS_AND_SIGNS -> switch (random.nextInt(4)) {
                    case 0 -> -0.0;
                    case 1 -> 0.0;
                    case 2 -> random.nextGaussian();
                    default -> -random.nextDouble();
                };
                case INFINITIES -> random.nextInt(50) == 0
                        ? (random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY)
                        : random.nextGaussian();
                case CANCELLATION -> i % 2 == 0 ? Math.scalb(random.nextDouble(), random.nextInt(-60, 60))
                        : -v[i - 1] + (random.nextInt(8) == 0 ? Math.scalb(random.nextDouble(), random.nextInt(-200, -100)) : 0);
                case HUGE -> Math.scalb(random.nextDouble(-1, 1), random.nextInt(500, 1024));
                case TINY -> Math.scalb(random.nextDouble(-1, 1), random.nextInt(-1074, -850));
            };
            v[i] = random.nextInt(10) == 0 ? Double.NaN : x;
        }
        return v;
    }

    /** The per-value deposits the windows replace: values, then rounded squares and their errors. */
    static ExactSum[] oneByOne(double[] v, int from, int to) {
        ExactSum sum = new ExactSum();
        ExactSum squares = new ExactSum();
        for (int i = from; i < to; i++) {
            double x = v[i];
            if (x != x) {
                continue;
            }
            sum.add(x);
            double p = x * x;
            squares.add(p);
            if (Double.isFinite(p)) {
                squares.add(Math.fma(x, x, -p));
            }
        }
        return new ExactSum[] {sum, squares};
    }

    private static ExactSum[] windows(double[] v, int from, int to) {
        ExactSum sum = new ExactSum();
        ExactSum squares = new ExactSum();
        for (int start = from; start < to; start += FixedPointWindows.MAX_VALUES) {
            int len = Math.min(FixedPointWindows.MAX_VALUES, to - start);
            double[] block = java.util.Arrays.copyOfRange(v, start, start + len);
            long missing = FixedPointWindows.add(block, 0, len, sum, squares);
            assertThat(missing).isEqualTo(ReferenceStats.missing(block));
        }
        return new ExactSum[] {sum, squares};
    }

    static void assertSame(ExactSum actual, ExactSum expected, String what) {
        assertThat(actual.scaledValue()).as(what + " exact value").isEqualTo(expected.scaledValue());
        assertThat(Double.doubleToRawLongBits(actual.toDouble())).as(what + " " + actual.toDouble() + " vs " + expected.toDouble())
                .isEqualTo(Double.doubleToRawLongBits(expected.toDouble()));
    }

    @Property(tries = 300)
    void equalTheCorrectlyRoundedSumAndTheOneByOneDeposits(@ForAll Shape shape, @ForAll long seed,
                                                          @ForAll @IntRange(max = 5000) int n) {
        double[] v = values(shape, seed, n);
        ExactSum[] expected = oneByOne(v, 0, n);
        ExactSum[] actual = windows(v, 0, n);
        assertSame(actual[0], expected[0], shape + " sum");
        assertSame(actual[1], expected[1], shape + " squares");
        assertThat(actual[0].count()).as("values summed").isEqualTo(ReferenceStats.count(v));
        assertThat(Double.doubleToRawLongBits(actual[0].toDouble())).as(shape + " against BigDecimal")
                .isEqualTo(Double.doubleToRawLongBits(ReferenceStats.sum(v)));
    }

    @Property(tries = 200)
    void aBlockOfTwoMagnitudesSplitsBetweenWindowsAndDeposits(@ForAll long seed, @ForAll @IntRange(min = -1074, max = 1023) int big,
                                                             @ForAll @IntRange(min = 0, max = 200) int gap) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[FixedPointWindows.MAX_VALUES];
        for (int i = 0; i < v.length; i++) {
            int exponent = Math.max(-1074, random.nextBoolean() ? big : big - gap);
            v[i] = Math.scalb(random.nextDouble(-2, 2), exponent);
        }
        ExactSum[] expected = oneByOne(v, 0, v.length);
        ExactSum[] actual = windows(v, 0, v.length);
        assertSame(actual[0], expected[0], "sum");
        assertSame(actual[1], expected[1], "squares");
        assertThat(Double.doubleToRawLongBits(actual[0].toDouble())).isEqualTo(Double.doubleToRawLongBits(ReferenceStats.sum(v)));
    }

    @Test
    void windowsAtTheirLimits() {
        double[][] cases = {
                {0x1p52 - 1, 0x1p52 - 1, 1.0, Math.nextDown(1.0)},
                {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, Math.ulp(Double.MAX_VALUE)},
                {0x1p-900, 0x1p-951, 0x1p-952, Double.MIN_VALUE, -Double.MIN_NORMAL},
                {0x1p511, Math.nextUp(0x1p511), 0x1p512, 1e-300},
                // values that fit, squares whose errors (2^-104, 2^-102) fall below the third window
                {1 + 0x1p-52, -(1 + 0x1p-51), 0.5},
                {-0.0, -0.0, Double.NaN},
                {-0.0, 0.0},
                {Double.NaN},
                {},
        };
        for (double[] c : cases) {
            double[] v = new double[FixedPointWindows.MAX_VALUES];
            for (int i = 0; i < v.length; i++) {
                v[i] = c.length == 0 ? Double.NaN : c[i % c.length];
            }
            ExactSum[] expected = oneByOne(v, 0, v.length);
            ExactSum[] actual = windows(v, 0, v.length);
            String what = java.util.Arrays.toString(c);
            assertSame(actual[0], expected[0], what + " sum");
            assertSame(actual[1], expected[1], what + " squares");
            assertThat(Double.doubleToRawLongBits(actual[0].toDouble())).as(what)
                    .isEqualTo(Double.doubleToRawLongBits(ReferenceStats.sum(v)));
        }
    }

    /**
     * The same values through the whole-column kernels and through Python's {@code math.fsum}
     * (a correctly rounded sum, Shewchuk's algorithm): bit for bit. Skipped, with the reason
     * printed, where no python3 can be run.
     */
    @Test
    void equalsPythonsFsum() throws Exception {
        List<double[]> samples = new ArrayList<>();
        long seed = 12;
        for (Shape shape : Shape.values()) {
            if (shape != Shape.INFINITIES) {
                samples.add(fsumSafe(values(shape, seed++, 10_000), shape));
            }
        }
        List<Double> sums = pythonFsums(samples);
        for (int k = 0; k < samples.size(); k++) {
            double expected = sums.get(k);
            for (Summary.Kernel kernel : List.of(Summary.Kernel.SUM, Summary.Kernel.FULL)) {
                double actual = whole(samples.get(k), kernel).sum.toDouble();
                assertThat(Double.doubleToRawLongBits(actual)).as("sample " + k + " " + kernel + ": " + actual + " vs fsum " + expected)
                        .isEqualTo(Double.doubleToRawLongBits(expected));
            }
        }
    }

    /**
     * {@code v}, scaled down by 2^30 for the shapes whose partial sums may overflow: there
     * {@code fsum} raises OverflowError, where tsproc's sum would be infinite.
     */
    static double[] fsumSafe(double[] v, Shape shape) {
        if (shape == Shape.HUGE || shape == Shape.WIDE_EXPONENTS) {
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.scalb(v[i], -30);
            }
        }
        return v;
    }

    /**
     * Python's {@code math.fsum} (a correctly rounded sum, Shewchuk's algorithm) of each sample's
     * present values, through one python3 process; the calling test is skipped, with the reason
     * printed, where no python3 can be run.
     */
    static List<Double> pythonFsums(List<double[]> samples) throws Exception {
        String python = python3();
        assumeThat(python).as("no python3 found on PATH or in /usr/bin: math.fsum check skipped").isNotNull();
        ProcessBuilder builder = new ProcessBuilder(python, "-c",
                "import math, sys\n"
                        + "for line in sys.stdin:\n"
                        + "    print(math.fsum(float.fromhex(x) for x in line.split()).hex())\n");
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        try (OutputStream raw = process.getOutputStream();
             PrintStream out = new PrintStream(raw, false, StandardCharsets.US_ASCII)) {
            for (double[] sample : samples) {
                StringBuilder line = new StringBuilder();
                for (double x : sample) {
                    if (x == x) {
                        line.append(Double.toHexString(x)).append(' ');
                    }
                }
                out.println(line);
            }
        }
        List<String> sums = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(sums).hasSize(samples.size());
        return sums.stream().map(FixedPointWindowsTest::parsePythonHex).toList();
    }

    private static Summary whole(double[] v, Summary.Kernel kernel) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment segment = arena.allocate((long) v.length * Double.BYTES, 64);
            java.lang.foreign.MemorySegment.copy(v, 0, segment, dev.tsproc.data.Column.VALUE_LAYOUT, 0, v.length);
            return Summary.of(segment, kernel);
        }
    }

    /** Python's {@code float.hex()}: {@code 0x1.8p+3}, {@code -0x0.0p+0}, {@code inf}. */
    private static double parsePythonHex(String s) {
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static String python3() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "python3"))) {
                return Path.of(dir, "python3").toString();
            }
        }
        System.out.println("FixedPointWindowsTest: no python3 on PATH or in /usr/bin; skipping the math.fsum check");
        return null;
    }
}
