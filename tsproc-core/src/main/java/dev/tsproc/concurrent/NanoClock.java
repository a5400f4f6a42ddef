package dev.tsproc.concurrent;

/**
 * A source of monotonic nanosecond time: what deadlines, heartbeats and timings ask instead of
 * calling {@link System#nanoTime()} themselves, so a test can advance time instead of sleeping
 * (as Caffeine's {@code Ticker} and Agrona's {@code NanoClock}).
 *
 * <p>Only differences between two readings of one clock mean anything, as with
 * {@link System#nanoTime()}. Implementations must be safe to read from any thread.
 */
@FunctionalInterface
public interface NanoClock {
    /** The JVM's monotonic clock. */
    NanoClock SYSTEM = System::nanoTime;

    /** The current reading, in nanoseconds. */
    long nanoTime();
}
