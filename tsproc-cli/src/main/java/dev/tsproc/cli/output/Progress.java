package dev.tsproc.cli.output;

import dev.tsproc.concurrent.NanoClock;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows the progress of long work on stderr: rows done, rows per second, elapsed time and ETA.
 *
 * <p>When standard error is a terminal ({@link Terminal}) — whatever standard output is, since
 * results are usually redirected to a file — it redraws one bar in place ten times a second.
 * Anywhere else (a pipe, a CI log) control codes would be noise, so it prints a plain line every
 * few seconds instead. {@code --quiet} silences both. Written here rather than taken from a
 * library because the bar is twenty lines and the one candidate (progressbar) drags in JLine for
 * them.
 *
 * <p>The ETA divides what is left by the pace of the last {@value #PACE_WINDOW_SECONDS} seconds,
 * leaving out the first {@value #WARMUP_SECONDS} second: start-up (opening files, the JIT
 * compiling the hot loops) runs far slower than the rest, and an estimate from it is minutes off
 * for work done in seconds. Until a second of settled pace is seen, the ETA shows {@code --:--}.
 *
 * <p>Thread safety: {@link #advanceTo} may be called from any thread; drawing happens on a
 * daemon thread of its own, so a slow terminal never slows the work.
 */
public final class Progress implements AutoCloseable {
    /** How the bar is shown. */
    public enum Mode { BAR, LINES, QUIET }

    private static final long BAR_PERIOD_MILLIS = 100;
    private static final long LINE_PERIOD_MILLIS = 5_000;
    private static final int BAR_WIDTH = 30;
    static final int WARMUP_SECONDS = 1;
    static final int PACE_WINDOW_SECONDS = 5;
    private static final long WARMUP_NANOS = WARMUP_SECONDS * 1_000_000_000L;
    private static final long PACE_WINDOW_NANOS = PACE_WINDOW_SECONDS * 1_000_000_000L;
    /** Shortest span of settled samples the pace is taken from. */
    private static final long MIN_PACE_NANOS = 1_000_000_000L;

    private final String label;
    private final long total;
    private final String unit;
    private final Mode mode;
    private final PrintWriter err;
    private final AtomicLong done = new AtomicLong();
    /** Rows done, shown beside a count of another unit (an import counts bytes); -1 until told. */
    private final AtomicLong rowsDone = new AtomicLong(-1);
    private final NanoClock clock;
    private final long startNanos;
    /** Samples (nanoseconds since the start, units done) from the end of the warm-up on, at most a window old. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private final Thread drawer;
    private volatile boolean closed;

    public Progress(String label, long total, Mode mode, PrintWriter err) {
        this(label, total, "rows", mode, err);
    }

    /**
     * @param total how many {@code unit}s the work has, or 0 if unknown (a gzip file's text):
     *              then no percentage or ETA is shown
     */
    public Progress(String label, long total, String unit, Mode mode, PrintWriter err) {
        this(label, total, unit, mode, err, NanoClock.SYSTEM);
    }

    /** As above, timed on {@code clock}: a test's, advanced by hand. */
    Progress(String label, long total, String unit, Mode mode, PrintWriter err, NanoClock clock) {
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.mode = mode;
        this.err = err;
        this.drawer = mode == Mode.QUIET ? null : Thread.ofPlatform().daemon().name("tsproc-progress").start(this::draw);
    }

    /** The mode for this process: a bar when standard error is a terminal, plain lines elsewhere, nothing when quiet. */
    public static Mode mode(boolean quiet) {
        if (quiet) {
            return Mode.QUIET;
        }
        return Terminal.isStandardError() ? Mode.BAR : Mode.LINES;
    }

    /** Records that {@code rows} rows are done in total. */
    public void advanceTo(long rows) {
        done.accumulateAndGet(rows, Math::max);
    }

    /** Records that {@code count} units and {@code rowCount} rows are done, for work counted in a unit other than rows. */
    public void advanceTo(long count, long rowCount) {
        advanceTo(count);
        rowsDone.accumulateAndGet(rowCount, Math::max);
    }

    private void draw() {
        long period = mode == Mode.BAR ? BAR_PERIOD_MILLIS : LINE_PERIOD_MILLIS;
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                print(false);
            }
        }
    }

    private synchronized void print(boolean last) {
        String status = tick();
        if (mode == Mode.BAR) {
            err.print("\r" + status + (last ? "\n" : ""));
        } else if (!last) {
            err.println(label + ": " + status);
        }
        err.flush();
    }

    /** Prints {@code line} on a line of its own; on a terminal, over the bar, which the next tick draws again below it. */
    public synchronized void message(String line) {
        err.println((mode == Mode.BAR ? CLEAR_LINE : "") + line);
        err.flush();
    }

    /** Carriage return, then erase the line: what a line printed where a bar may be drawn starts with. */
    private static final String CLEAR_LINE = "\r\033[K";

    /**
     * A stream for another library's console log (Spark's) while a bar may be drawn on a terminal:
     * each complete line goes to {@code err} in one write that first clears the bar's line, so a
     * log line never lands on the end of the bar; the next tick draws the bar again below it.
     */
    public static PrintStream linesOverTheBar(PrintWriter err) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        return new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                if (b != '\n') {
                    line.write(b);
                    return;
                }
                err.print(CLEAR_LINE + line.toString(StandardCharsets.UTF_8) + System.lineSeparator());
                err.flush();
                line.reset();
            }
        }, true, StandardCharsets.UTF_8);
    }

    /** Samples the work done now and returns the status text: what each redraw prints. */
    synchronized String tick() {
        long elapsedNanos = clock.nanoTime() - startNanos;
        long rows = done.get();
        if (elapsedNanos >= WARMUP_NANOS) {
            samples.addLast(new long[] {elapsedNanos, rows});
            while (elapsedNanos - samples.getFirst()[0] > PACE_WINDOW_NANOS) {
                samples.removeFirst();
            }
        }
        return status(rows, elapsedNanos / 1e9);
    }

    /**
     * The seconds left at the pace of the settled samples, or -1 while there is no such pace:
     * less than {@link #MIN_PACE_NANOS} of them, or no progress in them.
     */
    private double secondsLeft(long rows) {
        if (samples.size() < 2) {
            return -1;
        }
        long[] first = samples.getFirst();
        long[] last = samples.getLast();
        long spanNanos = last[0] - first[0];
        if (spanNanos < MIN_PACE_NANOS || last[1] <= first[1]) {
            return -1;
        }
        return (total - rows) * (spanNanos / 1e9) / (last[1] - first[1]);
    }

    /** One status text: bar, percentage, count (and rows, if told), rate, elapsed and, for a known total, remaining time. */
    private String status(long rows, double seconds) {
        boolean known = total > 0;
        double fraction = known ? Math.min(1, (double) rows / total) : 0;
        double rate = seconds > 0 ? rows / seconds : 0;
        double left = known && rows < total ? secondsLeft(rows) : -1;
        String eta = left >= 0 ? clock(left) : "--:--";
        StringBuilder text = new StringBuilder();
        if (mode == Mode.BAR) {
            int filled = (int) (fraction * BAR_WIDTH);
            text.append(label).append(" [").append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
        }
        if (known) {
            text.append(String.format(Locale.ROOT, "%3.0f%% %,d/%,d %s, ", fraction * 100, rows, total, unit));
        } else {
            text.append(String.format(Locale.ROOT, "%,d %s, ", rows, unit));
        }
        long rowCount = rowsDone.get();
        if (rowCount >= 0) {
            text.append(String.format(Locale.ROOT, "%,d rows, ", rowCount));
        }
        text.append(String.format(Locale.ROOT, "%.1f M %s/s, elapsed %s", rate / 1e6, unit, clock(seconds)));
        if (known) {
            text.append(", ETA ").append(eta);
        }
        return text.toString();
    }

    private static String clock(double seconds) {
        long s = (long) seconds;
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /**
     * Stops drawing; on a terminal, leaves the final state of the bar on its own line, so what
     * follows starts a line of its own. Closing again does nothing (the owner of a run's progress
     * closes it as the run ends, before the answer is printed, and again on the way out).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (drawer != null) {
            drawer.interrupt();
            try {
                drawer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            print(true);
        }
    }
}
