package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import dev.tsproc.data.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
        for (Timeline.WorkerSummary w : back.summarize()) {
            assertThat(w.waitingNanos() + w.computingNanos() + w.idleNanos()).isEqualTo(w.wallNanos());
            assertThat(w.computingNanos()).isEqualTo(w.batches() * 10_000_000L);
        }
    }

    @Test
    void aForeignJsonFileIsOneSentence() throws Exception {
        Path foreign = Files.writeString(dir.resolve("x.json"), "{\"hello\": 1}");
        Cli cli = Cli.run("report", foreign.toString(), "--out", dir.resolve("r.html").toString());
        assertThat(cli.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.err()).contains("is not a tsproc timeline");
        assertThat(cli.oneLineError()).isTrue();
        assertThat(dir.resolve("r.html")).doesNotExist();
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
