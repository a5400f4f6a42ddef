package dev.tsproc.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;

/**
 * How long one timed run took: wall-clock seconds, and CPU seconds of the whole process (all
 * threads) over the same interval.
 *
 * <p>Process CPU time comes from {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)} (nanoseconds)
 * on Linux; the JDK's {@code getProcessCpuTime()} ticks in 10 ms steps there, too coarse for
 * runs of tens of milliseconds. Elsewhere it falls back to the JDK's.
 */
record Timing(double wallSeconds, double cpuSeconds) {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final MethodHandle CLOCK_GETTIME = clockGettime();

    @SuppressWarnings("restricted") // a benchmark, run with --enable-native-access
    private static MethodHandle clockGettime() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("clock_gettime")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
                    .orElse(null);
        } catch (RuntimeException e) { // e.g. native access not enabled
            return null;
        }
    }

    /** CPU time of the whole process, in nanoseconds. */
    static long processCpuNanos() {
        if (CLOCK_GETTIME != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment timespec = arena.allocate(16, 8);
                int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, timespec);
                if (rc == 0) {
                    return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
                }
            } catch (Throwable e) {
                // fall through to the JDK's coarser clock
            }
        }
        return OS.getProcessCpuTime();
    }

    /** A started clock. */
    static Clock start() {
        return new Clock(System.nanoTime(), processCpuNanos());
    }

    /** The wall times of {@code timings}. */
    static double[] wall(Timing[] timings) {
        double[] seconds = new double[timings.length];
        for (int i = 0; i < timings.length; i++) {
            seconds[i] = timings[i].wallSeconds;
        }
        return seconds;
    }

    /** The CPU times of {@code timings}. */
    static double[] cpu(Timing[] timings) {
        double[] seconds = new double[timings.length];
        for (int i = 0; i < timings.length; i++) {
            seconds[i] = timings[i].cpuSeconds;
        }
        return seconds;
    }

    /** Start readings of both clocks. */
    record Clock(long startNanos, long startCpuNanos) {
        Timing stop() {
            return new Timing((System.nanoTime() - startNanos) / 1e9, (processCpuNanos() - startCpuNanos) / 1e9);
        }
    }
}
