package dev.tsproc.cli.output;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    @Test
    void statusShowsRowsRateElapsedAndEta() {
        try (Progress p = new Progress("run", 1_000_000, Progress.Mode.QUIET, new PrintWriter(new StringWriter()))) {
            assertThat(p.status(250_000, 2.0)).isEqualTo(" 25% 250,000/1,000,000 rows, 0.1 M rows/s, elapsed 0:02, ETA 0:06");
            assertThat(p.status(1_000_000, 3725)).contains("100%", "elapsed 1:02:05", "ETA --:--");
        }
    }

    @Test
    void anUnknownTotalShowsCountAndRateWithoutPercentageOrEta() {
        try (Progress p = new Progress("import", 0, "bytes", Progress.Mode.QUIET, new PrintWriter(new StringWriter()))) {
            assertThat(p.status(3_000_000, 2.0)).isEqualTo("3,000,000 bytes, 1.5 M bytes/s, elapsed 0:02");
            p.advanceTo(3_000_000, 40_000); // an import from a pipe: bytes and rows, no percentage, no ETA
            assertThat(p.status(3_000_000, 2.0)).isEqualTo("3,000,000 bytes, 40,000 rows, 1.5 M bytes/s, elapsed 0:02");
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
