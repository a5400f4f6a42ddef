package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input files are classified by content and name together: a file named {@code *.parquet} or
 * {@code *.arrow} whose bytes say otherwise is bad input (exit 1) named in one sentence worded
 * for the command that ran, not CSV, a store, or a mix of kinds (exit 2); an Arrow IPC stream
 * is read as Arrow, whatever its name (ArrowTest reads pyarrow's), not as CSV.
 */
class MisnamedInputTest {
    @TempDir
    Path dir;

    private Path text;

    @BeforeEach
    void writeText() throws Exception {
        text = Files.writeString(dir.resolve("x.parquet"), "hello,  this is not parquet\n1,2\n");
    }

    @Test
    void aTextFileNamedParquetIsNotAParquetFileForImportAndRun() {
        String said = "tsproc: " + text + ": it is not a Parquet file (it does not start with PAR1 as such files do); nothing was ";
        Cli imported = Cli.run("import", text.toString(), "--out", dir.resolve("s.tsp").toString());
        assertThat(imported.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(imported.err()).startsWith(said + "imported.");
        assertThat(imported.oneLineError()).as(imported.err()).isTrue();
        Cli ran = Cli.run("run", text.toString());
        assertThat(ran.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ran.err()).startsWith(said + "run.");
        assertThat(ran.oneLineError()).as(ran.err()).isTrue();
        assertThat(dir.resolve("s.tsp")).doesNotExist();
    }

    @Test
    void aNonParquetFileBesideParquetFilesIsBadInputNotAMixOfKinds() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "ts,value\n1700000000000000000,1\n");
        Path store = dir.resolve("a.tsp");
        assertThat(Cli.run("import", csv.toString(), "--out", store.toString(), "-q").exitCode()).isZero();
        Path parts = Files.createDirectory(dir.resolve("dir3"));
        Path part = parts.resolve("part-0.parquet");
        assertThat(Cli.run("export", store.toString(), "--format", "parquet", "--out", part.toString()).exitCode()).isZero();
        Path stray = Files.copy(text, parts.resolve("zz.parquet"));
        for (String[] files : new String[][] {{parts.toString()}, {part.toString(), stray.toString()}}) {
            Cli imported = Cli.run(concat(files, "--out", dir.resolve("m.tsp").toString()));
            assertThat(imported.exitCode()).as(imported.err()).isEqualTo(ExitCodes.FAILED);
            assertThat(imported.err()).startsWith("tsproc: " + stray + ": it is not a Parquet file (");
        }
        Cli ran = Cli.run("run", parts.toString());
        assertThat(ran.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ran.err()).startsWith("tsproc: " + stray + ": it is not a Parquet file").contains("; nothing was run.");
        Path arrow = Files.writeString(dir.resolve("empty.arrow"), "");
        Cli empty = Cli.run("import", arrow.toString(), "--out", dir.resolve("e.tsp").toString());
        assertThat(empty.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(empty.err()).startsWith("tsproc: " + arrow + ": it is not an Arrow IPC file (it is empty)");
    }

    @Test
    void anArrowStreamIsReadAsArrowNotCsv() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "series,ts,value\npump,1700000000000000000,1\nfan,1700000000000000001,\n");
        Path store = dir.resolve("a.tsp");
        assertThat(Cli.run("import", csv.toString(), "--out", store.toString(), "-q").exitCode()).isZero();
        Path file = dir.resolve("a.arrow");
        assertThat(Cli.run("export", store.toString(), "--format", "arrow", "--out", file.toString()).exitCode()).isZero();
        // The stream format is the file's messages without its magic and footer: "ARROW1" 00 00 | messages | footer, int32, "ARROW1".
        byte[] bytes = Files.readAllBytes(file);
        int footerLength = ByteBuffer.wrap(bytes, bytes.length - 10, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        Path stream = Files.write(dir.resolve("a.arrows"), Arrays.copyOfRange(bytes, 8, bytes.length - 10 - footerLength));
        Path back = dir.resolve("back.tsp");
        Cli imported = Cli.run("import", stream.toString(), "--out", back.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(store));

        Path cut = Files.write(dir.resolve("cut.arrows"), Arrays.copyOf(Files.readAllBytes(stream), 200));
        Cli damaged = Cli.run("import", cut.toString(), "--out", dir.resolve("c.tsp").toString());
        assertThat(damaged.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(damaged.err()).startsWith("tsproc: " + cut + ": it is damaged: ").contains("; nothing was imported.");
        assertThat(damaged.oneLineError()).as(damaged.err()).isTrue();
    }

    private static String[] concat(String[] files, String... options) {
        String[] args = new String[1 + files.length + options.length];
        args[0] = "import";
        System.arraycopy(files, 0, args, 1, files.length);
        System.arraycopy(options, 0, args, 1 + files.length, options.length);
        return args;
    }
}
