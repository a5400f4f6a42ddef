package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.store.SharedSegments;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RELIABILITY row 16: a full device — a shared-memory tmpfs most of all — must give one clear
 * sentence and leave nothing behind, never a SIGBUS crash. Each case runs the CLI in a child JVM
 * inside a mount namespace of its own, on an 8 MB tmpfs mounted there only (so nothing outlives
 * the test). Skipped where mount namespaces are not allowed (not root, or no {@code unshare}).
 */
class FullDeviceTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void needsMountNamespaces() throws Exception {
        assumeTrue(inTinyTmpfs(List.of("true")).exit() == 0, "unshare -m and mount -t tmpfs are not allowed here");
    }

    record Outcome(int exit, String output) {}

    /** Runs {@code tsproc args} with an 8 MB tmpfs at {@code dir/tiny} as its shared memory. */
    private static Outcome run(String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
                "-D" + SharedSegments.ROOT_PROPERTY + "=" + tiny(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        java.addAll(List.of(args));
        return inTinyTmpfs(java);
    }

    private static Path tiny() throws IOException {
        return Files.createDirectories(dir.resolve("tiny"));
    }

    /**
     * Runs {@code command} in a mount namespace of its own with an 8 MB tmpfs at {@link #tiny()},
     * then lists what it left there as lines {@code left: NAME}.
     */
    private static Outcome inTinyTmpfs(List<String> command) throws IOException, InterruptedException {
        String script = "mount -t tmpfs -o size=8m tsproc-test " + tiny() + " || exit 99; "
                + "\"$@\"; code=$?; ls -A " + tiny() + " | sed 's/^/left: /'; exit $code";
        List<String> all = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"));
        all.addAll(command);
        return start(all);
    }

    private static Outcome start(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".log");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            return new Outcome(-1, e.getMessage()); // no unshare at all
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the CLI did not end within 2 minutes: " + Files.readString(log));
        }
        return new Outcome(p.exitValue(), Files.readString(log));
    }

    @Test
    void generatingIntoAFullTmpfsFailsInOneSentenceAndLeavesNothing() throws Exception {
        Path out = dir.resolve("tiny").resolve("big.tsp");
        Outcome o = run("generate", "--rows", "2000000", "--out", out.toString(), "--quiet");
        assertThat(o.exit()).as(o.output()).isEqualTo(ExitCodes.FAILED);
        assertThat(o.output().strip()).isEqualTo("tsproc: no space left on the device being written to; free some space"
                + " there (df -h shows it) or write elsewhere — nothing was left behind. (--verbose shows details)");
    }

    @Test
    void importingIntoAFullTmpfsFailsInOneSentenceAndLeavesNothing() throws Exception {
        // 1M rows: a 20 MB store, written while the file is parsed, into 8 MB.
        Path csv = dir.resolve("big.csv");
        StringBuilder text = new StringBuilder("series,ts,value\n");
        for (int i = 0; i < 1_000_000; i++) {
            text.append("s").append(i % 10).append(',').append(1_700_000_000_000_000_000L + i).append(",1.5\n");
        }
        Files.writeString(csv, text);
        Outcome o = run("import", csv.toString(), "--out", dir.resolve("tiny").resolve("big.tsp").toString(), "--quiet");
        assertThat(o.exit()).as(o.output()).isEqualTo(ExitCodes.FAILED);
        assertThat(o.output().strip()).isEqualTo("tsproc: no space left on the device being written to; free some space"
                + " there (df -h shows it) or write elsewhere — nothing was left behind. (--verbose shows details)");
    }

    @Test
    void theDefaultRunInAFullSharedMemoryFailsInOneSentenceAndLeavesNothing() throws Exception {
        Outcome o = run("run", "--rows", "2000000", "--quiet");
        assertThat(o.exit()).as(o.output()).isEqualTo(ExitCodes.FAILED);
        assertThat(o.output()).contains("tsproc: no space left on the device being written to")
                .doesNotContain("left: ").doesNotContain("\tat ").doesNotContain("SIGBUS");
    }
}
