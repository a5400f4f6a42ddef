package dev.tsproc.cli.report;

import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import dev.tsproc.store.AtomicFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes the run report: one self-contained HTML file (no network fetches) with a Gantt chart of
 * workers × time — waiting for data, computing and idle in different colours, the batch on hover —
 * the per-worker summary, the result and the configuration. Several timelines share one time
 * axis, which is the talk's key picture: copy against shared.
 *
 * <p>Each run says where its wall time went, the coordinator's part included: opening the job
 * in the workers before the first batch, and after the last one receiving and combining partials
 * and finishing the result — the time a chart of workers alone shows as an unexplained idle
 * head or tail. A comparison of several runs leads with its headline: how much longer each took
 * than the fastest.
 *
 * <p>The tables are rendered here; the chart is drawn in the browser by a small script from the
 * embedded timelines (report.js / report.css, resources beside this class), so a page with
 * thousands of batches stays small and can show tooltips. The file is written aside and renamed,
 * so a failed run never leaves half a report.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /**
     * A run's result as the report shows it: the column names, the first rows as text, and how
     * many rows there are in all.
     */
    public record Result(List<String> header, List<List<String>> rows, long totalRows) {
        /** No result: a comparison of saved timelines. */
        public static final Result NONE = new Result(List.of(), List.of(), 0);
    }

    /**
     * Writes the report of {@code runs} to {@code out}.
     *
     * @param replace whether an existing {@code out} is replaced; otherwise it is refused
     */
    public static void write(List<Timeline> runs, Result result, Path out, boolean replace) throws IOException {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tsproc report</title>\n<style>")
                .append(resource("report.css")).append("</style></head><body>\n");
        html.append("<h1>tsproc report</h1>\n");
        if (runs.size() > 1) {
            html.append("<p class=\"headline\">").append(escape(headline(runs))).append("</p>\n");
        }
        html.append("<p class=\"legend\"><span class=\"key wait\"></span>waiting for data <span class=\"key compute\"></span>computing"
                + " <span class=\"key idle\"></span>idle <span class=\"key coordinator\"></span>coordinator: opening the job,"
                + " finishing the result — hover a bar for what it was</p>\n");
        html.append("<div id=\"chart\"></div>\n");
        for (Timeline run : runs) {
            html.append("<h2>").append(escape(run.label())).append("</h2>\n");
            html.append("<p>started ").append(Instant.ofEpochMilli(run.startEpochMillis()))
                    .append(run.loadNanos() == 0 ? "" : String.format(Locale.ROOT, ", files loaded in %.3f s", run.loadNanos() / 1e9))
                    .append(String.format(Locale.ROOT, ", wall time %.3f s, %d batches</p>\n", run.wallNanos() / 1e9, run.batches().size()));
            html.append("<p class=\"phases\">").append(escape(whereTheTimeWent(run))).append("</p>\n");
            html.append("<table class=\"summary\"><tr><th>worker</th><th>batches</th><th>rows</th><th>waiting for data (s)</th>"
                    + "<th>computing (s)</th><th>idle (s)</th><th>wall (s)</th></tr>\n");
            for (Timeline.WorkerSummary w : run.summarize()) {
                html.append(String.format(Locale.ROOT,
                        "<tr><td>%s</td><td>%d</td><td>%,d</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>%n",
                        escape(w.worker()), w.batches(), w.rows(), w.waitingNanos() / 1e9, w.computingNanos() / 1e9,
                        w.idleNanos() / 1e9, w.wallNanos() / 1e9));
            }
            html.append("</table>\n<details><summary>configuration</summary><table class=\"config\">\n");
            for (var e : run.configuration().entrySet()) {
                html.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(escape(e.getValue())).append("</td></tr>\n");
            }
            html.append("</table></details>\n");
        }
        if (!result.header().isEmpty()) {
            html.append("<h2>result</h2>\n<table class=\"result\">\n<tr>");
            result.header().forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
            html.append("</tr>\n");
            for (List<String> row : result.rows()) {
                html.append("<tr>");
                row.forEach(cell -> html.append("<td>").append(escape(cell)).append("</td>"));
                html.append("</tr>\n");
            }
            html.append("</table>\n");
            if (result.totalRows() > result.rows().size()) {
                html.append(String.format(Locale.ROOT, "<p>the first %,d of %,d rows; the run printed them all</p>%n",
                        result.rows().size(), result.totalRows()));
            }
        }
        html.append("<script id=\"timelines\" type=\"application/json\">[");
        for (int i = 0; i < runs.size(); i++) {
            StringWriter json = new StringWriter();
            TimelineJson.write(runs.get(i), json);
            html.append(i == 0 ? "" : ",").append(json.toString().replace("</", "<\\/"));
        }
        html.append("]</script>\n<script>").append(resource("report.js")).append("</script>\n</body></html>\n");
        try (AtomicFile file = replace ? AtomicFile.replace(out) : AtomicFile.create(out)) {
            file.writer().append(html);
            file.commit();
        }
    }

    /** "copy took 1.9× as long as shared": each run against the fastest, slowest first. */
    static String headline(List<Timeline> runs) {
        List<Timeline> bySpeed = runs.stream().sorted(Comparator.comparingLong(Timeline::wallNanos).reversed()).toList();
        Timeline fastest = bySpeed.getLast();
        List<String> parts = new ArrayList<>();
        for (Timeline run : bySpeed.subList(0, bySpeed.size() - 1)) {
            parts.add(String.format(Locale.ROOT, "%s took %.1f× as long as %s", run.label(),
                    run.wallNanos() / (double) Math.max(1, fastest.wallNanos()), fastest.label()));
        }
        return String.join("; ", parts) + ".";
    }

    /**
     * The run's wall time split into what the coordinator and the workers were doing: opening
     * the job, running batches, receiving and combining the last partials, finishing the result.
     */
    static String whereTheTimeWent(Timeline run) {
        List<BatchTimes> computed = run.batches().stream().filter(BatchTimes::computed).toList();
        long wall = run.wallNanos();
        if (computed.isEmpty()) {
            return String.format(Locale.ROOT, "Of the %.3f s, no batch was computed.", wall / 1e9);
        }
        long firstStart = computed.stream().mapToLong(BatchTimes::computeStart).min().orElseThrow();
        long lastEnd = computed.stream().mapToLong(BatchTimes::computeEnd).max().orElseThrow();
        long lastReceived = Math.max(lastEnd, computed.stream().mapToLong(BatchTimes::resultReceived).max().orElseThrow());
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "Of the %.3f s: ", wall / 1e9));
        if (run.openedNanos() >= 0) {
            text.append(String.format(Locale.ROOT, "%s opening the job in the workers, %s handing out the first batches, ",
                    seconds(run.openedNanos()), seconds(firstStart - run.openedNanos())));
        } else {
            text.append(String.format(Locale.ROOT, "%s before the first batch began, ", seconds(firstStart)));
        }
        text.append(String.format(Locale.ROOT, "%s from the first batch's start to the last one's end, %s receiving the last"
                + " partial", seconds(lastEnd - firstStart), seconds(lastReceived - lastEnd)));
        if (run.combinedNanos() >= 0) {
            text.append(String.format(Locale.ROOT, ", %s combining it, %s finishing the result.",
                    seconds(run.combinedNanos() - lastReceived), seconds(wall - run.combinedNanos())));
        } else {
            text.append(String.format(Locale.ROOT, ", %s combining partials and finishing the result.", seconds(wall - lastReceived)));
        }
        return text.toString();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", Math.max(0, nanos) / 1e9);
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
