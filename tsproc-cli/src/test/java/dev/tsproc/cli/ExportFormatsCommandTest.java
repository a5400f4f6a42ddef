package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tsproc export --format parquet}: the file imports back to the same store; its options' usage errors. */
class ExportFormatsCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportsParquetAndImportsItBackToTheSameStore() throws Exception {
        Path store = dir.resolve("s.tsp");
        assertThat(Cli.run("generate", "--rows", "5000", "--series", "4", "--distribution", "walk", "--missing", "0.1",
                "--out", store.toString()).exitCode()).isZero();
        Path parquet = dir.resolve("s.parquet");
        Cli export = Cli.run("export", store.toString(), "--format", "parquet", "--codec", "zstd", "--out", parquet.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("exported 5,000 rows to " + parquet);
        Path back = dir.resolve("back.tsp");
        Cli imported = Cli.run("import", parquet.toString(), "--out", back.toString(), "--quiet");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(store));

        Cli again = Cli.run("export", store.toString(), "--format", "parquet", "--out", parquet.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains(parquet + " already exists");
        assertThat(again.oneLineError()).isTrue();
        String[][] usage = {
                {"--format", "parquet"}, // no --out
                {"--format", "parquet", "--codec", "lz4", "--out", dir.resolve("x.parquet").toString()},
                {"--codec", "zstd", "--out", dir.resolve("x.csv").toString()},
                {"--format", "orc", "--out", dir.resolve("x.orc").toString()},
        };
        String[] says = {"--format parquet needs --out FILE", "unknown --codec 'lz4'; choose none, snappy or zstd",
                "--codec applies to --format parquet only", "unknown --format 'orc'; choose csv, arrow or parquet"};
        for (int i = 0; i < usage.length; i++) {
            String[] args = Stream.concat(Stream.of("export", store.toString()), Stream.of(usage[i])).toArray(String[]::new);
            Cli wrong = Cli.run(args);
            assertThat(wrong.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
            assertThat(wrong.err()).contains(says[i]);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("s.tsp", "s.parquet", "back.tsp");
        }
    }
}
