package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.job.Stat;
import dev.tsproc.job.Stats;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Prints a job's statistics as a table, CSV or JSON.
 *
 * <p>Doubles print in their shortest round-trip form ({@link Double#toString}), so a printed
 * answer parses back to the same bits. JSON has no NaN or infinities: NaN (no value) prints as
 * {@code null}, infinities as the strings {@code "Infinity"} and {@code "-Infinity"}.
 */
final class StatsPrinter {
    private StatsPrinter() {}

    static void print(Stats stats, OutputFormat format, PrintWriter out) {
        switch (format) {
            case table -> {
                int width = stats.requested().stream().mapToInt(s -> s.label().length()).max().orElse(4);
                for (Stat s : stats.requested()) {
                    out.printf("%-" + width + "s  %s%n", s.label(), text(stats.get(s)));
                }
            }
            case csv -> {
                out.println("stat,value");
                for (Stat s : stats.requested()) {
                    out.println(s.label() + "," + text(stats.get(s)));
                }
            }
            case json -> {
                try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
                    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    json.writeStartObject();
                    for (Stat s : stats.requested()) {
                        json.writeFieldName(s.label());
                        writeNumber(json, stats.get(s));
                    }
                    json.writeEndObject();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.println();
            }
        }
        out.flush();
    }

    /**
     * Prints any job's result: a built-in job's statistics as {@link #print} does, anything
     * else as one value named after the job — a number as such, other results as text.
     */
    /** A result as labelled text, for reports. */
    static java.util.Map<String, String> asText(Object result) {
        java.util.Map<String, String> text = new java.util.LinkedHashMap<>();
        if (result instanceof Stats stats) {
            stats.asMap().forEach((k, v) -> text.put(k, text(v)));
        } else {
            text.put("result", result instanceof Number n ? text(n) : String.valueOf(result));
        }
        return text;
    }

    static void printResult(String job, Object result, OutputFormat format, PrintWriter out) {
        if (result instanceof Stats stats) {
            print(stats, format, out);
            return;
        }
        String text = result instanceof Number n ? text(n) : String.valueOf(result);
        switch (format) {
            case table -> out.println(job + "  " + text);
            case csv -> {
                out.println("job,result");
                out.println(csvCell(job) + "," + (result instanceof Number ? text : csvCell(text)));
            }
            case json -> {
                try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
                    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    json.writeStartObject();
                    json.writeStringField("job", job);
                    json.writeFieldName("result");
                    if (result instanceof Number n) {
                        writeNumber(json, n);
                    } else {
                        json.writeString(text);
                    }
                    json.writeEndObject();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.println();
            }
        }
        out.flush();
    }

    /** A CSV cell: quoted when needed, and text a spreadsheet would run as a formula made inert. */
    private static String csvCell(String text) {
        String cell = !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
        boolean quote = cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r");
        return quote ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }

    static String text(Number n) {
        return n instanceof Double d ? Double.toString(d) : n.toString();
    }

    static void writeNumber(JsonGenerator json, Number n) throws IOException {
        if (n instanceof Double d) {
            if (d.isNaN()) {
                json.writeNull();
            } else if (d.isInfinite()) {
                json.writeString(d > 0 ? "Infinity" : "-Infinity");
            } else {
                json.writeNumber(d);
            }
        } else {
            json.writeNumber(n.longValue());
        }
    }
}
