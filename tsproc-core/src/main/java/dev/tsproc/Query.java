package dev.tsproc;

import dev.tsproc.exec.Executor;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.job.TimeBuckets;
import dev.tsproc.plan.JobRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A query being built: the Java twin of {@code tsproc run FILE --agg … --by series --every …
 * --from … --to … --series …}. Obtained from {@link Tsproc#query()}.
 *
 * {@snippet class=dev.tsproc.TsprocExamples region=query}
 *
 * <p>Each method sets one part and returns this builder; {@link #run()} may be called more than
 * once. Not thread-safe: build on one thread (the run itself uses all the workers asked for).
 * The answer is bit-identical for any worker count (see {@link QueryJob}).
 */
public final class Query {
    private final Tsproc tsproc;
    private final List<Aggregate> aggregates = new ArrayList<>();
    private boolean bySeries;
    private TimeBuckets buckets;
    private long fromNanos = Long.MIN_VALUE;
    private long toNanos = Long.MAX_VALUE;
    private final List<String> series = new ArrayList<>();
    private boolean exactPercentiles;
    private RunOptions options = RunOptions.defaults();

    Query(Tsproc tsproc) {
        this.tsproc = tsproc;
    }

    /** Sets every part of the query from {@code spec} (aggregates added to any already set). */
    public Query spec(QuerySpec spec) {
        aggregates.addAll(spec.aggregates());
        bySeries = spec.bySeries();
        buckets = spec.buckets();
        fromNanos = spec.fromNanos();
        toNanos = spec.toNanos();
        series.addAll(spec.series());
        exactPercentiles = spec.exactPercentiles();
        return this;
    }

    /** Adds aggregates to compute, in output order. Without any, {@link Aggregate#STATS}. */
    public Query agg(Aggregate... aggregates) {
        this.aggregates.addAll(Arrays.asList(aggregates));
        return this;
    }

    /** Adds aggregates by name, as on the command line: {@code "count,mean,p99"}. */
    public Query agg(String names) {
        aggregates.addAll(Aggregate.parseList(names));
        return this;
    }

    /** Groups by series. */
    public Query bySeries() {
        this.bySeries = true;
        return this;
    }

    /** Groups by tumbling time buckets of {@code width}, aligned to the epoch. */
    public Query every(Duration width) {
        if (width.isNegative() || width.isZero()) {
            throw new IllegalArgumentException("bucket width " + width + " must be positive");
        }
        this.buckets = TimeBuckets.fixed(width.toNanos(), 0);
        return this;
    }

    /** Groups by {@code buckets}: e.g. calendar days in a time zone, {@link TimeBuckets#calendar}. */
    public Query every(TimeBuckets buckets) {
        this.buckets = Objects.requireNonNull(buckets, "buckets");
        return this;
    }

    /** Keeps rows at or after {@code from}. */
    public Query from(Instant from) {
        this.fromNanos = nanos(from);
        return this;
    }

    /** Keeps rows before {@code to}. */
    public Query to(Instant to) {
        this.toNanos = nanos(to);
        return this;
    }

    /** Keeps rows with {@code fromNanos <= ts < toNanos}, epoch nanoseconds. */
    public Query between(long fromNanos, long toNanos) {
        this.fromNanos = fromNanos;
        this.toNanos = toNanos;
        return this;
    }

    /** Keeps only the named series. */
    public Query series(String... names) {
        series.addAll(Arrays.asList(names));
        return this;
    }

    /** Computes percentiles exactly, keeping every value in memory, instead of through the sketch. */
    public Query exactPercentiles() {
        this.exactPercentiles = true;
        return this;
    }

    /** Runs on {@code workers} worker threads. */
    public Query workers(int workers) {
        options = options.withWorkers(workers);
        return this;
    }

    /**
     * Runs on worker threads of this JVM (the default) or on worker processes, JVMs of their own
     * that map the same store (the answer is the same bits either way).
     */
    public Query executor(Executor.Kind executor) {
        options = options.withExecutor(executor);
        return this;
    }

    /** Cuts batches of {@code batchRows} rows (the answer does not depend on it). */
    public Query batchRows(long batchRows) {
        options = options.withBatchRows(batchRows);
        return this;
    }

    /** Runs with {@code options}: workers, batch size, failure policy, and whatever else they carry. */
    public Query options(RunOptions options) {
        this.options = options;
        return this;
    }

    /** The query as a plain spec, e.g. to send as a {@link JobRequest#query(QuerySpec)}. */
    public QuerySpec spec() {
        return new QuerySpec(aggregates.isEmpty() ? Aggregate.STATS : aggregates, bySeries, buckets,
                fromNanos, toNanos, series, exactPercentiles);
    }

    /**
     * Runs the query and returns its rows.
     *
     * @throws IllegalArgumentException if the query names a series the store lacks, or groups by
     *                                  series on a store without them
     * @throws JobFailedException       if a batch failed
     * @throws JobTimedOutException     if the run missed its deadline
     * @throws InterruptedException     if the calling thread was interrupted; all workers have ended
     */
    public QueryResult run() throws JobFailedException, JobTimedOutException, InterruptedException {
        return runMeasured().result();
    }

    /** As {@link #run()}, with the rows, batches, workers and time the run took. */
    public RunResult<QueryResult> runMeasured() throws JobFailedException, JobTimedOutException, InterruptedException {
        QuerySpec spec = spec();
        return tsproc.run(QueryJob.on(tsproc.store(), spec), JobRequest.query(spec), options);
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }
}
