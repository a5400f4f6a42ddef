package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.observe.Event;
import dev.tsproc.observe.RunListener;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The talk's per-process log ({@code --log}): one line per event with the worker's name in its
 * own colour, seconds since start, the event, the batch and its rows, and memory.
 *
 * <p>Colour only on a terminal and only when {@code NO_COLOR} is unset (no-color.org); with
 * {@code --log-format json}, one JSON object per line for machines.
 *
 * <p>Events arrive on the threads that compute; they are only queued there, and one thread of
 * the log's own formats and writes them, so a slow terminal or pipe never stalls a batch (a
 * synchronous log cost 30% of a 0.4 s run; see BENCHMARKS.md). {@link #close()} writes what is
 * queued and stops that thread.
 */
final class EventLog implements RunListener, AutoCloseable {
    enum Format { text, json }

    private static final String[] PALETTE = {"\u001b[36m", "\u001b[33m", "\u001b[35m", "\u001b[32m", "\u001b[34m", "\u001b[31m",
            "\u001b[96m", "\u001b[93m", "\u001b[95m", "\u001b[92m"};
    private static final String RESET = "\u001b[0m";
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintWriter out;
    private final Format format;
    private final boolean colour;
    private final Map<String, String> colours = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    EventLog(PrintWriter out, Format format, boolean colour) {
        this.out = out;
        this.format = format;
        this.colour = colour;
        this.writer = Thread.ofPlatform().daemon().name("tsproc-log").start(this::write);
    }

    /** Whether to colour: a terminal, and NO_COLOR unset or empty. */
    static boolean colourWanted() {
        String noColor = System.getenv("NO_COLOR");
        return Progress.mode(false) == Progress.Mode.BAR && (noColor == null || noColor.isEmpty());
    }

    @Override
    public void onEvent(Event e) {
        queue.add(e);
    }

    private void write() {
        List<Event> ready = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Event first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                ready.add(first);
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(ready);
            for (Event e : ready) {
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
        for (Event e; (e = queue.poll()) != null; ) {
            out.println(format == Format.json ? json(e) : text(e));
        }
        out.flush();
    }

    String text(Event e) {
        long millis = Math.floorDiv(e.atNanos() + 500_000, 1_000_000);
        String seconds = Math.floorDiv(millis, 1000) + "." + String.valueOf(1000 + Math.floorMod(millis, 1000)).substring(1) + "s";
        StringBuilder line = new StringBuilder(96);
        pad(line, seconds, -10);
        line.append(' ');
        if (colour) {
            line.append(colours.computeIfAbsent(e.worker(), w -> PALETTE[colours.size() % PALETTE.length]));
        }
        pad(line, e.worker(), 10);
        if (colour) {
            line.append(RESET);
        }
        line.append(' ');
        pad(line, e.kind().label(), 16);
        line.append(" batch ").append(e.batchIndex()).append(" rows ").append(e.rowOffset()).append("..")
                .append(e.rowOffset() + e.rowCount() - 1);
        if (e.attempt() > 1) {
            line.append(" attempt ").append(e.attempt());
        }
        if (e.heapBytes() >= 0) {
            line.append("  heap ").append(Math.round(e.heapBytes() / 1e6)).append(" MB");
        }
        if (e.rssBytes() >= 0) {
            line.append(" rss ").append(Math.round(e.rssBytes() / 1e6)).append(" MB");
        }
        if (e.privateBytes() >= 0) {
            line.append(" private ").append(Math.round(e.privateBytes() / 1e6)).append(" MB");
        }
        if (!e.detail().isEmpty()) {
            line.append("  ").append(e.detail());
        }
        return line.toString();
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

    static String json(Event e) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeNumberField("t", e.atNanos() / 1e9);
            json.writeStringField("event", e.kind().label());
            json.writeStringField("worker", e.worker());
            json.writeNumberField("batch", e.batchIndex());
            json.writeNumberField("rowOffset", e.rowOffset());
            json.writeNumberField("rows", e.rowCount());
            json.writeNumberField("attempt", e.attempt());
            json.writeNumberField("heapBytes", e.heapBytes());
            json.writeNumberField("rssBytes", e.rssBytes());
            json.writeNumberField("privateBytes", e.privateBytes());
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
