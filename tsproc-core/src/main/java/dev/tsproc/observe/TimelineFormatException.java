package dev.tsproc.observe;

import java.io.IOException;

/** A file given as a saved timeline is not one: bad input, said in one sentence, not an I/O failure. */
public final class TimelineFormatException extends IOException {
    public TimelineFormatException(String message) {
        super(message);
    }
}
