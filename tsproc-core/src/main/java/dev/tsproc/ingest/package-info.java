/**
 * Sources of stores: the seeded {@link dev.tsproc.ingest.Generator} of the talk's workload and
 * other distributions, and the {@link dev.tsproc.ingest.ExportTable} the Arrow and Parquet writers
 * write; CSV import and export live in {@code ingest.csv}. It may use
 * {@code store}, {@code data} and {@code concurrent}, never the jobs or the executors.
 */
package dev.tsproc.ingest;
