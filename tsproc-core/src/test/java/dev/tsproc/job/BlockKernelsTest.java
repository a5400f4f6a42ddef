package dev.tsproc.job;

import dev.tsproc.data.Column;
import dev.tsproc.testkit.ReferenceStats;
import dev.tsproc.testkit.TestStores;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The vector and scalar block kernels against each other, bit for bit, and against the plain
 * reference. Surefire runs with {@code --add-modules jdk.incubator.vector}; without it the
 * vector half of each check is skipped.
 */
class BlockKernelsTest {
    private static final BlockKernels SCALAR = ScalarBlockKernels.INSTANCE;
    private static final BlockKernels VECTOR = vectorOrNull();

    private static BlockKernels vectorOrNull() {
        try {
            return new VectorBlockKernels();
        } catch (LinkageError | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Summarises {@code values} with {@code kernels}, starting {@code offset} rows into an off-heap copy. */
    private static Summary summarise(double[] values, int offset, Summary.Kernel kernel, BlockKernels kernels) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(Column.VALUE.byteSize(offset + values.length), 64);
            MemorySegment.copy(values, 0, all, Column.VALUE_LAYOUT, (long) offset * Double.BYTES, values.length);
            return Summary.of(all.asSlice((long) offset * Double.BYTES), kernel, kernels);
        }
    }

    private static void assertSameBits(Summary actual, Summary expected, String what) {
        assertThat(actual.rows).as(what + " rows").isEqualTo(expected.rows);
        assertThat(actual.missing).as(what + " missing").isEqualTo(expected.missing);
        assertThat(actual.sum.count()).as(what + " values summed").isEqualTo(expected.sum.count());
        assertSameSum(actual.sum, expected.sum, what + " sum");
        // Not squares.count(): the slow path deposits a square as two parts, so it counts deposits, not values.
        assertSameSum(actual.squares, expected.squares, what + " squares");
        assertThat(Double.doubleToRawLongBits(actual.min)).as(what + " min " + actual.min + " vs " + expected.min)
                .isEqualTo(Double.doubleToRawLongBits(expected.min));
        assertThat(Double.doubleToRawLongBits(actual.max)).as(what + " max " + actual.max + " vs " + expected.max)
                .isEqualTo(Double.doubleToRawLongBits(expected.max));
    }

    private static void assertSameSum(ExactSum actual, ExactSum expected, String what) {
        assertThat(actual.scaledValue()).as(what + " exact value").isEqualTo(expected.scaledValue());
        assertThat(Double.doubleToRawLongBits(actual.nonFinite())).as(what + " non-finite")
                .isEqualTo(Double.doubleToRawLongBits(expected.nonFinite()));
        assertThat(Double.doubleToRawLongBits(actual.toDouble())).as(what + " " + actual.toDouble() + " vs " + expected.toDouble())
                .isEqualTo(Double.doubleToRawLongBits(expected.toDouble()));
    }

    /** Every kernel of both sets on {@code values}: same bits, and the reference's counts, sum and extremes. */
    private static void assertKernelsAgree(double[] values, int offset) {
        for (Summary.Kernel kernel : Summary.Kernel.values()) {
            Summary scalar = summarise(values, offset, kernel, SCALAR);
            String what = kernel + " n=" + values.length + " offset=" + offset;
            assertThat(scalar.missing).as(what + " missing").isEqualTo(ReferenceStats.missing(values));
            if (kernel != Summary.Kernel.COUNT) {
                assertThat(Double.doubleToRawLongBits(scalar.sum.toDouble())).as(what + " sum")
                        .isEqualTo(Double.doubleToRawLongBits(ReferenceStats.sum(values)));
            }
            if (kernel == Summary.Kernel.FULL && scalar.rows > scalar.missing) {
                assertThat(Double.doubleToRawLongBits(scalar.min)).as(what + " min")
                        .isEqualTo(Double.doubleToRawLongBits(ReferenceStats.min(values)));
                assertThat(Double.doubleToRawLongBits(scalar.max)).as(what + " max")
                        .isEqualTo(Double.doubleToRawLongBits(ReferenceStats.max(values)));
            }
            if (VECTOR != null) {
                assertSameBits(summarise(values, offset, kernel, VECTOR), scalar, what);
            }
        }
    }

