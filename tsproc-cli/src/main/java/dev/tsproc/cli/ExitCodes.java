package dev.tsproc.cli;

/**
 * The documented exit codes of the {@code tsproc} command (docs/FAILURES.md lists them with
 * the reports that go with them).
 */
final class ExitCodes {
    private ExitCodes() {}

    /** Success. */
    static final int OK = 0;
    /** The work failed: bad input file, failed batches, I/O error. */
    static final int FAILED = 1;
    /** The command line was wrong. */
    static final int USAGE = 2;
    /** The job missed its {@code --timeout}. */
    static final int TIMED_OUT = 3;
    /** Ctrl-C (SIGINT): 128 + 2. */
    static final int INTERRUPTED = 130;
    /** SIGTERM: 128 + 15; set by the JVM itself once cleanup has finished. */
    static final int TERMINATED = 143;
}
