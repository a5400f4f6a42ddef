package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;
import dev.tsproc.testkit.Await;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C and SIGTERM sent to a real CLI process: it stops, removes its shared memory and exits
 * with 130 or 143. Each signal is sent once the run has reached the phase under test — seen in
 * shared memory, its log or a batch's marker file, never guessed from elapsed time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
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

    /** Generating: the run has made its directory in shared memory; computing: it has said the store is generated. */
    @ParameterizedTest(name = "{0} while {2}")
    @CsvSource({"INT, 130, generating", "TERM, 143, generating", "INT, 130, computing", "TERM, 143, computing"})
    void aSignalStopsTheDefaultRunCleanly(String signal, int exitCode, String phase) throws Exception {
        // A shared-memory directory of this test's own, so runs of other processes cannot confuse it.
        Path shm = Files.createTempDirectory(Path.of(SharedSegments.root().toString()), "signal-test-");
        Path log = Files.createTempFile("tsproc-signal", ".log");
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            shm.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            log.getParent().register(watch, StandardWatchEventKinds.ENTRY_MODIFY);
            Process cli = cli(shm, log, "run", "--rows", "120000000", "--batch-rows", "65536", "--verbose");
            while (phase.equals("generating") ? isEmpty(shm) : !Files.readString(log).contains("generated the talk's workload")) {
                watch.take().reset();
            }
            assertThat(cli.isAlive()).as("still working when signalled: %s", Files.readString(log)).isTrue();
            new ProcessBuilder("kill", "-" + signal, Long.toString(cli.pid())).start().waitFor();
            assertThat(cli.waitFor()).as(Files.readString(log)).isEqualTo(exitCode);
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
    void aSignalStopsWorkerProcessesAndReportsPartialProgress(String signal, int exitCode, @TempDir Path marks)
            throws Exception {
        Path shm = Files.createTempDirectory(Path.of(SharedSegments.root().toString()), "signal-test-");
        Path log = Files.createTempFile("tsproc-signal", ".log");
        try {
            Process cli = cli(shm, log, "run", "--rows", "2000000", "--batch-rows", "65536", "--executor", "processes",
                    "--workers", "2", "--job", FaultJob.class.getName(), "--param", "millis=400", "--param", "hang=30",
                    "--param", "marks=" + marks);
            // Both workers are computing, and the run cannot end before the signal: its last batch hangs.
            Await.file(marks.resolve("batch-0"));
            Await.file(marks.resolve("batch-1"));
            List<ProcessHandle> workers = cli.descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).toList();
            assertThat(workers).as("worker JVMs; log: %s", Files.readString(log)).hasSize(2);
            assertThat(cli.isAlive()).as("still working when signalled: %s", Files.readString(log)).isTrue();
            new ProcessBuilder("kill", "-" + signal, Long.toString(cli.pid())).start().waitFor();
            assertThat(cli.waitFor()).as(Files.readString(log)).isEqualTo(exitCode);
            String output = Files.readString(log);
            assertThat(output).contains("tsproc: interrupted after ").contains(" of 31 batches finished");
            for (ProcessHandle w : workers) {
                assertThat(w.onExit().get().isAlive()).as("worker %d", w.pid()).isFalse();
            }
            try (var left = Files.list(shm)) {
                assertThat(left).as("shared memory left behind; log: %s", output).isEmpty();
            }
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(shm);
        }
    }

    /**
     * Issue 13.12: a job on threads that ignores its interrupt never ends, so the command cannot
     * clean up; the shutdown path deletes its run directory after its grace period and the JVM
     * halts, ending the job's threads. Its batches hang until then, deaf to the interrupt.
     */
    @ParameterizedTest(name = "{0} to a job that ignores interrupts")
    @CsvSource({"INT, 130"})
    void aSignalRemovesTheRunDirectoryEvenIfTheJobIgnoresItsInterrupt(String signal, int exitCode, @TempDir Path marks)
            throws Exception {
        Path shm = Files.createTempDirectory(Path.of(SharedSegments.root().toString()), "signal-test-");
        Path log = Files.createTempFile("tsproc-signal", ".log");
        try {
            Process cli = cli(shm, log, "run", "--rows", "200000", "--batch-rows", "65536", "--workers", "1",
                    "--job", FaultJob.class.getName(), "--param", "hang=0", "--param", "deaf=true", "--param", "marks=" + marks);
            Await.file(marks.resolve("batch-0"));
            assertThat(isEmpty(shm)).as("the run directory before the signal").isFalse();
            new ProcessBuilder("kill", "-" + signal, Long.toString(cli.pid())).start().waitFor();
            assertThat(cli.waitFor()).as(Files.readString(log)).isEqualTo(exitCode);
            assertThat(Files.readString(log)).contains("tsproc: interrupted; the command did not stop within 5 s, so it was ended"
                    + " and its shared memory removed.");
            try (var left = Files.list(shm)) {
                assertThat(left).as("shared memory left behind; log: %s", Files.readString(log)).isEmpty();
            }
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(shm);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
