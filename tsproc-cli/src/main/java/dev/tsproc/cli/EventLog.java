package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.observe.Event;
import dev.tsproc.observe.RunListener;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The talk's per-process log ({@code --log}): one line per event with the worker's name in its
 * own colour, seconds since start, the event, the batch and its rows, and memory.
 *
 * <p>Colour only on a terminal and only when {@code NO_COLOR} is unset (no-color.org); with
 * {@code --log-format json}, one JSON object per line for machines. Lines are written whole
 * under a lock, so events from many threads never interleave within a line.
 */
final class EventLog implements RunListener {
    enum Format { text, json }

    private static final String[] PALETTE = {"\u001b[36m", "\u001b[33m", "\u001b[35m", "\u001b[32m", "\u001b[34m", "\u001b[31m",
            "\u001b[96m", "\u001b[93m", "\u001b[95m", "\u001b[92m"};
    private static final String RESET = "\u001b[0m";
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintWriter out;
    private final Format format;
    private final boolean colour;
    private final Map<String, String> colours = new ConcurrentHashMap<>();

    EventLog(PrintWriter out, Format format, boolean colour) {
        this.out = out;
        this.format = format;
        this.colour = colour;
    }

    /** Whether to colour: a terminal, and NO_COLOR unset or empty. */
    static boolean colourWanted() {
        String noColor = System.getenv("NO_COLOR");
        return Progress.mode(false) == Progress.Mode.BAR && (noColor == null || noColor.isEmpty());
    }

    @Override
    public void onEvent(Event e) {
        String line = format == Format.json ? json(e) : text(e);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    String text(Event e) {
        String worker = String.format(Locale.ROOT, "%-10s", e.worker());
        if (colour) {
            worker = colours.computeIfAbsent(e.worker(), w -> PALETTE[colours.size() % PALETTE.length]) + worker + RESET;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%9.3fs %s %-16s batch %d rows %d..%d",
                e.atNanos() / 1e9, worker, e.kind().label(), e.batchIndex(), e.rowOffset(), e.rowOffset() + e.rowCount() - 1));
        if (e.attempt() > 1) {
            line.append(" attempt ").append(e.attempt());
        }
        if (e.heapBytes() >= 0) {
            line.append(String.format(Locale.ROOT, "  heap %.0f MB", e.heapBytes() / 1e6));
        }
        if (e.rssBytes() >= 0) {
            line.append(String.format(Locale.ROOT, " rss %.0f MB", e.rssBytes() / 1e6));
        }
        if (!e.detail().isEmpty()) {
            line.append("  ").append(e.detail());
        }
        return line.toString();
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
