package dev.tsproc.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process, built as {@link Main#main} builds it, and captures what it prints. */
record Cli(int exitCode, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** Whether stderr is exactly one line (a single clear message) without a stack trace. */
    boolean oneLineError() {
        return err.strip().lines().count() == 1 && !err.contains("\tat ");
    }
}
