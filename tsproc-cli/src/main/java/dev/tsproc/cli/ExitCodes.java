package dev.tsproc.cli;

/** The documented exit codes of the {@code tsproc} command. */
final class ExitCodes {
    private ExitCodes() {}

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int INTERRUPTED = 130;
}
