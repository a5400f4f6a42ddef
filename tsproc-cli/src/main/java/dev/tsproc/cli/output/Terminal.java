package dev.tsproc.cli.output;

import java.io.Console;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether standard error is a terminal, which decides between a progress bar and plain lines.
 *
 * <p>{@link System#console()} cannot say: it describes standard input and output, and a user who
 * sends results to a file ({@code --format csv > out.csv}) still watches standard error. So this
 * asks the C library's {@code isatty(2)} through the foreign-function API. That needs native
 * access, which {@code bin/tsproc} grants ({@code --enable-native-access=ALL-UNNAMED}); a JVM
 * started without it, or a C library without {@code isatty}, falls back to the console's answer
 * rather than print the JDK's warning about restricted methods.
 */
public final class Terminal {
    private static final int STANDARD_OUTPUT = 1;
    private static final int STANDARD_ERROR = 2;
    private static volatile Boolean standardError;

    private Terminal() {}

    /** Whether standard error is a terminal that understands control codes ({@code TERM} is not {@code dumb}). */
    static boolean isStandardError() {
        Boolean answer = standardError;
        if (answer == null) {
            standardError = answer = !"dumb".equals(System.getenv("TERM")) && isTerminal(STANDARD_ERROR);
        }
        return answer;
    }

    /** Whether standard output is a terminal, where a binary result is of no use. */
    public static boolean isStandardOutput() {
        return isTerminal(STANDARD_OUTPUT);
    }

    @SuppressWarnings("restricted") // only where native access was granted (checked first)
    private static boolean isTerminal(int fd) {
        if (Terminal.class.getModule().isNativeAccessEnabled()) {
            Linker linker = Linker.nativeLinker();
            var isatty = linker.defaultLookup().find("isatty");
            if (isatty.isPresent()) {
                MethodHandle call = linker.downcallHandle(isatty.get(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                try {
                    return (int) call.invokeExact(fd) == 1;
                } catch (Throwable e) {
                    throw new IllegalStateException("isatty failed", e); // a downcall of a plain C function does not throw
                }
            }
        }
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
