package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C and SIGTERM sent to a real CLI process: it stops within a second, removes its shared
 * memory and exits with 130 or 143.
 */
class SignalTest {

    /**
     * Starts the CLI in a child JVM with SIGINT at its default disposition: a JVM started in the
     * background by a non-interactive shell inherits SIGINT ignored and would never see Ctrl-C,
     * so a small Python shim resets it before exec.
     */
    static Process cli(Path shm, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
                "-D" + SharedSegments.ROOT_PROPERTY + "=" + shm, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @ParameterizedTest(name = "{0} during {1}")
    @CsvSource({"INT, 130, 600", "TERM, 143, 600", "INT, 130, 1800", "TERM, 143, 1800"})
    void aSignalStopsTheDefaultRunCleanly(String signal, int exitCode, long afterMillis) throws Exception {
        // A shared-memory directory of this test's own, so runs of other processes cannot confuse it.
        Path shm = Files.createTempDirectory(Path.of(SharedSegments.root().toString()), "signal-test-");
        Path log = Files.createTempFile("tsproc-signal", ".log");
        try {
            Process cli = cli(shm, log, "run", "--rows", "120000000", "--batch-rows", "65536", "--verbose");
            Thread.sleep(afterMillis);
            assertThat(cli.isAlive()).as("still working when signalled: %s", Files.readString(log)).isTrue();
            long sent = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(cli.pid())).start().waitFor();
            assertThat(cli.waitFor(5, TimeUnit.SECONDS)).as("exited after SIG%s", signal).isTrue();
            long tookMillis = (System.nanoTime() - sent) / 1_000_000;
            assertThat(cli.exitValue()).as(Files.readString(log)).isEqualTo(exitCode);
            assertThat(tookMillis).as("stopped within a second").isLessThan(1000);
            try (var left = Files.list(shm)) {
                assertThat(left).as("shared memory left behind; log: %s", Files.readString(log)).isEmpty();
            }
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(shm);
        }
    }

    @ParameterizedTest(name = "{0} while worker processes compute")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalStopsWorkerProcessesAndReportsPartialProgress(String signal, int exitCode) throws Exception {
        Path shm = Files.createTempDirectory(Path.of(SharedSegments.root().toString()), "signal-test-");
        Path log = Files.createTempFile("tsproc-signal", ".log");
        try {
            Process cli = cli(shm, log, "run", "--rows", "2000000", "--batch-rows", "65536", "--executor", "processes",
                    "--workers", "2", "--job", FaultJob.class.getName(), "--param", "millis=400");
            // Wait until both worker JVMs run, then a little longer so that batches are under way.
            List<ProcessHandle> workers = List.of();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (workers.size() < 2 && System.nanoTime() < until) {
                Thread.sleep(50);
                workers = cli.descendants().filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).toList();
            }
            assertThat(workers).as("worker JVMs; log: %s", Files.readString(log)).hasSize(2);
            Thread.sleep(2500); // past the workers' warm-up, so the job is under way (31 batches x 400 ms on 2 workers)
            assertThat(cli.isAlive()).as("still working when signalled: %s", Files.readString(log)).isTrue();
            long sent = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(cli.pid())).start().waitFor();
            assertThat(cli.waitFor(5, TimeUnit.SECONDS)).as("exited after SIG%s", signal).isTrue();
            long tookMillis = (System.nanoTime() - sent) / 1_000_000;
            String output = Files.readString(log);
            assertThat(cli.exitValue()).as(output).isEqualTo(exitCode);
            assertThat(tookMillis).as("stopped within a second").isLessThan(1000);
            assertThat(output).contains("tsproc: interrupted after ").contains(" of 31 batches finished");
            for (ProcessHandle w : workers) {
                assertThat(w.onExit().get(3, TimeUnit.SECONDS).isAlive()).as("worker %d", w.pid()).isFalse();
            }
            try (var left = Files.list(shm)) {
                assertThat(left).as("shared memory left behind; log: %s", output).isEmpty();
            }
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(shm);
        }
    }
}
