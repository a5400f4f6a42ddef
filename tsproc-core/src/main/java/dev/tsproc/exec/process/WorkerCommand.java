package dev.tsproc.exec.process;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a worker JVM: the coordinator's own {@code java} and class
 * path, the module and native-access flags it was started with, its ahead-of-time cache (so a
 * worker starts warm too: the cache holds the classes and profiles of the same jars, and the
 * JVM uses it whatever the collector), options that keep a worker small, and {@link WorkerMain}.
 *
 * <p>Defaults: the serial collector (a worker computes on one thread; the serial collector
 * has the smallest footprint and no GC threads), a small initial heap, and all JVM output to
 * stderr — HotSpot writes its warnings to stdout unless told otherwise, and stdout is the
 * channel — except the cache's: one that does not match starts the JVM without it, and says so
 * in errors that are no worker's business. Options given by the caller come last, so they win.
 *
 * @param command the program and its arguments
 */
public record WorkerCommand(List<String> command) {
    /**
     * Flags of the coordinator's JVM that a worker needs too: they change what code may do, which
     * kernels it runs ({@code --add-exports} can load the Vector API, {@code -Dtsproc.kernels}), or
     * (the cache, the kernels' compile commands, C1 alone for a small run) how fast it starts.
     */
    private static final List<String> INHERITED = List.of("--enable-native-access", "--add-modules", "--add-opens",
            "--add-exports", "--add-reads", "--enable-preview", "-XX:AOTCache", "-XX:CompileCommand",
            "-XX:TieredStopAtLevel", "-Dtsproc.kernels", "-ea", "-enableassertions", "-esa", "-da", "-disableassertions");
    /** Those of them that may take their value as the next argument. */
    private static final List<String> TAKES_VALUE = List.of("--enable-native-access", "--add-modules", "--add-opens",
            "--add-exports", "--add-reads");
    /** Options every worker gets before the caller's own. */
    static final List<String> DEFAULTS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx512m",
            "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning,aot*=off,cds*=off:stderr",
            "-Dfile.encoding=UTF-8");

    public WorkerCommand {
        command = List.copyOf(command);
    }

    /** A worker JVM like this one, with {@code extraOptions} added to its JVM options. */
    public static WorkerCommand likeThisJvm(List<String> extraOptions) {
        List<String> c = new ArrayList<>();
        c.add(javaExecutable());
        c.addAll(inheritedFlags(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        c.addAll(DEFAULTS);
        c.addAll(extraOptions);
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(WorkerMain.class.getName());
        return new WorkerCommand(c);
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The arguments of {@code jvmArguments} a worker must share, with their values. */
    static List<String> inheritedFlags(List<String> jvmArguments) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < jvmArguments.size(); i++) {
            String arg = jvmArguments.get(i);
            for (String flag : INHERITED) {
                if (arg.equals(flag) || arg.startsWith(flag + "=") || arg.startsWith(flag + ":")) {
                    out.add(arg);
                    if (arg.equals(flag) && TAKES_VALUE.contains(flag) && i + 1 < jvmArguments.size()) {
                        out.add(jvmArguments.get(++i));
                    }
                    break;
                }
            }
        }
        return out;
    }
}
