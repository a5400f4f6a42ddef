package dev.tsproc.cli;

import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands that write, stopped or killed mid-write, as real CLI processes with real signals
 * (issue 13 items 1 and 7): a signal to generate, import or export leaves nothing; what SIGKILL left, {@code clean} finds and
 * removes, never a live writer's file; a second import to a target being written fails at once.
 * Every test waits for what it can see — a writer's partial file — and freezes the writer
 * with SIGSTOP while it acts, so nothing depends on how fast the machine is.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InterruptedWritersTest {
    /** More rows than any writer here gets through: each is stopped long before the end. */
    private static final String MANY_ROWS = "400000000";

    @TempDir
    Path dir;

    /** A shared-memory root of this test's own, so that other processes' files cannot confuse it. */
    private Path shm;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void createShm() throws IOException {
        shm = Files.createTempDirectory(SharedSegments.root(), "writers-test-");
    }

    @AfterEach
    void removeAll() throws IOException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(shm)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @ParameterizedTest(name = "SIG{0} during generate {2}")
    @CsvSource({"INT, 130, --out", "TERM, 143, --out", "INT, 130, --shm", "TERM, 143, --shm"})
    void aSignalDuringGenerateLeavesNothing(String signal, int exitCode, String target) throws Exception {
        Path where = target.equals("--shm") ? shm : dir;
        List<String> args = new ArrayList<>(List.of("generate", "--rows", MANY_ROWS, "--threads", "1", "--quiet"));
        args.addAll(target.equals("--shm") ? List.of("--shm") : List.of("--out", dir.resolve("big.tsp").toString()));
        Process generate = start("generate", args);
        awaitPartials(where, 1, generate);
        kill("STOP", generate);
        kill(signal, generate); // held until CONT: the writer is surely mid-write when it arrives
        kill("CONT", generate);
        assertThat(generate.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(generate.exitValue()).as(log("generate")).isEqualTo(exitCode);
        assertThat(log("generate")).contains("tsproc: interrupted; nothing was left behind.");
        assertThat(listing(where)).isEmpty();
    }

    @ParameterizedTest(name = "SIG{0} during {1}")
    @CsvSource({"INT, import", "TERM, export"})
    void aSignalDuringImportOrExportLeavesNothing(String signal, String command) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        List<String> args = new ArrayList<>();
        if (command.equals("import")) {
            args.addAll(List.of("import", csv(dir.resolve("in.csv")).toString(), "--out", out.resolve("x.tsp").toString(),
                    "--threads", "1", "--quiet"));
        } else {
            Path store = dir.resolve("in.tsp");
            Generator.generate(GeneratorSpec.talk(ROWS), store, 2);
            args.addAll(List.of("export", store.toString(), "--out", out.resolve("x.csv").toString(), "--threads", "1"));
        }
        Process writer = start(command, args);
        awaitPartials(out, 1, writer);
        kill("STOP", writer);
        kill(signal, writer);
        kill("CONT", writer);
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.exitValue()).as(log(command)).isEqualTo(signal.equals("INT") ? 130 : 143);
        assertThat(log(command)).contains("tsproc: interrupted; nothing was left behind.");
        assertThat(listing(out)).isEmpty();
    }

    /** An import of several files writes each into a scratch directory beside the target: Ctrl-C removes it too. */
    @Test
    void ctrlCDuringAnImportOfSeveralFilesLeavesNothing() throws Exception {
        Path csv = csv(dir.resolve("in.csv"));
        Path out = Files.createDirectory(dir.resolve("out"));
        Process writer = start("import", List.of("import", csv.toString(), csv.toString(), "--out",
                out.resolve("x.tsp").toString(), "--threads", "1", "--quiet"));
        Path scratch;
        while (true) { // the scratch directory, then the first input's store being written in it
            try (Stream<Path> files = Files.list(out)) {
                scratch = files.filter(p -> p.getFileName().toString().startsWith(SharedSegments.RUN_PREFIX)).findFirst().orElse(null);
            }
            if (scratch != null) {
                break;
            }
            assertThat(writer.isAlive()).as(log("import")).isTrue();
            Thread.sleep(5); // polling what can be seen, not waiting for a time
        }
        awaitPartials(scratch, 1, writer);
        kill("STOP", writer);
        kill("INT", writer);
        kill("CONT", writer);
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.exitValue()).as(log("import")).isEqualTo(130);
        assertThat(log("import")).contains("tsproc: interrupted; nothing was left behind.");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void cleanRemovesWhatKilledWritersLeftButNeverALiveWritersFile() throws Exception {
        Path csv = csv(dir.resolve("in.csv"));
        Path disk = Files.createDirectory(dir.resolve("stores"));
        Process importShm = start("import", List.of("import", csv.toString(), "--shm", "--threads", "1", "--quiet"));
        Path importPartial = awaitPartials(shm, 1, importShm).getFirst();
        importShm.destroyForcibly().waitFor();
        Process generateOut = start("generate-out", List.of("generate", "--rows", MANY_ROWS, "--threads", "1", "--quiet",
                "--out", disk.resolve("g.tsp").toString()));
        Path generatePartial = awaitPartials(disk, 1, generateOut).getFirst();
        generateOut.destroyForcibly().waitFor();
        assertThat(listing(shm)).containsExactly(importPartial);
        assertThat(listing(disk)).containsExactly(generatePartial);

        Process live = start("live", List.of("generate", "--rows", MANY_ROWS, "--threads", "1", "--quiet", "--shm"));
        Path livePartial = awaitPartials(shm, 2, live).stream().filter(p -> !p.equals(importPartial)).findFirst().orElseThrow();
        kill("STOP", live);
        String importLeft = importPartial.toRealPath().toString();
        String generateLeft = generatePartial.toRealPath().toString();
        Process clean = start("clean", List.of("clean", disk.toString()));
        assertThat(clean.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(clean.exitValue()).as(log("clean")).isZero();
        assertThat(log("clean")).contains("removed " + importLeft, "removed " + generateLeft)
                .doesNotContain(livePartial.getFileName().toString());
        assertThat(listing(shm)).containsExactly(livePartial);
        assertThat(listing(disk)).isEmpty();

        kill("TERM", live);
        kill("CONT", live);
        assertThat(live.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(live.exitValue()).as(log("live")).isEqualTo(143);
        assertThat(listing(shm)).isEmpty();
    }

    @Test
    void aSecondImportToATargetBeingWrittenFailsAtOnceAndTheFirstIsKept() throws Exception {
        Path csv = csv(dir.resolve("in.csv"));
        Path stores = Files.createDirectory(dir.resolve("stores"));
        Path target = stores.resolve("x.tsp");
        // Two different stores from one file: with and without the series column.
        Process first = start("first", List.of("import", csv.toString(), "--out", target.toString(), "--threads", "1", "--quiet"));
        Path partial = awaitPartials(stores, 1, first).getFirst();
        kill("STOP", first);
        Process second = start("second", List.of("import", csv.toString(), "--out", target.toString(), "--no-series",
                "--threads", "1", "--quiet"));
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as(log("second")).isEqualTo(1);
        assertThat(log("second")).contains("tsproc: " + target + ": another tsproc command is writing it now ("
                + partial.getFileName() + "); wait until it has finished, or choose another path.");
        kill("CONT", first);
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(log("first")).isZero();
        try (Store store = Store.open(target)) {
            assertThat(store.hasSeries()).as("the first import's store").isTrue();
            assertThat(store.rowCount()).isEqualTo(ROWS);
        }
        assertThat(listing(stores)).containsExactly(target);
    }

    private static final int ROWS = 3_000_000;

    /** A CSV of {@link #ROWS} rows in time order, big enough that an import takes a moment. */
    private static Path csv(Path path) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.US_ASCII)) {
            out.write("series,ts,value\n");
            for (int i = 0; i < ROWS; i++) {
                out.write("s" + (i % 100) + "," + (1_700_000_000_000_000_000L + i * 1_000_000L) + "," + (i % 1000) + ".5\n");
            }
        }
        return path;
    }

    private Process start(String name, List<String> args) throws IOException {
        Process p = SignalTest.cli(shm, dir.resolve(name + ".log"), args.toArray(String[]::new));
        started.add(p);
        return p;
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    private static void kill(String signal, Process p) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
    }

    /**
     * Waits until {@code count} temporary files are in {@code where}, each with bytes in it;
     * fails if {@code writer} ends first. AtomicFile locks its file right after creating it and
     * before its first byte, so a writer stopped at an empty one may not hold its lock yet, and
     * would look dead.
     */
    private static List<Path> awaitPartials(Path where, int count, Process writer) throws Exception {
        while (true) {
            List<Path> partials = listing(where).stream().filter(p -> p.getFileName().toString().contains(".partial-")).toList();
            if (partials.size() >= count && partials.stream().allMatch(InterruptedWritersTest::hasBytes)) {
                return partials;
            }
            assertThat(writer.isAlive()).as("%s ended before its partial file appeared", writer.info().commandLine()).isTrue();
            Thread.sleep(5); // polling what can be seen, not waiting for a time
        }
    }

    private static boolean hasBytes(Path file) {
        try {
            return Files.size(file) > 0;
        } catch (IOException gone) {
            return false;
        }
    }

    private static List<Path> listing(Path where) throws IOException {
        try (Stream<Path> files = Files.list(where)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".log") && !p.getFileName().toString().endsWith(".csv"))
                    .filter(p -> !Files.isDirectory(p)).sorted().toList();
        }
    }
}
