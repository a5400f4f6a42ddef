package dev.tsproc.cli.command;

import picocli.CommandLine.Option;

/** {@code --verbose}: stack traces with errors. Mixed into every command. */
final class VerboseOption {
    @Option(names = "--verbose", description = "Show stack traces with errors.")
    boolean verbose;
}
