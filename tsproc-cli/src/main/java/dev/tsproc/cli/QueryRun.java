package dev.tsproc.cli;

import dev.tsproc.Query;
import dev.tsproc.Tsproc;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.store.Store;
import picocli.CommandLine;

import java.util.Locale;

/** Runs the query that {@code tsproc run}'s query options describe and prints it. */
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

    static int run(CommandLine cli, Store store, QueryOptions options, RunOptions run, OutputFormat format) throws Exception {
        QuerySpec spec;
        try {
            spec = options.spec();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
        Query query = Tsproc.of(store).query().spec(spec).options(run);
        RunResult<QueryResult> result;
        try {
            result = query.runMeasured();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
        QueryPrinter.print(result.result(), format, cli.getOut());
        double seconds = result.elapsed().toNanos() / 1e9;
        cli.getErr().printf(Locale.ROOT, "query over %,d rows in range in %.3f s: %d groups, %d batches on %d worker threads, %.1f M rows/s%n",
                result.rows(), seconds, result.result().rows().size(), result.batches(), result.workers(),
                seconds == 0 ? 0 : result.rows() / seconds / 1e6);
        return ExitCodes.OK;
    }
}
