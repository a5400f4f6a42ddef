package dev.tsproc.cli.command;

import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.Writer;

/** {@code --quiet}: no progress and no closing summary; warnings and errors are still shown. */
final class QuietOption {
    @Option(names = {"-q", "--quiet"}, description = "Show no progress and no closing summary line; warnings and errors"
            + " are still shown.")
    boolean quiet;

    /** Where a command's summary lines go: {@code err}, or nowhere when quiet. */
    PrintWriter summary(PrintWriter err) {
        return quiet ? new PrintWriter(Writer.nullWriter()) : err;
    }
}
