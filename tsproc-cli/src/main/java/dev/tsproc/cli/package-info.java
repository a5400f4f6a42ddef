/**
 * The {@code tsproc} command line: {@link dev.tsproc.cli.Main} builds the picocli command tree
 * from {@code command} and runs it; {@code AotTraining}, the run {@code bin/tsproc} records its
 * start-up cache from, sits beside it, and so does {@code ClassFileUpgrade}, the build step that
 * lets that cache hold picocli. The module depends on tsproc-core and on nothing that
 * depends on it.
 *
 * <p>Its packages depend in one direction (an ArchUnit test says so):
 * {@code cli} → {@code cli.command} → {@code cli.output}, {@code cli.report},
 * {@code cli.status} → tsproc-core.
 */
package dev.tsproc.cli;
