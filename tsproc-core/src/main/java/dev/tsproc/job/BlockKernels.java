package dev.tsproc.job;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The per-block work of {@link Summary}: count missing values, or sum a block (and its squares
 * and extremes) with the fast path when it applies and the exact slow path when not.
 *
 * <p>Two implementations give the same bits: {@link VectorBlockKernels} on the incubating
 * Vector API, and {@link ScalarBlockKernels} in plain Java. {@link #select()} picks one once;
 * the vector ones are loaded by name, so this class and the scalar kernels never link against
 * {@code jdk.incubator.vector} and work on a JVM that does not resolve it.
 *
 * @implSpec Every method handles {@code len} rows from row {@code from} of {@code values},
 * with {@code 0 <= len <= } {@value #BLOCK}, and must leave the summary exactly as the
 * other implementation does: same counts, same exact sums, same extremes.
 */
interface BlockKernels {
    /**
     * Rows per block of every kernel of the engine, these and {@link SlotKernels}'. At most 2^11,
     * which the exactness of the fast paths needs ({@link Summary}); a block of values and slots
     * copied to the heap (24 KB) stays in L1.
     */
    int BLOCK = 2048;
    /** Blocks between two checks for cancellation: 64K rows, as {@link Job#map} asks. */
    int BLOCKS_PER_CHECK = 32;

    /** System property that picks the kernels: {@code auto} (the default), {@code vector} or {@code scalar}. */
    String PROPERTY = "tsproc.kernels";

    /** Missing (NaN) values among the block's rows. */
    long countMissing(MemorySegment values, long from, int len);

    /** Adds the block's missing count and sum of present values to {@code into}. */
    void sumBlock(Summary into, MemorySegment values, long from, int len);

    /** Adds the block's missing count, sums of present values and squares, and extremes to {@code into}. */
    void fullBlock(Summary into, MemorySegment values, long from, int len);

    /** A short description for reports: {@code "scalar"}, or {@code "vector (…)"}. */
    String description();

    /**
     * The kernels for this JVM: the vector ones when {@code jdk.incubator.vector} can be loaded
     * (and they are not turned off by {@value #PROPERTY}), else the scalar ones.
     *
     * @throws IllegalStateException if {@value #PROPERTY} is {@code vector} but the vector
     *                               kernels cannot be used, or names no known choice
     */
    static BlockKernels select() {
        String choice = System.getProperty(PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "scalar" -> ScalarBlockKernels.INSTANCE;
            case "auto" -> {
                BlockKernels vector = vectorOrNull();
                yield vector != null ? vector : ScalarBlockKernels.INSTANCE;
            }
            case "vector" -> {
                BlockKernels vector = vectorOrNull();
                if (vector == null) {
                    throw new IllegalStateException(PROPERTY + "=vector, but the Vector API is not usable here;"
                            + " run java with --add-modules jdk.incubator.vector"
                            + " or --add-exports java.base/jdk.internal.module=ALL-UNNAMED");
                }
                yield vector;
            }
            default -> throw new IllegalStateException(
                    PROPERTY + "=" + choice + " is not one of auto, vector, scalar");
        };
    }

    /**
     * The vector kernels, or {@code null} if the module cannot be used or the hardware has no
     * vectors of at least two doubles (the constructor then refuses).
     */
    private static BlockKernels vectorOrNull() {
        if (!vectorModuleLoaded()) {
            return null;
        }
        try {
            return (BlockKernels) Class.forName("dev.tsproc.job.VectorBlockKernels")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * Whether {@code jdk.incubator.vector} is loaded: resolved at start-up ({@code --add-modules}),
     * or loaded now into a layer above the boot layer if {@code java.base} exports
     * {@code jdk.internal.module} to this class ({@code --add-exports
     * java.base/jdk.internal.module=ALL-UNNAMED}, as {@code bin/tsproc} starts the JVM). The
     * second way is the JDK's own for an agent's modules ({@code Modules.loadModule}): the module
     * is defined to the same built-in loader, with the same exports from {@code java.base}, so
     * its vectors are compiled as usual; but the JDK prints its "WARNING: Using incubator
     * modules" only for modules resolved at start-up, so a user of the CLI never sees it.
     */
    private static boolean vectorModuleLoaded() {
        String name = "jdk.incubator.vector";
        if (ModuleLayer.boot().findModule(name).isPresent()) {
            return true;
        }
        if (!Object.class.getModule().isExported("jdk.internal.module", BlockKernels.class.getModule())) {
            return false;
        }
        try {
            Class.forName("jdk.internal.module.Modules").getMethod("loadModule", String.class).invoke(null, name);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
