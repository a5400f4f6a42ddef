package dev.tsproc.testkit;

import dev.tsproc.concurrent.NanoClock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test {@linkplain #advance advances} it, so a deadline, a
 * heartbeat silence or a grace period ends when the test says — not when a loaded machine
 * happens to be slow. Waits on it notice an advance within {@link NanoClock#WAIT_SLICE}.
 *
 * <p>Safe to read and advance from any thread.
 */
public final class ManualClock implements NanoClock {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves the clock forward by {@code step}, which must not be negative. */
    public void advance(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("step=" + step + " is negative: a monotonic clock only moves forward");
        }
        nanos.addAndGet(step.toNanos());
    }
}
