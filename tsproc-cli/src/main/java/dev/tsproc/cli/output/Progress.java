package dev.tsproc.cli.output;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows the progress of long work on stderr: rows done, rows per second, elapsed time and ETA.
 *
 * <p>On a terminal it redraws one bar in place ten times a second. Anywhere else (a pipe, a CI
 * log) control codes would be noise, so it prints a plain line every few seconds instead.
 * {@code --quiet} silences both. Written here rather than taken from a library because the
 * bar is twenty lines and the one candidate (progressbar) drags in JLine for them.
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

    private final String label;
    private final long total;
    private final String unit;
    private final Mode mode;
    private final PrintWriter err;
    private final AtomicLong done = new AtomicLong();
    /** Rows done, shown beside a count of another unit (an import counts bytes); -1 until told. */
    private final AtomicLong rowsDone = new AtomicLong(-1);
    private final long startNanos = System.nanoTime();
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
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.mode = mode;
        this.err = err;
        this.drawer = mode == Mode.QUIET ? null : Thread.ofPlatform().daemon().name("tsproc-progress").start(this::draw);
    }

    /** The mode for this process: a bar on a terminal, plain lines elsewhere, nothing when quiet. */
    public static Mode mode(boolean quiet) {
        if (quiet) {
            return Mode.QUIET;
        }
        var console = System.console();
        boolean terminal = console != null && console.isTerminal() && !"dumb".equals(System.getenv("TERM"));
        return terminal ? Mode.BAR : Mode.LINES;
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
        String status = status(done.get(), (System.nanoTime() - startNanos) / 1e9);
        if (mode == Mode.BAR) {
            err.print("\r" + status + (last ? "\n" : ""));
        } else if (!last) {
            err.println(label + ": " + status);
        }
        err.flush();
    }

    /** Prints {@code line} on a line of its own; on a terminal, over the bar, which the next tick draws again below it. */
    public synchronized void message(String line) {
        err.println((mode == Mode.BAR ? "\r\033[K" : "") + line);
        err.flush();
    }

    /** One status text: bar, percentage, count (and rows, if told), rate, elapsed and, for a known total, remaining time. */
    String status(long rows, double seconds) {
        boolean known = total > 0;
        double fraction = known ? Math.min(1, (double) rows / total) : 0;
        double rate = seconds > 0 ? rows / seconds : 0;
        String eta = known && rate > 0 && rows < total ? clock((total - rows) / rate) : "--:--";
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

    /** Stops drawing; on a terminal, leaves the final state of the bar on its own line. */
    @Override
    public void close() {
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
