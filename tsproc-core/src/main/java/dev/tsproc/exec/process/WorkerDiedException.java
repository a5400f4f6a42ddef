package dev.tsproc.exec.process;

import java.io.IOException;

/**
 * A worker process ended, or broke its channel, while the coordinator still needed it. The
 * message says which worker, its exit status where known, and the end of its stderr.
 */
public final class WorkerDiedException extends IOException {
    private static final long serialVersionUID = 1L;

    public WorkerDiedException(String message, Throwable cause) {
        super(message, cause);
    }
}
