package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The start-up check of commands that use shared memory: segments left by runs that died
 * (killed, crashed) are removed before new ones are made. Runs still alive and other users'
 * segments are never touched. Cheap: one directory listing and a lock probe per run.
 */
final class Sweep {
    private Sweep() {}

    /** Sweeps, telling {@code err} what was removed; a failure to sweep is reported, not fatal. */
    static void atStartup(PrintWriter err) {
        try {
            List<Path> removed = SharedSegments.sweepStale();
            if (!removed.isEmpty()) {
                err.println("tsproc: removed " + removed.size() + " shared-memory segment(s) left by runs that died: " + removed);
            }
        } catch (IOException e) {
            err.println("tsproc: could not check " + SharedSegments.root() + " for segments left by dead runs: " + e.getMessage());
        }
    }
}
