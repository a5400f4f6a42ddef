package dev.tsproc.concurrent;

import java.time.Duration;

/**
 * A source of monotonic nanosecond time: what deadlines, heartbeats and timings ask instead of
 * calling {@link System#nanoTime()} themselves, so a test can advance time instead of sleeping
 * (as Caffeine's {@code Ticker} and Agrona's {@code NanoClock}).
 *
 * <p>Only differences between two readings of one clock mean anything, as with
 * {@link System#nanoTime()}. Implementations must be safe to read from any thread.
 *
 * <p><b>Blocking waits.</b> A thread can only block in real time — a poll on a queue, a wait
 * for a process, a sleep — while its deadline is on this clock. So a wait with a deadline
 * blocks for {@link #realWaitNanos} of what is left, reads the clock again, and goes on until
 * the clock has passed the deadline: on {@link #SYSTEM} that is one wait for all that is left;
 * on any other clock (a test's, advanced by hand) slices of at most {@link #WAIT_SLICE}, so an
 * advance is seen within a slice.
 */
@FunctionalInterface
public interface NanoClock {
    /** The longest a wait on a clock other than {@link #SYSTEM} blocks before it reads the clock again. */
    Duration WAIT_SLICE = Duration.ofMillis(10);

    /** The JVM's monotonic clock. */
    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long realWaitNanos(long remainingNanos) {
            return Math.max(0, remainingNanos);
        }
    };

    /** The current reading, in nanoseconds. */
    long nanoTime();

    /**
     * How long a blocking wait should block, in real nanoseconds, when {@code remainingNanos} of
     * this clock's time are left before its deadline: never negative, and at most
     * {@link #WAIT_SLICE} unless this clock is real time.
     */
    default long realWaitNanos(long remainingNanos) {
        return Math.clamp(remainingNanos, 0, WAIT_SLICE.toNanos());
    }
}
