/**
 * The {@code tsproc} command line: picocli commands, option checks, the mapping of errors to
 * one sentence and an exit code, terminal progress and colour, the HTML report and the status
 * endpoint. It depends on tsproc-core and on nothing that depends on it.
 */
package dev.tsproc.cli;
