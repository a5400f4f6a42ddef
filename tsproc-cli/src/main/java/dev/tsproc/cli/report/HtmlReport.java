package dev.tsproc.cli.report;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the run report: one self-contained HTML file (no network fetches) with a Gantt chart of
 * workers × time — waiting for data, computing and idle in different colours, the batch on hover —
 * the per-worker summary, the result and the configuration. Several timelines share one time
 * axis, which is the talk's key picture: copy against shared.
 *
 * <p>The tables are rendered here; the chart is drawn in the browser by a small script from the
 * embedded timelines (report.js / report.css, resources beside this class), so a page with
 * thousands of batches stays small and can show tooltips. The file is written aside and renamed,
 * so a failed run never leaves half a report.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /**
     * @param result the run's result by statistic, or empty for a comparison of saved timelines
     */
    public static void write(List<Timeline> runs, Map<String, String> result, Path out) throws IOException {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tsproc report</title>\n<style>")
                .append(resource("report.css")).append("</style></head><body>\n");
        html.append("<h1>tsproc report</h1>\n");
        html.append("<p class=\"legend\"><span class=\"key wait\"></span>waiting for data <span class=\"key compute\"></span>computing"
                + " <span class=\"key idle\"></span>idle — hover a bar for its batch</p>\n");
        html.append("<div id=\"chart\"></div>\n");
        for (Timeline run : runs) {
            html.append("<h2>").append(escape(run.label())).append("</h2>\n");
            html.append("<p>started ").append(Instant.ofEpochMilli(run.startEpochMillis()))
                    .append(run.loadNanos() == 0 ? "" : String.format(Locale.ROOT, ", files loaded in %.3f s", run.loadNanos() / 1e9))
                    .append(String.format(Locale.ROOT, ", wall time %.3f s, %d batches</p>\n", run.wallNanos() / 1e9, run.batches().size()));
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
        if (!result.isEmpty()) {
            html.append("<h2>result</h2>\n<table class=\"result\">\n");
            for (var e : result.entrySet()) {
                html.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(escape(e.getValue())).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        html.append("<script id=\"timelines\" type=\"application/json\">[");
        for (int i = 0; i < runs.size(); i++) {
            StringWriter json = new StringWriter();
            TimelineJson.write(runs.get(i), json);
            html.append(i == 0 ? "" : ",").append(json.toString().replace("</", "<\\/"));
        }
        html.append("]</script>\n<script>").append(resource("report.js")).append("</script>\n</body></html>\n");
        AtomicFile.writeString(out, html);
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
