/**
 * The HTML report: one or more runs' timelines drawn as a Gantt chart of workers over time,
 * self-contained (its script and style are resources beside the class). Uses tsproc-core only.
 */
package dev.tsproc.cli.report;
