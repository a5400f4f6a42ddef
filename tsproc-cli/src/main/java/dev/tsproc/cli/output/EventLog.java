package dev.tsproc.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.RunListener;
import dev.tsproc.data.Batch;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The talk's per-process log ({@code --log}): one line per event with the worker's name in its
 * own colour, seconds since start, the event, the batch and its rows, and memory.
 *
 * <p>Events come as they happen — a batch queued, its computation started, its result received
 * (with when its worker had the data and finished computing), retried, failed — and in time
 * order, as the run tells them. Colour only on a terminal and only when {@code NO_COLOR} is
 * unset (no-color.org); with {@code --log-format json}, one JSON object per line for machines.
 *
 * <p>Events arrive on the threads that compute; they are only queued there, and one thread of
 * the log's own formats and writes them, so a slow terminal or pipe never stalls a batch (a
 * synchronous log cost 30% of a 0.4 s run; see BENCHMARKS.md). {@link #close()} writes what is
 * queued and stops that thread.
 */
public final class EventLog implements RunListener, AutoCloseable {
    public enum Format { text, json }

    /**
     * One line of the log.
     *
     * @param times  the batch's times and memory, for a result; {@code null} for other events
     * @param detail an error for retried and failed batches, else empty
     */
    record Line(String event, long atNanos, Batch batch, String worker, int attempt, BatchTimes times, String detail) {}

    private static final String[] PALETTE = {"\u001b[36m", "\u001b[33m", "\u001b[35m", "\u001b[32m", "\u001b[34m", "\u001b[31m",
            "\u001b[96m", "\u001b[93m", "\u001b[95m", "\u001b[92m"};
    private static final String RESET = "\u001b[0m";
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintWriter out;
    private final Format format;
    private final boolean colour;
    private final Map<String, String> colours = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Line> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    public EventLog(PrintWriter out, Format format, boolean colour) {
        this.out = out;
        this.format = format;
        this.colour = colour;
        this.writer = Thread.ofPlatform().daemon().name("tsproc-log").start(this::write);
    }

    /** Whether to colour: a terminal, and NO_COLOR unset or empty. */
    public static boolean colourWanted() {
        String noColor = System.getenv("NO_COLOR");
        return Progress.mode(false) == Progress.Mode.BAR && (noColor == null || noColor.isEmpty());
    }

    @Override
    public void queued(Batch batch, String worker, int attempt, long atNanos) {
        queue.add(new Line("batch queued", atNanos, batch, worker, attempt, null, ""));
    }

    @Override
    public void computing(Batch batch, String worker, int attempt, long atNanos) {
        queue.add(new Line("compute started", atNanos, batch, worker, attempt, null, ""));
    }

    @Override
    public void finished(BatchTimes t) {
        queue.add(new Line("result received", t.resultReceived(), t.batch(), t.worker(), t.attempt(), t, ""));
    }

    @Override
    public void retried(Batch batch, String worker, int attempt, long atNanos, String error) {
        queue.add(new Line("retried", atNanos, batch, worker, attempt, null, error));
    }

    @Override
    public void failed(Batch batch, String worker, int attempt, long atNanos, String error) {
        queue.add(new Line("failed", atNanos, batch, worker, attempt, null, error));
    }

    private void write() {
        List<Line> ready = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Line first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                ready.add(first);
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(ready);
            for (Line e : ready) {
                out.println(format == Format.json ? json(e) : text(e));
            }
            ready.clear();
            out.flush();
        }
    }

    /** Writes every queued event, then stops the writer thread. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Line e; (e = queue.poll()) != null; ) {
            out.println(format == Format.json ? json(e) : text(e));
        }
        out.flush();
    }

    String text(Line e) {
        StringBuilder line = new StringBuilder(96);
        pad(line, seconds(e.atNanos()), -10);
        line.append(' ');
        if (colour) {
            line.append(colours.computeIfAbsent(e.worker(), w -> PALETTE[colours.size() % PALETTE.length]));
        }
        pad(line, e.worker(), 10);
        if (colour) {
            line.append(RESET);
        }
        line.append(' ');
        pad(line, e.event(), 16);
        line.append(" batch ").append(e.batch().index()).append(" rows ").append(e.batch().rowOffset()).append("..")
                .append(e.batch().rowEnd() - 1);
        if (e.attempt() > 1) {
            line.append(" attempt ").append(e.attempt());
        }
        BatchTimes t = e.times();
        if (t != null) {
            line.append(String.format(Locale.ROOT, "  computed %.1f ms", t.computeNanos() / 1e6));
            if (t.heapBytes() >= 0) {
                line.append("  heap ").append(Math.round(t.heapBytes() / 1e6)).append(" MB");
            }
            if (t.rssBytes() >= 0) {
                line.append(" rss ").append(Math.round(t.rssBytes() / 1e6)).append(" MB");
            }
            if (t.privateBytes() >= 0) {
                line.append(" private ").append(Math.round(t.privateBytes() / 1e6)).append(" MB");
            }
        }
        if (!e.detail().isEmpty()) {
            line.append("  ").append(e.detail());
        }
        return line.toString();
    }

    /** Nanoseconds as seconds with three decimals, rounded: {@code 1.500s}. */
    private static String seconds(long nanos) {
        long millis = Math.floorDiv(nanos + 500_000, 1_000_000);
        return Math.floorDiv(millis, 1000) + "." + String.valueOf(1000 + Math.floorMod(millis, 1000)).substring(1) + "s";
    }

    /** Appends {@code text} padded to {@code width}: on the right if positive, on the left if negative. */
    private static void pad(StringBuilder line, String text, int width) {
        int spaces = Math.max(0, Math.abs(width) - text.length());
        if (width < 0) {
            line.repeat(' ', spaces).append(text);
        } else {
            line.append(text).repeat(' ', spaces);
        }
    }

    static String json(Line e) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeNumberField("t", e.atNanos() / 1e9);
            json.writeStringField("event", e.event());
            json.writeStringField("worker", e.worker());
            json.writeNumberField("batch", e.batch().index());
            json.writeNumberField("rowOffset", e.batch().rowOffset());
            json.writeNumberField("rows", e.batch().rowCount());
            json.writeNumberField("attempt", e.attempt());
            BatchTimes t = e.times();
            if (t != null) {
                json.writeNumberField("queued", t.queued() / 1e9);
                json.writeNumberField("received", t.received() / 1e9);
                json.writeNumberField("computeStart", t.computeStart() / 1e9);
                json.writeNumberField("computeEnd", t.computeEnd() / 1e9);
                json.writeNumberField("heapBytes", t.heapBytes());
                json.writeNumberField("rssBytes", t.rssBytes());
                json.writeNumberField("privateBytes", t.privateBytes());
            }
            if (!e.detail().isEmpty()) {
                json.writeStringField("detail", e.detail());
            }
            json.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return text.toString();
    }
}
