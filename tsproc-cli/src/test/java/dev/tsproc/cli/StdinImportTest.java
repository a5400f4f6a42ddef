package dev.tsproc.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14.6: {@code cat f.csv | tsproc import - --out s.tsp}, and {@code /dev/stdin}, run as a
 * user runs them: real CLI processes reading a pipe. Plain text and gzip give the store the file
 * gives; a bad line is reported with its line number; Ctrl-C while the import waits for more of
 * the pipe ends it with 130 and nothing left behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StdinImportTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(Process::destroyForcibly);
    }

    private Process tsproc(String... args) throws IOException {
        Process p = SignalTest.cli(dir, dir.resolve("cli.log"), args);
        started.add(p);
        return p;
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("cli.log"));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(name -> !name.equals("cli.log")).sorted().toList();
        }
    }

    @Test
    void aPipeImportsAsTheFileDoes() throws Exception {
        String csv = "series,ts,value\n\"boiler, north\",2023-11-14T22:13:21Z,1.5\npump,2023-11-14T22:13:20Z,\n";
        Path file = Files.writeString(dir.resolve("in.csv"), csv);
        Cli fromFile = Cli.run("import", file.toString(), "--out", dir.resolve("file.tsp").toString());
        assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
        Process cli = tsproc("import", "-", "--out", dir.resolve("pipe.tsp").toString());
        try (OutputStream stdin = cli.getOutputStream()) {
            stdin.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(cli.waitFor()).as(log()).isZero();
        assertThat(log()).contains("imported 2 rows of 2 series from stdin", "rows were sorted into time order");
        assertThat(Files.readAllBytes(dir.resolve("pipe.tsp"))).isEqualTo(Files.readAllBytes(dir.resolve("file.tsp")));
    }

    @Test
    void gzipOnDevStdinWithABadLineIsReportedAtItsLineAndLeavesNothing() throws Exception {
        StringBuilder csv = new StringBuilder("ts,value\n");
        for (int line = 2; line <= 20_000; line++) {
            csv.append(1_700_000_000_000L + line).append(line == 12_345 ? ",1.5f\n" : ",0.5\n");
        }
        Process cli = tsproc("import", "/dev/stdin", "--out", dir.resolve("s.tsp").toString());
        try (OutputStream stdin = new GZIPOutputStream(cli.getOutputStream())) {
            stdin.write(csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        assertThat(cli.waitFor()).as(log()).isEqualTo(1);
        assertThat(log().strip()).startsWith("tsproc: /dev/stdin: line 12345 (byte ")
                .contains("field 2 'value': '1.5f' is not a number; nothing was imported.").doesNotContain("\n");
        assertThat(files()).isEmpty();
    }

    /** The import waits in a read of the pipe, which its writer keeps open: Ctrl-C must wake it. */
    @Test
    void ctrlCWhileWaitingForThePipeExits130AndLeavesNothing() throws Exception {
        Process cli = tsproc("import", "-", "--out", dir.resolve("s.tsp").toString(),
                "--on-error", "skip", "--errors-out", dir.resolve("bad.txt").toString());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("ts,value\n".getBytes(StandardCharsets.UTF_8));
        for (long line = 0; text.size() <= 9 << 20; line++) { // more than the first chunk of 8 MiB, so parsing starts
            text.writeBytes((1_700_000_000_000L + line + ",0.25\n").getBytes(StandardCharsets.UTF_8));
        }
        OutputStream stdin = cli.getOutputStream();
        stdin.write(text.toByteArray());
        stdin.flush();
        // The errors file is begun once the first chunk's header is read: the import is under way, reading the pipe.
        while (files().stream().noneMatch(name -> name.startsWith(".bad.txt.partial-"))) {
            assertThat(cli.isAlive()).as(log()).isTrue();
            Thread.sleep(5); // polling what can be seen, not waiting for a time
        }
        new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).inheritIO().start().waitFor();
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as(log()).isTrue();
        stdin.close();
        assertThat(cli.exitValue()).as(log()).isEqualTo(130);
        assertThat(log()).contains("tsproc: interrupted; nothing was left behind.");
        assertThat(files()).isEmpty();
    }
}
