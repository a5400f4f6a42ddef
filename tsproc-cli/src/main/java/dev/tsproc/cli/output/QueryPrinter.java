package dev.tsproc.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a job's result as an aligned table, CSV or JSON: the one printer of {@code tsproc run}.
 *
 * <p>A query's result — and a built-in job's, which is a query — prints as rows: columns
 * {@code series} when grouped by series, {@code bucket} (start, ISO-8601: UTC, or with the offset of the buckets' zone) when grouped by
 * time, then the aggregates; JSON is an array of objects. So {@code --job stats} and
 * {@code --agg stats} print the same thing. A custom job's result prints as one value after
 * the job's name: a number as such, anything else as its text.
 *
 * <p>Doubles print in their shortest round-trip form ({@link Double#toString}), so a printed
 * answer parses back to the same bits, and as plain decimals from 10^-7 to 10^21 (as JavaScript
 * prints them: {@code 66035218.968}, not {@code 6.6035218968E7}, issue 14.10); counts print as
 * integers. JSON has no NaN or infinities:
 * NaN (no value) prints as {@code null}, infinities as the strings {@code "Infinity"} and
 * {@code "-Infinity"}. Text cells in CSV that a spreadsheet would run as a formula are made
 * inert with a leading {@code '}. Sketched percentiles say so in every format's column names
 * ({@code p99~}: {@link QueryResult#label}).
 */
public final class QueryPrinter {
    private QueryPrinter() {}

    /**
     * Prints the result of the job called {@code job}: a query's rows, or a custom job's one value.
     *
     * @throws IOException if {@code out} fails: a file being written is then not published
     */
    public static void printResult(String job, Object result, OutputFormat format, Writer out) throws IOException {
        if (result instanceof QueryResult rows) {
            print(rows, format, out);
            return;
        }
        String text = result instanceof Number n ? text(n) : String.valueOf(result);
        switch (format) {
            case table -> line(out, job + "  " + text);
            case csv -> {
                line(out, "job,result");
                line(out, csvCell(job) + "," + (result instanceof Number ? text : csvCell(text)));
            }
            case json -> json(out, json -> {
                json.writeStartObject();
                json.writeStringField("job", job);
                json.writeFieldName("result");
                if (result instanceof Number n) {
                    writeNumber(json, n);
                } else {
                    json.writeString(text);
                }
                json.writeEndObject();
            });
        }
        out.flush();
    }

    /** Prints a query's rows. */
    static void print(QueryResult result, OutputFormat format, Writer out) throws IOException {
        List<String> header = header(result);
        switch (format) {
            case table -> table(result, header, out);
            case csv -> {
                line(out, String.join(",", header));
                for (QueryResult.Row row : result.rows()) {
                    line(out, String.join(",", cells(result, row, QueryPrinter::csvCell)));
                }
            }
            case json -> json(out, json -> {
                json.writeStartArray();
                for (QueryResult.Row row : result.rows()) {
                    json.writeStartObject();
                    if (result.bySeries()) {
                        json.writeStringField("series", row.series());
                    }
                    if (result.byTime()) {
                        json.writeStringField("bucket", result.bucketText(row));
                    }
                    for (int k = 0; k < result.aggregates().size(); k++) {
                        json.writeFieldName(result.label(result.aggregates().get(k)));
                        writeNumber(json, result.value(row, k));
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
            });
        }
        out.flush();
    }

    /** A query's column names: series, bucket, then the aggregates. */
    private static List<String> header(QueryResult result) {
        List<String> header = new ArrayList<>();
        if (result.bySeries()) {
            header.add("series");
        }
        if (result.byTime()) {
            header.add("bucket");
        }
        for (Aggregate a : result.aggregates()) {
            header.add(result.label(a));
        }
        return header;
    }

    /**
     * The result of the job called {@code job} as text rows, for reports: the column names, then
     * each row's cells as the table prints them; a custom job's result is one row of its name
     * and value.
     */
    public static List<List<String>> asRows(String job, Object result) {
        List<List<String>> rows = new ArrayList<>();
        if (!(result instanceof QueryResult query)) {
            rows.add(List.of("job", "result"));
            rows.add(List.of(job, result instanceof Number n ? text(n) : String.valueOf(result)));
            return rows;
        }
        rows.add(header(query));
        for (QueryResult.Row row : query.rows()) {
            rows.add(cells(query, row, QueryPrinter::printable));
        }
        return rows;
    }

    /**
     * A result in a few labelled lines, for reports: each aggregate when a query has one group,
     * otherwise the number of groups (the rows themselves go to standard output); a custom job's
     * result as one value.
     */
    public static Map<String, String> asText(Object result) {
        Map<String, String> text = new LinkedHashMap<>();
        if (!(result instanceof QueryResult query)) {
            text.put("result", result instanceof Number n ? text(n) : String.valueOf(result));
        } else if (query.rows().size() == 1) {
            QueryResult.Row row = query.rows().getFirst();
            for (Aggregate a : query.aggregates()) {
                text.put(query.label(a), text(query.value(row, a)));
            }
        } else {
            text.put("groups", String.format(Locale.ROOT, "%,d", query.rows().size()));
        }
        return text;
    }

    /** A row's cells: its group's labels passed through {@code label}, then its values. */
    private static List<String> cells(QueryResult result, QueryResult.Row row, java.util.function.UnaryOperator<String> label) {
        List<String> cells = new ArrayList<>();
        if (result.bySeries()) {
            cells.add(label.apply(row.series()));
        }
        if (result.byTime()) {
            cells.add(result.bucketText(row));
        }
        for (int k = 0; k < result.aggregates().size(); k++) {
            cells.add(text(result.value(row, k)));
        }
        return cells;
    }

    private static void table(QueryResult result, List<String> header, Writer out) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (QueryResult.Row row : result.rows()) {
            rows.add(cells(result, row, QueryPrinter::printable));
        }
        int[] width = new int[header.size()];
        for (List<String> r : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        int labels = header.size() - result.aggregates().size();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < width.length; c++) {
                if (c > 0) {
                    line.append("  ");
                }
                String cell = r.get(c);
                String pad = " ".repeat(width[c] - cell.length());
                line.append(c < labels ? cell + pad : pad + cell);
            }
            line(out, line.toString().stripTrailing());
        }
    }

    /**
     * A series name as a terminal can show it without obeying it: control and format characters
     * (ESC starting a terminal escape sequence, CR, a right-to-left override) as a backslash, then
     * x and two hex digits, or u and four. Series names come from the data, so anyone who wrote the data could
     * otherwise recolour, hide or rewrite what the table shows.
     */
    public static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c) && c < 0x100) {
                out.append(String.format(Locale.ROOT, "\\x%02X", c));
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** What {@link #json} writes with a generator. */
    private interface JsonBody {
        void write(JsonGenerator json) throws IOException;
    }

    /** Writes one JSON document and a line break, leaving {@code out} open. */
    private static void json(Writer out, JsonBody body) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            body.write(json);
        }
        out.write('\n');
    }

    private static void line(Writer out, String text) throws IOException {
        out.write(text);
        out.write('\n');
    }

    /** A CSV cell: quoted when needed, and text a spreadsheet would run as a formula made inert. */
    private static String csvCell(String text) {
        String cell = !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
        boolean quote = cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r");
        return quote ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }

    static String text(Number n) {
        if (!(n instanceof Double d)) {
            return n.toString();
        }
        double magnitude = Math.abs(d);
        boolean plain = magnitude >= 1e-7 && magnitude < 1e21;
        // the shortest digits that round-trip, without the exponent: the same number, the same bits
        String shortest = Double.toString(d);
        if (!plain || shortest.indexOf('E') < 0) {
            return shortest;
        }
        String text = new java.math.BigDecimal(shortest).toPlainString();
        return text.indexOf('.') < 0 ? text + ".0" : text; // 16751914.0, as 2.0 prints: a double, not a count
    }

    private static void writeNumber(JsonGenerator json, Number n) throws IOException {
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
