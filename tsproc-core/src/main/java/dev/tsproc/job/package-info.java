/**
 * Jobs: the {@link dev.tsproc.job.Job} API (map a batch view to a partial, combine partials in
 * batch order), the one aggregation engine behind the built-in jobs and queries, exact sums,
 * percentile sketches and the binary forms of partials that cross a process boundary. It may
 * use {@code ingest}, {@code store}, {@code data} and {@code concurrent}, never the executors.
 */
package dev.tsproc.job;
