package dev.tsproc.exec;

import java.util.Locale;

/** How a batch's rows reach the worker that computes on them. */
public enum Transfer {
    /**
     * Metadata only: the worker gets (store, batch offset, row count) and reads the rows where
     * they are, in the memory-mapped store that every worker shares. The default.
     */
    SHARED,
    /**
     * The batch's column bytes are copied to the worker, which computes on its own copy — the
     * baseline the talk warns about, kept to show what copying costs.
     */
    COPY;

    /** The name used on the command line and in reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
