package dev.tsproc.job;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Run as its own JVM by {@link BlockKernelsTest}: prints the kernels this JVM picked, whether
 * {@code jdk.incubator.vector} is in the boot layer, and the raw bits of the exact sum of
 * squares of {@link #values()}.
 */
final class KernelsProbe {
    private KernelsProbe() {}

    /** A random walk with missing values: every block takes the windows. */
    static double[] values() {
        SplittableRandom random = new SplittableRandom(12);
        double[] v = new double[3 * BlockKernels.BLOCK + 17];
        double walk = 0;
        for (int i = 0; i < v.length; i++) {
            walk += random.nextGaussian();
            v[i] = random.nextInt(20) == 0 ? Double.NaN : walk;
        }
        return v;
    }

    public static void main(String[] args) {
        double[] v = values();
        Summary summary;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocate(ValueLayout.JAVA_DOUBLE, v.length);
            MemorySegment.copy(v, 0, values, ValueLayout.JAVA_DOUBLE, 0, v.length);
            summary = Summary.of(values, Summary.Kernel.FULL);
        }
        System.out.println(QueryJob.kernels());
        System.out.println(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        System.out.println(Double.doubleToRawLongBits(summary.sum.toDouble()) + " "
                + Double.doubleToRawLongBits(summary.squares.toDouble()));
    }
}
