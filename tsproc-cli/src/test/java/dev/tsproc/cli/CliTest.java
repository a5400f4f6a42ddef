package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.store.SharedSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {
    @TempDir
    Path dir;

    private Path generate(String name, String... extra) {
        Path file = dir.resolve(name);
        String[] args = Stream.concat(Stream.of("generate", "--rows", "100003", "--out", file.toString()), Stream.of(extra))
                .toArray(String[]::new);
        Cli cli = Cli.run(args);
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out().strip()).isEqualTo(file.toString());
        return file;
    }

    @Test
    void generatesAndRunsEveryJobWithTheSameAnswerForAnyWorkerCount() {
        Path file = generate("talk.tsp");
        Cli one = Cli.run("run", file.toString(), "--workers", "1", "--format", "csv");
        Cli many = Cli.run("run", file.toString(), "--workers", "5", "--batch-rows", "999", "--format", "csv");
        assertThat(one.exitCode()).isZero();
        assertThat(many.out()).isEqualTo(one.out());
        assertThat(one.out()).startsWith("count,missing,sum,mean,min,max,stddev\n");
        String[] values = one.out().lines().skip(1).findFirst().orElseThrow().split(",");
        assertThat(Long.parseLong(values[0]) + Long.parseLong(values[1])).isEqualTo(100_003);
        assertThat(values[4]).isEqualTo("0.0");
        assertThat(values[5]).isEqualTo("1.0");
        assertThat(one.err()).contains("stats over 100,003 rows");
        for (String job : new String[] {"count", "missing", "sum", "mean", "min", "max", "stddev"}) {
            Cli cli = Cli.run("run", file.toString(), "--job", job, "--format", "csv");
            assertThat(cli.exitCode()).isZero();
            assertThat(cli.out()).startsWith(job + "\n").hasLineCount(2);
        }
    }

    @Test
    void aBuiltinJobPrintsWhatTheSameQueryPrints() {
        Path file = generate("same.tsp");
        for (String format : new String[] {"table", "csv", "json"}) {
            for (String job : new String[] {"stats", "sum", "count"}) {
                Cli builtin = Cli.run("run", file.toString(), "--job", job, "--format", format, "--batch-rows", "7777");
                Cli query = Cli.run("run", file.toString(), "--agg", job, "--format", format);
                assertThat(builtin.exitCode()).as(builtin.err()).isZero();
                assertThat(query.exitCode()).as(query.err()).isZero();
                assertThat(builtin.out()).as("--job %s --format %s", job, format).isEqualTo(query.out());
            }
        }
    }

    @Test
    void printsJsonWithNullForNoValue() {
        Path file = generate("nan.tsp", "--missing", "1");
        Cli cli = Cli.run("run", file.toString(), "--format", "json");
        assertThat(cli.out().strip()).isEqualTo(
                "[{\"count\":0,\"missing\":100003,\"sum\":0.0,\"mean\":null,\"min\":null,\"max\":null,\"stddev\":null}]");
    }

    @Test
    void infoShowsSchemaAndVerifiesChecksums() {
        Path file = generate("s.tsp", "--series", "10", "--distribution", "gauss");
        Cli cli = Cli.run("info", file.toString());
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("rows       100,003", "series     10", "checksums  ok",
                "ts       int64", "value    float64", "series   int32", "2023-11-14T22:13:20Z");
        Cli json = Cli.run("info", file.toString(), "--format", "json");
        assertThat(json.out()).contains("\"rows\":100003", "\"checksums\":\"ok\"");
    }

    /** Issue 14.11: info lists each series with its rows, missing values and time range, in both formats. */
    @Test
    void infoListsTheSeriesWithRowsMissingValuesAndTimes() throws Exception {
        Path file = generate("m.tsp", "--series", "4", "--missing", "0.1");
        long[] rows = new long[4];
        long[] missing = new long[4];
        long[] first = new long[4];
        long[] last = new long[4];
        try (dev.tsproc.store.Store store = dev.tsproc.store.Store.open(file)) {
            for (long i = 0; i < store.rowCount(); i++) {
                int s = store.column(dev.tsproc.data.Column.SERIES).getAtIndex(dev.tsproc.data.Column.SERIES_LAYOUT, i);
                long ts = store.column(dev.tsproc.data.Column.TS).getAtIndex(dev.tsproc.data.Column.TS_LAYOUT, i);
                double v = store.column(dev.tsproc.data.Column.VALUE).getAtIndex(dev.tsproc.data.Column.VALUE_LAYOUT, i);
                first[s] = rows[s]++ == 0 ? ts : first[s];
                last[s] = ts;
                missing[s] += Double.isNaN(v) ? 1 : 0;
            }
        }
        Cli table = Cli.run("info", file.toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains(String.format(java.util.Locale.ROOT, "missing    %,d%n", java.util.Arrays.stream(missing).sum()))
                .containsPattern("\n\nseries +rows +missing +first +last\n");
        Cli json = Cli.run("info", file.toString(), "--format", "json");
        for (int s = 0; s < 4; s++) {
            String name = "s" + s;
            assertThat(table.out()).containsPattern("\n" + name + " +" + String.format(java.util.Locale.ROOT, "%,d +%,d", rows[s], missing[s])
                    + " +" + java.time.Instant.ofEpochSecond(0, first[s]) + " +" + java.time.Instant.ofEpochSecond(0, last[s]) + "\n");
            assertThat(json.out()).contains("{\"name\":\"" + name + "\",\"rows\":" + rows[s] + ",\"missing\":" + missing[s]
                    + ",\"first\":\"" + java.time.Instant.ofEpochSecond(0, first[s]) + "\",\"last\":\""
                    + java.time.Instant.ofEpochSecond(0, last[s]) + "\"}");
        }
        Path plain = generate("plain.tsp", "--missing", "0.5");
        Cli noSeries = Cli.run("info", plain.toString(), "--format", "json");
        assertThat(noSeries.out()).contains("\"series\":0,").contains("\"perSeries\":[]").containsPattern("\"missing\":[1-9]");
        assertThat(Cli.run("info", plain.toString(), "--format", "csv").exitCode()).isEqualTo(2);
    }

    @Test
    void theDefaultRunGeneratesInSharedMemoryAndRemovesIt() throws IOException {
        Path shm = Files.createTempDirectory(SharedSegments.root(), "cli-test-");
        System.setProperty(SharedSegments.ROOT_PROPERTY, shm.toString());
        try {
            Cli cli = Cli.run("run", "--rows", "200000", "--job", "count", "--format", "csv");
            assertThat(cli.exitCode()).as(cli.err()).isZero();
            assertThat(cli.out()).isEqualTo("count\n" + countOf(cli) + "\n");
            assertThat(cli.err()).contains("generated the talk's workload: 200,000 rows in shared memory");
            try (Stream<Path> left = Files.list(shm)) {
                assertThat(left).isEmpty();
            }
        } finally {
            System.clearProperty(SharedSegments.ROOT_PROPERTY);
            Files.delete(shm);
        }
    }

    private static String countOf(Cli cli) {
        return cli.out().lines().skip(1).findFirst().orElseThrow();
    }

    @Test
    void generateToSharedMemoryPrintsThePathAndCleanRemovesIt() throws IOException {
        Cli cli = Cli.run("generate", "--rows", "1000", "--shm");
        Path store = Path.of(cli.out().strip());
        try {
            assertThat(store).exists().hasFileName(store.getFileName().toString());
            assertThat(store.getFileName().toString()).startsWith("tsproc-store-");
            assertThat(Cli.run("info", store.toString()).exitCode()).isZero();
        } finally {
            Cli clean = Cli.run("clean", "--stores");
            assertThat(clean.out()).contains("removed " + store);
        }
        assertThat(store).doesNotExist();
    }

    // --- bad input: one sentence, non-zero exit code, no stack trace

    @Test
    void aMissingFileIsOneSentence() {
        Cli cli = Cli.run("run", dir.resolve("nope.tsp").toString());
        assertThat(cli.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.err()).contains("nope.tsp does not exist").contains("--verbose");
        assertThat(cli.oneLineError()).isTrue();
    }

    @Test
    void aForeignFileIsOneSentenceForInfoAndRun() throws IOException {
        Path foreign = Files.writeString(dir.resolve("notes.txt"), "time,value\n1,2\n".repeat(10));
        for (String command : new String[] {"info", "run"}) {
            Cli cli = Cli.run(command, foreign.toString());
            assertThat(cli.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(cli.err()).contains("is not a valid tsproc store").doesNotContain("Exception");
            assertThat(cli.oneLineError()).isTrue();
        }
    }

    @Test
    void aTruncatedFileIsDetectedBeforeItIsRead() throws IOException {
        Path file = generate("t.tsp");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        for (String command : new String[] {"info", "run"}) {
            Cli cli = Cli.run(command, file.toString());
            assertThat(cli.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(cli.err()).contains("truncated");
            assertThat(cli.oneLineError()).isTrue();
        }
    }

    @Test
    void damagedDataIsCaughtByInfoAndByRunWithVerify() throws IOException {
        Path file = generate("d.tsp");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 3] ^= 0x10; // inside the ts column (the middle of the file is padding, which no checksum covers)
        Files.write(file, bytes);
        Cli info = Cli.run("info", file.toString());
        assertThat(info.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(info.err()).contains("checksum does not match");
        Cli run = Cli.run("run", file.toString(), "--verify");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("checksum does not match");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Cli cli = Cli.run("run", dir.resolve("nope.tsp").toString(), "--verbose");
        assertThat(cli.err()).contains("NoSuchFileException", "\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "run --job median", "run --workers 0", "run --workers -2", "run --batch-rows 0", "run --batch-rows -5",
            "generate --rows -1 --out x.tsp", "generate --rows 10", "generate --rows 10 --out x.tsp --threads 0",
            "generate --rows 10 --out x.tsp --distribution zipf", "generate --rows 10 --out x.tsp --missing 2",
            "run --on-failure maybe", "run --rows -3", "frobnicate"})
    void usageErrorsAreOneSentenceWithExitCode2(String line) {
        Cli cli = Cli.run(line.split(" "));
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).startsWith("tsproc: ").contains("--help");
        assertThat(cli.oneLineError()).as(cli.err()).isTrue();
        assertThat(dir.resolve("x.tsp")).doesNotExist();
    }

    @Test
    void aFailedGenerateLeavesNothingBehind() throws IOException {
        Path existing = Files.writeString(dir.resolve("taken.tsp"), "mine");
        Cli taken = Cli.run("generate", "--rows", "10", "--out", existing.toString());
        assertThat(taken.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(taken.err()).contains("already exists");
        assertThat(Files.readString(existing)).isEqualTo("mine");
        Cli noDir = Cli.run("generate", "--rows", "10", "--out", dir.resolve("no/such/dir.tsp").toString());
        assertThat(noDir.exitCode()).isEqualTo(ExitCodes.FAILED);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(existing);
        }
    }
}
