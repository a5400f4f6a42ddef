package dev.tsproc.cli;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13.12: series names are data, and a table printed to a terminal shows their control
 * characters escaped instead of obeying them; CSV and JSON keep the names as they are.
 */
class HostileSeriesNamesTest {
    @TempDir
    Path dir;

    @Test
    void aTableEscapesControlAndFormatCharactersInSeriesNames() {
        String colour = "\u001b[31mred\u001b[0m";
        String overwrite = "ok\rpwned";
        String reversed = "abc\u202Edef";
        Path store = TestStores.write(dir.resolve("s.tsp"), new long[] {1, 2, 3}, new double[] {1, 2, 3}, new int[] {0, 1, 2},
                SeriesDictionary.of(List.of(colour, overwrite, reversed)));

        Cli table = Cli.run("run", store.toString(), "--by", "series", "--agg", "count");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("\\x1B[31mred\\x1B[0m", "ok\\x0Dpwned", "abc\\u202Edef")
                .doesNotContain("\u001b", "\r", "\u202E");

        Cli json = Cli.run("run", store.toString(), "--by", "series", "--agg", "count", "--format", "json");
        assertThat(json.out()).contains("\\u001B[31mred").contains("ok\\rpwned");
    }
}
