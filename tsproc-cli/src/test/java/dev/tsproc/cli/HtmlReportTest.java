package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import dev.tsproc.data.Batch;
import dev.tsproc.testkit.Chromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlReportTest {
    @TempDir
    Path dir;

    /** A run where each of {@code workers} workers waits {@code waitMillis} before each 10 ms batch. */
    static Timeline run(String label, int workers, int batches, long waitMillis) {
        Timeline t = new Timeline(label, 1_700_000_000_000L, Map.of("workers", "" + workers, "transfer", label));
        long[] free = new long[workers];
        for (int b = 0; b < batches; b++) {
            int w = b % workers;
            long queued = free[w];
            long start = queued + waitMillis * 1_000_000;
            long end = start + 10_000_000;
            t.record(new BatchTimes(new Batch(b, b * 1000L, 1000), "worker-" + (w + 1), 1, queued, start, start, end, end + 100_000));
            free[w] = end + 100_000;
        }
        long wall = 0;
        for (long f : free) {
            wall = Math.max(wall, f);
        }
        t.opened(0);
        t.combined(wall);
        t.finish(wall + 1_000_000);
        return t;
    }

    @Test
    void timelineJsonRoundTripsAndItsTotalsAddUp() throws Exception {
        Timeline t = run("copy", 3, 20, 5);
        StringWriter json = new StringWriter();
        TimelineJson.write(t, json);
        Timeline back = TimelineJson.read(new StringReader(json.toString()), "t.json");
        assertThat(back.batches()).isEqualTo(t.batches());
        assertThat(back.summarize()).isEqualTo(t.summarize());
        assertThat(back.openedNanos()).isEqualTo(t.openedNanos());
        assertThat(back.combinedNanos()).isEqualTo(t.combinedNanos());
        for (Timeline.WorkerSummary w : back.summarize()) {
            assertThat(w.waitingNanos() + w.computingNanos() + w.idleNanos()).isEqualTo(w.wallNanos());
            assertThat(w.computingNanos()).isEqualTo(w.batches() * 10_000_000L);
        }
    }

    @Test
    void aForeignOrBrokenJsonFileIsOneSentence() throws Exception {
        for (String text : new String[] {"{\"hello\": 1}", "not json at all", "{\"format\": \"tsproc-timeline\", "}) {
            Path foreign = Files.writeString(dir.resolve("x.json"), text);
            Cli cli = Cli.run("report", foreign.toString(), "--out", dir.resolve("r.html").toString());
            assertThat(cli.exitCode()).as(text).isEqualTo(ExitCodes.FAILED);
            assertThat(cli.err()).as(text).contains("x.json is not a tsproc timeline: " + (text.startsWith("{\"hello") ? "it has no \"format\" field"
                            : text.startsWith("{") ? "it is not valid JSON (line 1, column 3" : "it is not valid JSON (line 1, column 1)"),
                    "give a file saved with 'tsproc run --timeline'")
                    .doesNotContain("I/O error", "Exception", "Unrecognized token");
            assertThat(cli.oneLineError()).isTrue();
            assertThat(dir.resolve("r.html")).doesNotExist();
        }
    }

    @Test
    void theReportGoesBesideTheFirstTimelineAndReplacesAFileOnlyWithForce() throws Exception {
        Path timelines = Files.createDirectory(dir.resolve("runs"));
        Path copy = timelines.resolve("copy.json");
        try (var w = Files.newBufferedWriter(copy)) {
            TimelineJson.write(run("copy", 2, 4, 1), w);
        }
        Path report = timelines.resolve("report.html");
        Cli first = Cli.run("report", copy.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out().strip()).isEqualTo(report.toAbsolutePath().toString());
        assertThat(Files.readString(report)).contains("copy");

        Files.writeString(report, "mine");
        Cli missing = Cli.run("report", timelines.resolve("nothere.json").toString(), "--out", report.toString());
        assertThat(missing.err()).as("the input is checked before the output").contains("nothere.json does not exist");
        Cli refused = Cli.run("report", copy.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(refused.err()).contains("report.html already exists; add --force to replace it, or choose another path.");
        assertThat(refused.oneLineError()).isTrue();
        assertThat(Files.readString(report)).isEqualTo("mine");

        Cli forced = Cli.run("report", copy.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readString(report)).contains("copy");
        try (var names = Files.list(timelines)) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("copy.json", "report.html");
        }
    }

    @Test
    void aComparisonLeadsWithItsHeadlineAndEachRunSaysWhereItsTimeWent() throws Exception {
        Path copy = dir.resolve("copy.json");
        Path shared = dir.resolve("shared.json");
        try (var c = Files.newBufferedWriter(copy); var s = Files.newBufferedWriter(shared)) {
            TimelineJson.write(run("copy", 2, 8, 10), c); // 4 batches a worker, each 10 ms waiting + 10 ms computing
            TimelineJson.write(run("shared", 2, 8, 0), s);
        }
        Path html = dir.resolve("cmp.html");
        Cli cli = Cli.run("report", shared.toString(), copy.toString(), "--out", html.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(Files.readString(html)).contains("<p class=\"headline\">copy took 2.0× as long as shared.</p>",
                "Of the 0.081 s: 0.000 s opening the job in the workers, 0.010 s handing out the first batches,"
                        + " 0.070 s from the first batch's start to the last one's end, 0.000 s receiving the last partial,"
                        + " 0.000 s combining it, 0.001 s finishing the result.");
    }

    @Test
    void aQueryReportShowsItsResultRows() throws Exception {
        Path store = dir.resolve("s.tsp");
        assertThat(Cli.run("generate", "--rows", "3000", "--series", "150", "--out", store.toString(), "--quiet").exitCode()).isZero();
        Path report = dir.resolve("q.html");
        Cli cli = Cli.run("run", store.toString(), "--agg", "count,mean", "--by", "series", "--report", report.toString(), "--quiet");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        String html = Files.readString(report);
        assertThat(html).contains("<tr><th>series</th><th>count</th><th>mean</th></tr>", "the first 100 of 150 rows");
        String firstRow = cli.out().lines().skip(1).findFirst().orElseThrow().strip().split("\\s+")[0];
        assertThat(html).contains("<tr><td>" + firstRow + "</td>");
        int table = html.indexOf("<table class=\"result\">");
        assertThat(count(html.substring(table, html.indexOf("</table>", table)), "<tr><td>")).isEqualTo(100);
    }

    @Test
    void theReportRendersItsGanttChartInChromium() throws Exception {
        Chromium.assumeAvailable();
        Path copy = dir.resolve("copy.json");
        Path shared = dir.resolve("shared.json");
        try (var w = Files.newBufferedWriter(copy)) {
            TimelineJson.write(run("copy", 4, 40, 30), w);
        }
        try (var w = Files.newBufferedWriter(shared)) {
            TimelineJson.write(run("shared <&>", 4, 40, 0), w);
        }
        Path html = dir.resolve("cmp.html");
        Cli cli = Cli.run("report", copy.toString(), shared.toString(), "--out", html.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        String page = Files.readString(html);
        assertThat(page).doesNotContainPattern("(src|href)=\"https?:").contains("shared &lt;&amp;&gt;");

        String dom = Chromium.dumpDom(html, dir.resolve("profile"));
        assertThat(count(dom, "class=\"compute\"")).isEqualTo(80);
        assertThat(count(dom, "class=\"wait\"")).isEqualTo(40);
        assertThat(count(dom, "class=\"coordinator\"")).as("each run's finishing; opening and combining take no time here").isEqualTo(2);
        Matcher svgWidth = Pattern.compile("<svg width=\"(\\d+)\"").matcher(dom);
        assertThat(svgWidth.find()).isTrue();
        List<Double> ticks = new ArrayList<>();
        Matcher tick = Pattern.compile("<text x=\"([\\d.]+)\" y=\"[\\d.]+\" text-anchor=\"middle\" class=\"tick\">([\\d.]+) s</text>").matcher(dom);
        while (tick.find()) {
            assertThat(Double.parseDouble(tick.group(1))).as("a centred label has room").isLessThan(Integer.parseInt(svgWidth.group(1)) - 20);
            ticks.add(Double.parseDouble(tick.group(2)));
        }
        assertThat(ticks).hasSizeBetween(4, 11).first().isEqualTo(0.0);
        double step = ticks.get(1);
        assertThat(step).as("a round step").isIn(0.01, 0.02, 0.05, 0.1, 0.2, 0.5);
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(ticks.get(i)).isCloseTo(i * step, org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(dom).contains("<svg", "batch 39 (rows 39000..39999)");

        BufferedImage png = ImageIO.read(Chromium.screenshot(html, dir.resolve("profile"), dir.resolve("r.png")).toFile());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < png.getHeight(); y += 3) {
            for (int x = 0; x < png.getWidth(); x += 3) {
                colours.add(png.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertThat(colours).as("the chart's computing and waiting colours are on screen").contains(0x3070c0, 0xf0a030);
    }

    private static long count(String text, String needle) {
        return Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
    }
}
