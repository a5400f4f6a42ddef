package dev.tsproc.cli.command;

import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.SharedSegments;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check of commands that use shared memory: segments left by runs that died
 * (killed, crashed), and files half-written there by commands that died, are removed before new
 * ones are made. Live runs and writers and other users' files are never touched. Cheap: a
 * directory listing and a lock probe per candidate.
 */
final class Sweep {
    private Sweep() {}

    /** Sweeps, telling {@code err} what was removed; a failure to sweep is reported, not fatal. */
    static void atStartup(PrintWriter err) {
        try {
            List<Path> removed = new ArrayList<>(SharedSegments.sweepStale());
            removed.addAll(AtomicFile.sweepAbandoned(SharedSegments.root()));
            if (!removed.isEmpty()) {
                err.println("tsproc: removed " + removed.size() + " item(s) left in shared memory by tsproc commands that died: " + removed);
            }
        } catch (IOException e) {
            err.println("tsproc: could not check " + SharedSegments.root() + " for segments left by dead runs: " + e.getMessage());
        }
    }
}
