package dev.tsproc.exec;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.process.WorkerDiedException;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.QueryResult;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.Await;
import dev.tsproc.testkit.ManualClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Worker JVMs live and die with their coordinator (RELIABILITY rows 1, 9, 10, 11, 12): a worker
 * that dies fails its batch promptly, a worker that cannot start says why, cancelling stops
 * workers' batches, and a coordinator killed with SIGKILL leaves no worker behind and a run
 * directory that the sweep removes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessLifecycleTest {
    @TempDir
    static Path dir;
    static Path store;

    @BeforeAll
    static void makeStore() throws Exception {
        store = dir.resolve("talk.tsp");
        Generator.generate(GeneratorSpec.talk(50_000), store, 1);
    }

    static ProcessExecutor pool(int workers) throws Exception {
        return ProcessExecutor.start(workers, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withWorkerLog(line -> {}));
    }

    static Object runSleepy(ProcessExecutor pool, Map<String, String> parameters) throws Exception {
        JobRequest spec = JobRequest.custom(TestJobs.Sleepy.class.getName(), parameters, List.of());
        try (Store s = Store.open(store)) {
            return Tsproc.of(s).run(spec,
                    // No retries: these tests watch the first failure itself (FaultToleranceTest covers retries).
                    RunOptions.defaults().withWorkers(pool.workers()).withBatchRows(1_000).withRetries(0), pool).result();
        }
    }

    /** On a clock that never moves, so the start-up deadline cannot be what ends the wait: the worker's exit does. */
    @Test
    void aWorkerThatCannotStartSaysWhy() {
        assertThatThrownBy(() -> ProcessExecutor.start(1, ProcessExecutor.Config.defaults()
                .withJvmOptions(List.of("-XX:+NoSuchOptionForTsproc")).withWorkerLog(line -> {}).withClock(new ManualClock())))
                .isInstanceOf(WorkerDiedException.class)
                .hasMessageContaining("worker-1")
                .hasMessageContaining("exited with status 1")
                .hasMessageContaining("NoSuchOptionForTsproc");
    }

    @Test
    void aWorkerThatDiesFailsItsBatchAndLeavesTheStoreAlone() throws Exception {
        try (ProcessExecutor pool = pool(2)) {
            assertThatThrownBy(() -> runSleepy(pool, Map.of("millis", "1", "exitAt", "7")))
                    .isInstanceOf(JobFailedException.class)
                    .satisfies(e -> {
                        BatchFailedException f = ((JobFailedException) e).failures().getFirst();
                        assertThat(f.batch().index()).isEqualTo(7);
                        assertThat(f.getCause()).isInstanceOf(WorkerDiedException.class)
                                .hasMessageContaining("exited with status 42");
                    });
        }
        // Only the coordinator removes stores; a dying worker only unmaps.
        assertThat(store).exists();
        try (Store s = Store.open(store)) {
            QueryResult stats = Tsproc.of(s).run(BuiltinJob.named("stats"), RunOptions.defaults().withWorkers(2)).result();
            assertThat((long) (stats.get(Aggregate.COUNT) + stats.get(Aggregate.MISSING))).isEqualTo(50_000);
        }
    }

    /**
     * On a clock that never moves, so neither the silence limit nor a deadline can be what
     * notices: the end of the worker's pipe does, at once.
     */
    @Test
    void aWorkerKilledMidBatchIsNoticedByItsDeathNotItsSilence(@TempDir Path once) throws Exception {
        try (ProcessExecutor pool = ProcessExecutor.start(1, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withWorkerLog(line -> {}).withClock(new ManualClock()))) {
            CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return runFaulty(pool, Map.of("hang", "0", "once", once.toString()), 0);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Await.file(once.resolve("batch-0"));
            ProcessHandle.of(pool.processes().getFirst().pid()).orElseThrow().destroyForcibly();
            assertThatThrownBy(run::get).isInstanceOf(ExecutionException.class)
                    .rootCause().isInstanceOf(WorkerDiedException.class).hasMessageContaining("worker-1");
        }
    }

    /** Both workers are inside a hanging batch when the coordinator is interrupted; each stops it when told. */
    @Test
    void interruptingTheCoordinatorCancelsWorkersBatchesAndKeepsThePool(@TempDir Path once) throws Exception {
        try (ProcessExecutor pool = pool(2)) {
            Thread coordinator = Thread.ofPlatform().start(() -> {
                assertThatThrownBy(() -> runFaulty(pool, Map.of("hang", "0,1", "once", once.toString()), 0))
                        .isInstanceOf(InterruptedException.class);
            });
            Await.file(once.resolve("batch-0"));
            Await.file(once.resolve("batch-1"));
            coordinator.interrupt();
            coordinator.join();
            assertThat(pool.processes()).allSatisfy(p -> assertThat(p.broken()).isNull());
            assertThat(runSleepy(pool, Map.of("millis", "0"))).isEqualTo(50_000L);
        }
    }

    /**
     * A replacement worker that is interrupted before it is ready must not stay in the pool: it
     * would hold an unread READY that the next job's OPEN_JOB reads as its answer. Every JVM of
     * this pool stops at start-up until the test removes a gate file (HotSpot's
     * {@code PauseAtStartup}), so the coordinator is interrupted exactly while the replacement
     * for a halted worker waits to become ready.
     */
    @Test
    void aReplacementInterruptedBeforeItIsReadyIsNotLeftInThePool(@TempDir Path gates) throws Exception {
        Path gate = gates.resolve("paused");
        List<String> paused = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup",
                "-XX:PauseAtStartupFile=" + gate);
        CompletableFuture<Void> firstStart = CompletableFuture.runAsync(() -> open(gate));
        try (ProcessExecutor pool = ProcessExecutor.start(1, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withWorkerLog(line -> {}).withJvmOptions(paused))) {
            firstStart.get();
            long first = pool.processes().getFirst().pid();
            Map<String, String> haltOnce = Map.of("halt", "3", "once", Files.createTempDirectory(gates, "once").toString());
            CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
            Thread coordinator = Thread.ofPlatform().start(() -> cancelled.complete(
                    org.assertj.core.api.Assertions.catchThrowable(() -> runFaulty(pool, haltOnce, 1))));
            Await.file(gate); // worker-1 halted at batch 3; its replacement is paused before READY
            ProcessHandle replacement = ProcessHandle.current().children()
                    .filter(h -> h.pid() != first && h.isAlive()).findFirst().orElseThrow();
            coordinator.interrupt();
            assertThat(cancelled.get()).isInstanceOf(JobCancelledException.class);
            Files.delete(gate); // the replacement may go on and send READY, if it still lives

            CompletableFuture<Void> nextStart = CompletableFuture.runAsync(() -> open(gate));
            assertThat(runFaulty(pool, Map.of(), 1)).as("the next job on the pool").isEqualTo(50_000L);
            nextStart.get();
            replacement.onExit().get(); // killed when interrupted, not left running outside the pool
            assertThat(pool.processes()).singleElement().satisfies(p -> {
                assertThat(p.pid()).isNotIn(first, replacement.pid());
                assertThat(p.broken()).isNull();
            });
        }
    }

    /**
     * Issue 13.12: a worker killed while the pool starts is started once more, and the pool
     * starts. Every JVM of this pool stops at start-up until the test removes a gate file, so the
     * first worker is killed exactly while it starts.
     */
    @Test
    void aWorkerKilledWhileThePoolStartsIsStartedOnceMore(@TempDir Path gates) throws Exception {
        Path gate = gates.resolve("paused");
        List<String> paused = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup",
                "-XX:PauseAtStartupFile=" + gate);
        CompletableFuture<Long> victim = new CompletableFuture<>();
        Thread gatekeeper = Thread.ofPlatform().start(() -> {
            try {
                Await.file(gate);
                ProcessHandle first = ProcessHandle.current().children().filter(h -> h.info().arguments()
                        .map(a -> List.of(a).contains("-XX:PauseAtStartupFile=" + gate)).orElse(false))
                        .findFirst().orElseThrow();
                first.destroyForcibly();
                first.onExit().join();
                victim.complete(first.pid());
                // The replacement may have made the gate already (then this lets it go on) or not yet.
                Files.deleteIfExists(gate);
                while (!Thread.currentThread().isInterrupted()) { // until the pool has started
                    open(gate);
                }
            } catch (IOException | RuntimeException e) {
                victim.completeExceptionally(e);
            } catch (InterruptedException e) {
                // the pool has started
            }
        });
        try (ProcessExecutor pool = ProcessExecutor.start(1, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withWorkerLog(line -> {}).withJvmOptions(paused))) {
            gatekeeper.interrupt();
            gatekeeper.join();
            assertThat(pool.processes()).singleElement().satisfies(p -> {
                assertThat(p.pid()).isNotEqualTo(victim.join());
                assertThat(p.isAlive()).isTrue();
            });
            assertThat(runFaulty(pool, Map.of(), 0)).as("a job on the pool").isEqualTo(50_000L);
        } finally {
            gatekeeper.interrupt();
            gatekeeper.join();
        }
    }

    /**
     * Issue 13.12: a run's deadline that passes while its worker JVMs are still starting ends the
     * run then — it used to be honoured only once they had started — and the starting JVMs are
     * killed. Every worker JVM stops at start-up until a gate file is removed (HotSpot's
     * {@code PauseAtStartup}), which this test never does; the run's clock is the test's, moved
     * past the deadline once both workers are held at the gate.
     */
    @Test
    void aDeadlineThatPassesWhileWorkersStartCancelsTheStart(@TempDir Path gates) throws Exception {
        Path gate = gates.resolve("paused");
        List<String> paused = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup",
                "-XX:PauseAtStartupFile=" + gate);
        ManualClock clock = new ManualClock();
        ProcessExecutor.Config config = ProcessExecutor.Config.defaults().withWorkerLog(line -> {}).withJvmOptions(paused);
        try (Tsproc ts = Tsproc.open(store, config)) {
            RunOptions options = RunOptions.defaults().withExecutor(Executor.Kind.PROCESSES).withWorkers(2).withBatchRows(10_000)
                    .withTimeout(java.time.Duration.ofMillis(300)).withClock(clock);
            CompletableFuture<Throwable> ended = CompletableFuture.supplyAsync(
                    () -> org.assertj.core.api.Assertions.catchThrowable(() -> ts.run(JobRequest.builtin("sum"), options)));
            List<ProcessHandle> starting = new ArrayList<>();
            while (starting.size() < 2) {
                Await.file(gate);
                starting = ProcessHandle.current().children().filter(h -> h.info().arguments()
                        .map(a -> List.of(a).contains("-XX:PauseAtStartupFile=" + gate)).orElse(false)).toList();
            }
            assertThat(ended).as("the run before its deadline").isNotDone();
            clock.advance(java.time.Duration.ofMillis(300));
            assertThat(ended.get()).isInstanceOf(JobTimedOutException.class)
                    .hasMessage("job sum exceeded its timeout of 300 ms while its worker JVMs were starting:"
                            + " 0 of 5 batches finished (0 of 50,000 rows); 5 not started");
            for (ProcessHandle worker : starting) {
                assertThat(worker.onExit().get().isAlive()).as("worker %d", worker.pid()).isFalse();
            }
        }
    }

    /** Lets one paused worker JVM go on: waits until it has made {@code gate}, then removes it. */
    private static void open(Path gate) {
        try {
            Await.file(gate);
            Files.delete(gate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Object runFaulty(ProcessExecutor pool, Map<String, String> faults, int retries) throws Exception {
        JobRequest spec = JobRequest.custom(TestJobs.Faulty.class.getName(), faults, List.of());
        try (Store s = Store.open(store)) {
            return Tsproc.of(s).run(spec,
                    RunOptions.defaults().withWorkers(pool.workers()).withBatchRows(1_000).withRetries(retries), pool).result();
        }
    }

    /**
     * A worker ignores SIGINT (the kernel's SigIgn mask says so, where there is /proc), so the
     * signal is dropped as it is sent and the worker goes on serving its coordinator.
     */
    @Test
    void workersIgnoreCtrlCSoTheirCoordinatorCanEndThemInOrder() throws Exception {
        try (ProcessExecutor pool = pool(1)) {
            long pid = pool.processes().getFirst().pid();
            Path status = Path.of("/proc/" + pid + "/status");
            if (Files.exists(status)) {
                String ignored = Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
                        .findFirst().orElseThrow().substring("SigIgn:".length()).strip();
                assertThat(Long.parseUnsignedLong(ignored, 16) & (1L << (2 - 1))).as("SIGINT (2) in SigIgn").isNotZero();
            }
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(runSleepy(pool, Map.of("millis", "0"))).isEqualTo(50_000L);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        }
    }

    @Test
    void aCoordinatorKilledWithSigkillLeavesNoWorkerAndTheSweepRemovesItsSegment(@TempDir Path root) throws Exception {
        Path log = dir.resolve("child-stderr.txt");
        Path once = Files.createTempDirectory(dir, "once");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), CoordinatorChild.class.getName(), root.toString(),
                once.toString())
                .redirectError(log.toFile()).start();
        List<ProcessHandle> workers = new ArrayList<>();
        try {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return child.inputReader().readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(40, TimeUnit.SECONDS);
            assertThat(line).as("child stderr: %s", Files.exists(log) ? Files.readString(log) : "").startsWith("READY ");
            String[] parts = line.split(" ");
            Path runDirectory = Path.of(parts[1]);
            for (String pid : Arrays.asList(parts).subList(2, parts.length)) {
                workers.add(ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
            }
            assertThat(workers).hasSize(2);
            assertThat(child.toHandle().descendants().toList()).containsAll(workers);
            Await.file(once.resolve("batch-0")); // both workers are inside a batch
            Await.file(once.resolve("batch-1"));

            child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(137);
            for (ProcessHandle w : workers) {
                w.onExit().get(5, TimeUnit.SECONDS);
                assertThat(w.isAlive()).as("worker %d", w.pid()).isFalse();
            }

            assertThat(runDirectory).as("a SIGKILLed run cannot clean up").exists();
            assertThat(SharedSegments.sweepStale(root)).containsExactly(runDirectory);
            assertThat(runDirectory).doesNotExist();
        } finally {
            child.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
