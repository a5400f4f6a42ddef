package dev.tsproc.cli.command;

import picocli.CommandLine;

/** Checks the query that {@code tsproc run}'s query options describe before any work. */
final class QueryRun {
    private QueryRun() {}

    /**
     * Fails with a usage error, before any work, if the query options are wrong or given with
     * {@code --job}; does nothing without query options.
     */
    static void check(CommandLine cli, QueryOptions options) {
        if (!options.isQuery()) {
            return;
        }
        if (cli.getParseResult().hasMatchedOption("--job")) {
            throw new CommandLine.ParameterException(cli, "--job and the query options (--agg, --by, --every, …) exclude each other");
        }
        try {
            options.spec();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
    }
}
