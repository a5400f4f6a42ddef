/**
 * The live status endpoint: a small HTTP server on loopback that answers {@code /status}
 * (JSON) and {@code /metrics} (Prometheus) from a run's live state. Uses tsproc-core only.
 */
package dev.tsproc.cli.status;
