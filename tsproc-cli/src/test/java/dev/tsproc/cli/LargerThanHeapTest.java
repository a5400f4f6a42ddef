package dev.tsproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Data lives off-heap: a store several times larger than the JVM's heap generates and runs. */
class LargerThanHeapTest {
    @TempDir
    Path dir;

    private static Process cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void aStoreTenTimesTheHeapRuns() throws Exception {
        Path store = dir.resolve("big.tsp");
        Process generate = cli("generate", "--rows", "25000000", "--out", store.toString(), "--quiet");
        String generated = new String(generate.getInputStream().readAllBytes());
        assertThat(generate.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(generate.exitValue()).as(generated).isZero();
        assertThat(Files.size(store)).isGreaterThan(10L * 32 * 1024 * 1024);

        Process run = cli("run", store.toString(), "--job", "count", "--format", "csv");
        String out = new String(run.getInputStream().readAllBytes());
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("(?m)^count\\n\\d+$");
    }
}
