package dev.tsproc.exec.process;

import java.io.IOException;

/**
 * A message on a worker channel was malformed, truncated, oversized or out of place; the
 * message says which field had which value. The channel cannot be trusted after it: the side
 * that reads one ends the conversation.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