    /** The talk's values: 0, 1 or missing, equally likely. */
    private static double[] talkValues(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(3);
            v[i] = pick == 2 ? Double.NaN : pick;
        }
        return v;
    }

    /** Values around the fast path's edges: ±2^20, just beyond, ±0, halves, NaNs with other payloads. */
    private static double[] edgeValues(long seed, int n) {
        double[] pool = {0x1p20, -0x1p20, 0x1p20 + 1, -0x1p20 - 1, 0x1p20 - 1, 0.0, -0.0, 0.5, -0.5, 1.5,
                Double.NaN, Double.longBitsToDouble(0x7FF0_0000_0000_0001L), Double.longBitsToDouble(0xFFF8_0000_0000_0000L),
                Double.longBitsToDouble(0x7FFF_FFFF_FFFF_FFFFL), 0x1p51, 0x1p52 + 1, 0x1p53, 4503599627370495.5,
                Double.MIN_VALUE, -Double.MIN_NORMAL, 3, -7};
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(8) == 0 ? pool[random.nextInt(pool.length)] : random.nextInt(-5, 6);
        }
        return v;
    }

    @Property(tries = 80)
    void kernelsAgreeOnTheTalksValues(@ForAll long seed, @ForAll @IntRange(max = 9000) int n,
                                      @ForAll @IntRange(max = 17) int offset) {
        assertKernelsAgree(talkValues(seed, n), offset);
    }

    @Property(tries = 80)
    void kernelsAgreeOnAwkwardValues(@ForAll long seed, @ForAll @IntRange(max = 9000) int n,
                                     @ForAll @IntRange(max = 17) int offset) {
        assertKernelsAgree(TestStores.awkwardValues(seed, n, seed % 2 == 0), offset);
    }

    @Property(tries = 80)
    void kernelsAgreeAtTheFastPathsEdges(@ForAll long seed, @ForAll @IntRange(max = 9000) int n,
                                         @ForAll @IntRange(max = 17) int offset) {
        assertKernelsAgree(edgeValues(seed, n), offset);
    }

    /**
     * Float data of every shape through both kernel sets' windows (the vector ones lane by lane):
     * the same bits as each other, the correctly rounded sum, and the value-by-value deposits'
     * exact sums of values and squares.
     */
    @Property(tries = 50)
    void kernelsAgreeOnFloatData(@ForAll FixedPointWindowsTest.Shape shape, @ForAll long seed,
                                 @ForAll @IntRange(max = 9000) int n, @ForAll @IntRange(max = 17) int offset) {
        double[] values = FixedPointWindowsTest.values(shape, seed, n);
        assertKernelsAgree(values, offset);
        ExactSum[] expected = FixedPointWindowsTest.oneByOne(values, 0, n);
        for (BlockKernels kernels : VECTOR == null ? List.of(SCALAR) : List.of(SCALAR, VECTOR)) {
            Summary full = summarise(values, offset, Summary.Kernel.FULL, kernels);
            FixedPointWindowsTest.assertSame(full.sum, expected[0], shape + " " + kernels.description() + " sum");
            FixedPointWindowsTest.assertSame(full.squares, expected[1], shape + " " + kernels.description() + " squares");
        }
    }

    @Test
    void everyBlockLengthAndTail() {
        for (int n = 0; n <= 2 * BlockKernels.BLOCK + 70; n += n < 80 ? 1 : 61) {
            assertKernelsAgree(talkValues(n, n), n % 5);
            assertKernelsAgree(edgeValues(n, n), 3);
        }
    }

    @Test
    void signOfZeroSums() {
        double[] negativeZeros = new double[3000];
        Arrays.fill(negativeZeros, -0.0);
        negativeZeros[5] = Double.NaN;
        assertKernelsAgree(negativeZeros, 0);
        assertThat(Double.doubleToRawLongBits(summarise(negativeZeros, 0, Summary.Kernel.SUM, SCALAR).sum.toDouble()))
                .isEqualTo(Long.MIN_VALUE);
        double[] mixed = negativeZeros.clone();
        mixed[2999] = 0.0;
        assertKernelsAgree(mixed, 1);
        assertThat(Double.doubleToRawLongBits(summarise(mixed, 0, Summary.Kernel.SUM, SCALAR).sum.toDouble())).isZero();
        double[] cancelling = new double[100];
        for (int i = 0; i < cancelling.length; i++) {
            cancelling[i] = i % 2 == 0 ? -0.0 : (i % 4 == 1 ? 3 : -3);
        }
        assertKernelsAgree(cancelling, 0);
    }

    @Test
    void allMissing() {
        double[] nans = new double[5000];
        Arrays.fill(nans, Double.NaN);
        assertKernelsAgree(nans, 2);
        Summary s = summarise(nans, 0, Summary.Kernel.FULL, SCALAR);
        assertThat(s.missing).isEqualTo(5000);
        assertThat(s.rows).isEqualTo(5000);
    }

    @Test
    void fastPathTakesExactlyTheIntegersUpTo2To20() {
        for (double x : new double[] {0.0, -0.0, 1, -1, 17, 0x1p20, -0x1p20, 0x1p20 - 1}) {
            assertThat(ScalarBlockKernels.notFast(x)).as("%s", x).isZero();
        }
        for (double x : new double[] {0.5, -0.5, 0x1p20 + 1, -0x1p20 - 1, 0x1p51, 0x1p52, 0x1p60, 1e300,
                Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 4503599627370495.5}) {
            assertThat(ScalarBlockKernels.notFast(x)).as("%s", x).isNotZero();
        }
    }

    @Test
    void usesTheVectorKernelsWhenTheModuleIsResolved() {
        assumeThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        assertThat(QueryJob.kernels()).startsWith("vector (");
        assertThat(BlockKernels.select()).isInstanceOf(VectorBlockKernels.class);
    }

    /**
     * What {@code bin/tsproc TSPROC_VECTOR=on} relies on: a JVM started without the module but
     * with {@code java.base/jdk.internal.module} exported loads it above the boot layer, runs the
     * vector kernels with the scalar ones' bits, and the JDK prints no incubator warning.
     */
    @Test
    void loadsTheVectorModuleAboveTheBootLayerWithoutTheIncubatorWarning() throws Exception {
        assumeThat(VECTOR).as("no vectors of two doubles on this hardware").isNotNull();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process probe = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "java.base/jdk.internal.module=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), KernelsProbe.class.getName()).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(probe.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor()).as(err).isZero();
        assertThat(err).isEmpty();

        Summary scalar = summarise(KernelsProbe.values(), 0, Summary.Kernel.FULL, SCALAR);
        assertThat(out.lines().toList()).containsExactly(VECTOR.description(), "false",
                Double.doubleToRawLongBits(scalar.sum.toDouble()) + " " + Double.doubleToRawLongBits(scalar.squares.toDouble()));
    }

    @Test
    void thePropertyPicksTheKernels() {
        String before = System.getProperty(BlockKernels.PROPERTY);
        try {
            System.setProperty(BlockKernels.PROPERTY, "scalar");
            assertThat(BlockKernels.select()).isSameAs(ScalarBlockKernels.INSTANCE);
            System.setProperty(BlockKernels.PROPERTY, "simd");
            assertThatThrownBy(BlockKernels::select).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tsproc.kernels=simd");
        } finally {
            if (before == null) {
                System.clearProperty(BlockKernels.PROPERTY);
            } else {
                System.setProperty(BlockKernels.PROPERTY, before);
            }
        }
    }
}
