package dev.tsproc.cli.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.Tsproc;
import dev.tsproc.cli.output.OutputFormat;
import dev.tsproc.cli.output.QueryPrinter;
import dev.tsproc.data.Column;
import dev.tsproc.job.SeriesInventory;
import dev.tsproc.store.Store;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tsproc info}: a store's schema and size, after verifying its checksums and time order,
 * and its series, each with its rows, missing values and time range ({@link SeriesInventory}:
 * one more pass over the columns, on every core).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show a store's schema, rows, bytes, missing values and time range, and verify its checksums and time order.",
                "Then list its series: name, rows, missing values, first and last time."})
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Parameters(index = "0", paramLabel = "FILE", description = "The store.")
    Path file;

    @Option(names = "--format", defaultValue = "table", description = "table or json. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(names = "--no-verify", negatable = false, description = "Skip reading all data to verify checksums and time order.")
    boolean noVerify;

    @Override
    public Integer call() throws Exception {
        if (format != OutputFormat.table && format != OutputFormat.json) {
            throw new CommandLine.ParameterException(spec.commandLine(), "info prints --format table or json, not " + format);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = Store.open(file)) {
            if (!noVerify) {
                store.verify();
            }
            String checksums = noVerify ? "not verified" : "ok";
            String first = store.rowCount() == 0 ? "" : instant(store.column(Column.TS).getAtIndex(Column.TS_LAYOUT, 0));
            String last = store.rowCount() == 0 ? ""
                    : instant(store.column(Column.TS).getAtIndex(Column.TS_LAYOUT, store.rowCount() - 1));
            List<SeriesInventory.Series> inventory;
            try (Tsproc ts = Tsproc.of(store)) {
                inventory = ts.run(new SeriesInventory(store.dictionary()));
            }
            long missing = inventory.stream().mapToLong(SeriesInventory.Series::missing).sum();
            List<SeriesInventory.Series> named = store.dictionary().size() == 0 ? List.of() : inventory;
            if (format == OutputFormat.json) {
                try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
                    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    json.writeStartObject();
                    json.writeStringField("file", store.path().toString());
                    json.writeNumberField("formatVersion", store.formatVersion());
                    json.writeNumberField("rows", store.rowCount());
                    json.writeNumberField("bytes", store.fileSize());
                    json.writeNumberField("missing", missing);
                    json.writeNumberField("series", store.dictionary().size());
                    json.writeStringField("first", first);
                    json.writeStringField("last", last);
                    json.writeStringField("checksums", checksums);
                    json.writeArrayFieldStart("columns");
                    for (Store.ColumnInfo c : store.columns()) {
                        json.writeStartObject();
                        json.writeStringField("name", name(c.column()));
                        json.writeStringField("type", type(c.column()));
                        json.writeNumberField("offset", c.byteOffset());
                        json.writeNumberField("bytes", c.byteLength());
                        json.writeStringField("crc32c", String.format("%08x", c.crc32c()));
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeArrayFieldStart("perSeries");
                    for (SeriesInventory.Series s : named) {
                        json.writeStartObject();
                        json.writeStringField("name", s.name());
                        json.writeNumberField("rows", s.rows());
                        json.writeNumberField("missing", s.missing());
                        json.writeStringField("first", s.rows() == 0 ? null : instant(s.firstNanos()));
                        json.writeStringField("last", s.rows() == 0 ? null : instant(s.lastNanos()));
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }
                out.println();
            } else {
                out.printf(Locale.ROOT, "file       %s%n", store.path());
                out.printf(Locale.ROOT, "format     tsproc store v%d%n", store.formatVersion());
                out.printf(Locale.ROOT, "rows       %,d%n", store.rowCount());
                out.printf(Locale.ROOT, "bytes      %,d%n", store.fileSize());
                out.printf(Locale.ROOT, "missing    %,d%n", missing);
                out.printf(Locale.ROOT, "series     %,d%n", store.dictionary().size());
                if (store.rowCount() > 0) {
                    out.printf(Locale.ROOT, "time       %s .. %s%n", first, last);
                }
                out.printf(Locale.ROOT, "checksums  %s%n", checksums);
                out.printf(Locale.ROOT, "%-8s %-8s %14s %16s  %s%n", "column", "type", "offset", "bytes", "crc32c");
                for (Store.ColumnInfo c : store.columns()) {
                    out.printf(Locale.ROOT, "%-8s %-8s %,14d %,16d  %08x%n", name(c.column()), type(c.column()),
                            c.byteOffset(), c.byteLength(), c.crc32c());
                }
                printSeries(named, out);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The series as a table: name (as a terminal can show it), rows, missing values, first and last time. */
    private static void printSeries(List<SeriesInventory.Series> series, PrintWriter out) {
        if (series.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"series", "rows", "missing", "first", "last"});
        for (SeriesInventory.Series s : series) {
            rows.add(new String[] {QueryPrinter.printable(s.name()), String.format(Locale.ROOT, "%,d", s.rows()),
                    String.format(Locale.ROOT, "%,d", s.missing()), s.rows() == 0 ? "" : instant(s.firstNanos()),
                    s.rows() == 0 ? "" : instant(s.lastNanos())});
        }
        int[] width = new int[5];
        for (String[] r : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        out.println();
        for (String[] r : rows) {
            out.println(String.format(Locale.ROOT, "%-" + width[0] + "s  %" + width[1] + "s  %" + width[2] + "s  %-" + width[3]
                    + "s  %s", (Object[]) r).stripTrailing());
        }
    }

    private static String name(Column c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    private static String type(Column c) {
        return switch (c) {
            case TS -> "int64";
            case VALUE -> "float64";
            case SERIES -> "int32";
        };
    }

    private static String instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L)).toString();
    }
}
