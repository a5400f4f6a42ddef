package dev.tsproc.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A store's path no longer names the file a run began with: it was replaced, or rewritten in
 * place, while the run was reading it. A run that went on would combine parts of two stores
 * into one answer, so it fails instead, and a retry cannot help.
 *
 * <p>The message is one sentence naming the file, suitable to show a user as is.
 */
public final class StoreChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreChangedException(Path file, String reader) {
        super(file + " was replaced or changed while the job was reading it (" + reader
                + " found another file there); no answer is given");
    }
}
