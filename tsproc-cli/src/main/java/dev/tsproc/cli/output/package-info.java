/**
 * What the command line writes to the terminal: answers as a table, CSV or JSON, the progress
 * bar, and the coloured (or JSON) event log. Uses tsproc-core only.
 */
package dev.tsproc.cli.output;
