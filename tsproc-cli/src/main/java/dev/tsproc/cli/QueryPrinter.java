package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a query's rows as an aligned table, CSV or JSON (an array of objects). Columns:
 * {@code series} when grouped by series, {@code bucket} (start, ISO-8601 UTC) when grouped by
 * time, then the aggregates. Numbers as {@link StatsPrinter} prints them.
 */
final class QueryPrinter {
    private QueryPrinter() {}

    static void print(QueryResult result, OutputFormat format, PrintWriter out) {
        List<String> header = new ArrayList<>();
        if (result.bySeries()) {
            header.add("series");
        }
        if (result.bucketNanos() > 0) {
            header.add("bucket");
        }
        for (Aggregate a : result.aggregates()) {
            header.add(a.label());
        }
        switch (format) {
            case table -> table(result, header, out);
            case csv -> {
                out.println(String.join(",", header));
                for (QueryResult.Row row : result.rows()) {
                    out.println(String.join(",", cells(result, row).stream().map(QueryPrinter::csvCell).toList()));
                }
            }
            case json -> json(result, header, out);
        }
        out.flush();
    }

    /**
     * The result in a few lines for reports: each aggregate when there is one group, otherwise
     * the number of groups (the rows themselves go to standard output).
     */
    static Map<String, String> asText(QueryResult result) {
        Map<String, String> text = new LinkedHashMap<>();
        if (result.rows().size() == 1) {
            QueryResult.Row row = result.rows().getFirst();
            for (Aggregate a : result.aggregates()) {
                text.put(a.label(), StatsPrinter.text(result.value(row, a)));
            }
        } else {
            text.put("groups", String.format(Locale.ROOT, "%,d", result.rows().size()));
        }
        return text;
    }

    private static List<String> cells(QueryResult result, QueryResult.Row row) {
        List<String> cells = new ArrayList<>();
        if (result.bySeries()) {
            cells.add(row.series());
        }
        if (result.bucketNanos() > 0) {
            cells.add(row.bucketStart().toString());
        }
        for (Aggregate a : result.aggregates()) {
            cells.add(StatsPrinter.text(result.value(row, a)));
        }
        return cells;
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static void table(QueryResult result, List<String> header, PrintWriter out) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (QueryResult.Row row : result.rows()) {
            rows.add(cells(result, row));
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
            out.println(line.toString().stripTrailing());
        }
    }

    private static void json(QueryResult result, List<String> header, PrintWriter out) {
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartArray();
            for (QueryResult.Row row : result.rows()) {
                json.writeStartObject();
                if (result.bySeries()) {
                    json.writeStringField("series", row.series());
                }
                if (result.bucketNanos() > 0) {
                    json.writeStringField("bucket", row.bucketStart().toString());
                }
                for (Aggregate a : result.aggregates()) {
                    json.writeFieldName(a.label());
                    StatsPrinter.writeNumber(json, result.value(row, a));
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
    }
}
