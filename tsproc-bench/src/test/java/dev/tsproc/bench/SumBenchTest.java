package dev.tsproc.bench;

import dev.tsproc.store.SharedSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the benchmark runnable: a tiny run of each part, not a measurement. */
class SumBenchTest {

    private static List<String> runDirectories() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<java.nio.file.Path> dirs = Files.newDirectoryStream(SharedSegments.root(), SharedSegments.RUN_PREFIX + "*")) {
            dirs.forEach(d -> names.add(d.getFileName().toString()));
        }
        return names;
    }

    @Test
    @Timeout(120)
    void reportsMediansAndRatiosAndCleansUp() throws Exception {
        List<String> before = runDirectories();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = SumBench.run(new String[] {"--rows", "100003", "--reps", "3", "--warmup", "1", "--workers", "1,2", "--duckdb"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(report).isZero();
        assertThat(report).contains("kernels=").contains("(identical in every run)")
                .containsPattern("\\n\\| 1 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|")
                .containsPattern("\\n\\| 2 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|")
                .contains("duckdb sum median s");
        assertThat(runDirectories()).isEqualTo(before);
    }

    @Test
    @Timeout(120)
    void timesOtherBuiltinJobs() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = SumBench.run(new String[] {"--rows", "70001", "--reps", "1", "--warmup", "0", "--workers", "2", "--job", "stats"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(report).isZero();
        assertThat(report).contains("# stats benchmark").contains("stddev=").contains("| stats/floor (medians) |")
                .doesNotContain("duckdb");
    }

    @Test
    void rejectsUnknownOptions() throws Exception {
        assertThat(SumBench.run(new String[] {"--frobnicate"}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .isEqualTo(2);
    }

    @Test
    void floorsAgreeOnDataWithoutMissingValues() throws Exception {
        try (TalkStore talk = TalkStore.create(50_000, 2)) {
            // The talk's data has NaNs, so both floors give NaN; they must still read every row.
            assertThat(Floor.sum(talk.values(), 2, Floor.Kind.VECTOR)).isNaN();
            assertThat(Floor.sum(talk.values(), 1, Floor.Kind.SCALAR)).isNaN();
        }
        try (var arena = java.lang.foreign.Arena.ofShared()) {
            int rows = (int) (2.5 * Floor.CHUNK_ROWS) + 7;
            var values = arena.allocate(8L * rows, 64);
            double expected = 0;
            for (int i = 0; i < rows; i++) {
                values.setAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, i, i % 3);
                expected += i % 3;
            }
            for (int threads = 1; threads <= 3; threads++) {
                assertThat(Floor.sum(values, threads, Floor.Kind.VECTOR)).isEqualTo(expected);
                assertThat(Floor.sum(values, threads, Floor.Kind.SCALAR)).isEqualTo(expected);
            }
        }
    }

    @Test
    void processCpuTimeHasFineResolutionAndAdvances() {
        long before = Timing.processCpuNanos();
        double x = 0;
        for (int i = 0; i < 20_000_000; i++) {
            x += Math.sqrt(i);
        }
        long after = Timing.processCpuNanos();
        assertThat(x).isPositive();
        assertThat(after).isGreaterThan(before);
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            assertThat((after - before) % 1_000_000).as("not whole milliseconds").isNotZero();
        }
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertThat(SumBench.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(SumBench.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    }
}
