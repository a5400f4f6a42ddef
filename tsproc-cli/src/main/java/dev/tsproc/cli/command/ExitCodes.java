package dev.tsproc.cli.command;

/**
 * The documented exit codes of the {@code tsproc} command (docs/FAILURES.md lists them with
 * the reports that go with them).
 */
public final class ExitCodes {
    private ExitCodes() {}

    /** Success. */
    public static final int OK = 0;
    /** The work failed: bad input file, failed batches, I/O error. */
    public static final int FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** The job missed its {@code --timeout}. */
    public static final int TIMED_OUT = 3;
    /** Ctrl-C (SIGINT): 128 + 2. */
    public static final int INTERRUPTED = 130;
    /** SIGTERM: 128 + 15; set by the JVM itself once cleanup has finished. */
    public static final int TERMINATED = 143;
}
