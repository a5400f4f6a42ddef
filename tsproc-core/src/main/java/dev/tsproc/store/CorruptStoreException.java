package dev.tsproc.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file is not a readable tsproc store: foreign, truncated, or damaged.
 *
 * <p>The message is one sentence naming the file and the field that failed
 * ({@code rowCount=-3}), suitable to show a user as is.
 */
public final class CorruptStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptStoreException(Path file, String problem) {
        super(file + " is not a valid tsproc store: " + problem);
    }
}
