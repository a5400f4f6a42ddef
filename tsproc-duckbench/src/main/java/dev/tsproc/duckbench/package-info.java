/**
 * Query benchmarks against DuckDB over the same data: the query engine's kernels and whole
 * queries beside DuckDB's, each stating what it measures and the command that runs it
 * (docs/BENCHMARKS.md). It uses tsproc-core; nothing uses it.
 */
package dev.tsproc.duckbench;
