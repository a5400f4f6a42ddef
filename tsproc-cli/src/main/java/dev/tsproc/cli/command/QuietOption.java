package dev.tsproc.cli.command;

import picocli.CommandLine.Option;

/** {@code --quiet}: no progress output. */
final class QuietOption {
    @Option(names = {"-q", "--quiet"}, description = "Show no progress.")
    boolean quiet;
}
