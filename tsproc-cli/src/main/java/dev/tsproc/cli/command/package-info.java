/**
 * One class per {@code tsproc} subcommand, and what they share: the option mixins
 * ({@code --quiet}, {@code --verbose}, query and observing options), option checks, the
 * documented exit codes, and the mapping of an error to one sentence and an exit code. May use
 * {@code cli.output}, {@code cli.report} and {@code cli.status}; none of those uses it.
 */
package dev.tsproc.cli.command;
