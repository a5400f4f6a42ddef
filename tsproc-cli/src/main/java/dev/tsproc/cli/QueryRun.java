package dev.tsproc.cli;

import dev.tsproc.exec.Executor;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.JobSpec;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.store.Store;
import picocli.CommandLine;

/** The query that {@code tsproc run}'s query options describe: checked, then made a job. */
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

    /** A query job over a store, and the spec its worker processes create it from (null on threads). */
    record Prepared(QueryJob job, JobSpec spec) {}

    /**
     * The query the options describe, over {@code store}.
     *
     * @throws CommandLine.ParameterException if the store cannot answer it (an unknown series, no
     *                                        series column) or it cannot go to worker processes
     */
    static Prepared prepare(CommandLine cli, Store store, QueryOptions options, Executor.Kind executor) {
        try {
            QueryJob job = QueryJob.on(store, options.spec());
            return new Prepared(job, executor == Executor.Kind.PROCESSES ? job.jobSpec().orElseThrow() : null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
    }

    /** The query in the command line's words, for reports: {@code query count,p99 by series every PT1M}. */
    static String describe(QuerySpec spec) {
        StringBuilder s = new StringBuilder("query ");
        s.append(String.join(",", spec.aggregates().stream().map(Aggregate::label).toList()));
        if (spec.bySeries()) {
            s.append(" by series");
        }
        if (spec.byTime()) {
            s.append(" every ").append(spec.bucket());
        }
        if (spec.fromNanos() != Long.MIN_VALUE) {
            s.append(" from ").append(QuerySpec.format(spec.fromNanos()));
        }
        if (spec.toNanos() != Long.MAX_VALUE) {
            s.append(" to ").append(QuerySpec.format(spec.toNanos()));
        }
        if (!spec.series().isEmpty()) {
            s.append(" of ").append(spec.series().size()).append(" series");
        }
        return s.toString();
    }
}
