/**
 * The library's front door: {@link dev.tsproc.Tsproc} opens a store and runs job requests and
 * jobs on it — resolving, planning and choosing the executor in one place — and
 * {@link dev.tsproc.Query} describes a query to run. It sits at the right end of the data path
 * and may use every stage (the CLI and the benchmarks go through it like any user).
 */
package dev.tsproc;
