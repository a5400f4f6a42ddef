package dev.tsproc.cli.output;

import dev.tsproc.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    private static final Duration TENTH = Duration.ofMillis(100);
    private final ManualClock clock = new ManualClock();

    private Progress quiet(long total, String unit) {
        return new Progress("run", total, unit, Progress.Mode.QUIET, new PrintWriter(new StringWriter()), clock);
    }

    @Test
    void anotherLibrarysLogLinesClearTheBarsLineFirstWholeLinesAtATime() {
        StringWriter err = new StringWriter();
        try (PrintStream log = Progress.linesOverTheBar(new PrintWriter(err))) {
            log.print("spark: WARN Utils: ");
            assertThat(err.toString()).as("nothing before the line is whole").isEmpty();
            log.println("loopback");
            log.print("spark: WARN Two\nspark: WARN Three\n");
        }
        assertThat(err.toString()).isEqualTo("\r\033[Kspark: WARN Utils: loopback" + System.lineSeparator()
                + "\r\033[Kspark: WARN Two" + System.lineSeparator() + "\r\033[Kspark: WARN Three" + System.lineSeparator());
    }

    @Test
    void statusShowsRowsRateElapsedAndTheEtaOnceThePaceHasSettled() {
        try (Progress p = quiet(1_000_000, "rows")) {
            assertThat(p.tick()).isEqualTo("  0% 0/1,000,000 rows, 0.0 M rows/s, elapsed 0:00, ETA --:--");
            for (int tenth = 1; tenth <= 20; tenth++) { // 100,000 rows a second
                clock.advance(TENTH);
                p.advanceTo(tenth * 10_000L);
                String status = p.tick();
                if (tenth < 20) {
                    assertThat(status).as("less than a second of pace after the first second").endsWith("ETA --:--");
                }
            }
            assertThat(p.tick()).isEqualTo(" 20% 200,000/1,000,000 rows, 0.1 M rows/s, elapsed 0:02, ETA 0:08");
            clock.advance(Duration.ofSeconds(3725 - 2));
            p.advanceTo(1_000_000);
            assertThat(p.tick()).contains("100%", "elapsed 1:02:05", "ETA --:--");
        }
    }

    /**
     * Issue 14.3: an import whose first second is slow (6 % of it: opening, the JIT) and the rest
     * fast, done at 7.3 s. The ETA is not shown from the slow start, and once shown is within a
     * second of the truth; a plain average would have said 0:15 at 2 s.
     */
    @Test
    void theEtaLeavesOutTheSlowStart() {
        try (Progress p = quiet(1000, "bytes")) {
            double doneAt = 1 + 940 / 150.0;
            for (int tenth = 1; tenth / 10.0 < doneAt; tenth++) {
                double t = tenth / 10.0;
                clock.advance(TENTH);
                long done = t <= 1 ? Math.round(60 * t) : Math.round(60 + 150 * (t - 1));
                p.advanceTo(done);
                String eta = p.tick().replaceAll(".*ETA ", "");
                if (t < 2) {
                    assertThat(eta).as("at %.1f s", t).isEqualTo("--:--");
                } else {
                    String[] minutesSeconds = eta.split(":");
                    int shown = Integer.parseInt(minutesSeconds[0]) * 60 + Integer.parseInt(minutesSeconds[1]);
                    assertThat((double) shown).as("at %.1f s", t).isCloseTo(doneAt - t, org.assertj.core.data.Offset.offset(1.0));
                }
            }
        }
    }

    @Test
    void anUnknownTotalShowsCountAndRateWithoutPercentageOrEta() {
        try (Progress p = quiet(0, "bytes")) {
            clock.advance(Duration.ofSeconds(2));
            p.advanceTo(3_000_000);
            assertThat(p.tick()).isEqualTo("3,000,000 bytes, 1.5 M bytes/s, elapsed 0:02");
            p.advanceTo(3_000_000, 40_000); // an import from a pipe: bytes and rows, no percentage, no ETA
            assertThat(p.tick()).isEqualTo("3,000,000 bytes, 40,000 rows, 1.5 M bytes/s, elapsed 0:02");
        }
    }

    @Test
    void aBarRedrawsInPlaceAndEndsWithANewLine() {
        StringWriter err = new StringWriter();
        try (Progress p = new Progress("gen", 10, Progress.Mode.BAR, new PrintWriter(err))) {
            p.advanceTo(10);
        }
        assertThat(err.toString()).startsWith("\rgen [##############################] 100%").endsWith("\n");
    }

    @Test
    void withoutATerminalItPrintsPlainLinesWithoutControlCodes() {
        // Not a terminal under the test runner: the mode falls back to plain lines.
        assertThat(Progress.mode(false)).isEqualTo(Progress.Mode.LINES);
        assertThat(Progress.mode(true)).isEqualTo(Progress.Mode.QUIET);
        StringWriter err = new StringWriter();
        try (Progress p = new Progress("gen", 10, Progress.Mode.LINES, new PrintWriter(err))) {
            p.advanceTo(5);
        }
        assertThat(err.toString()).doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void quietPrintsNothing() {
        StringWriter err = new StringWriter();
        try (Progress p = new Progress("gen", 10, Progress.Mode.QUIET, new PrintWriter(err))) {
            p.advanceTo(10);
        }
        assertThat(err.toString()).isEmpty();
    }
}
