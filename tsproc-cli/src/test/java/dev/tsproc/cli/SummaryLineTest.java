package dev.tsproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closing summary line on standard error: counts of one in the singular, and none at all
 * with {@code -q}, which every command that prints one takes alike.
 */
class SummaryLineTest {
    @TempDir
    Path dir;

    @Test
    void countsOfOneAreSingularAndQuietLeavesOutTheSummary() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "series,ts,value\npump,1700000000000000000,1\n");
        Path store = dir.resolve("a.tsp");
        Cli imported = Cli.run("import", csv.toString(), "--out", store.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.err()).contains("imported 1 row of 1 series from " + csv);

        Cli ran = Cli.run("run", store.toString(), "--agg", "count", "--by", "series", "--workers", "1");
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.err()).contains("1 group, 1 batch on 1 worker thread, ");

        Path parquet = dir.resolve("a.parquet");
        Cli exported = Cli.run("export", store.toString(), "--format", "parquet", "--out", parquet.toString());
        assertThat(exported.err()).contains("exported 1 row to " + parquet);
        Cli fromParquet = Cli.run("import", parquet.toString(), "--out", dir.resolve("b.tsp").toString());
        assertThat(fromParquet.err()).contains("from 1 Parquet file (1 row group)");

        for (String[] quiet : new String[][] {
                {"import", csv.toString(), "--out", dir.resolve("c.tsp").toString(), "-q"},
                {"run", store.toString(), "--agg", "count", "-q"},
                {"run", parquet.toString(), "--agg", "count", "--quiet"},
                {"export", store.toString(), "--out", dir.resolve("c.csv").toString(), "-q"},
                {"generate", "--rows", "10", "--out", dir.resolve("g.tsp").toString(), "-q"}}) {
            Cli said = Cli.run(quiet);
            assertThat(said.exitCode()).as(said.err()).isZero();
            assertThat(said.err()).as(String.join(" ", quiet)).isEmpty();
        }
    }
}
