/**
 * Benchmarks of tsproc against its floor (what the hardware allows) and its peers (DuckDB,
 * plain Java): JMH benchmarks and side-by-side comparisons, each stating what it measures and
 * the command that runs it; docs/BENCHMARKS.md records the figures. It uses tsproc-core (and
 * the CLI where a benchmark runs a command); nothing uses it.
 */
package dev.tsproc.bench;
