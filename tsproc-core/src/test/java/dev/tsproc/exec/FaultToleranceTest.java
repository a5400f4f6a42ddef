package dev.tsproc.exec;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.exec.TestJobs.Faulty;
import dev.tsproc.exec.process.RemoteBatchFailure;
import dev.tsproc.exec.process.WorkerDiedException;
import dev.tsproc.exec.process.WorkerProcess;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.RunListener;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.Await;
import dev.tsproc.testkit.ManualClock;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Faults injected on chosen batches (RELIABILITY rows 1–5, 8, 21–23): every failure reported
 * in order, deadlines that fire mid-job, worker JVMs that crash, exit, run out of memory, hang
 * or stop — and after each, no thread or worker JVM outlives the job, and a retried run gives
 * the fault-free answer.
 *
 * <p>The tests share two pools, as a long-running coordinator would, and each leaves its pool
 * usable for the next (a lost worker is replaced when the next job opens): {@link #pool} on the
 * system clock, and {@link #timed}, one worker whose deadlines and silence limit are on a
 * {@link ManualClock} that a test advances once its victim is stuck — so a deadline fires when
 * the test says, however loaded the machine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultToleranceTest {
    static final int ROWS = 20_000;
    static final long BATCH_ROWS = 1_000; // 20 batches
    static final Duration SILENCE = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    static Path store;
    static ProcessExecutor pool;
    static ManualClock clock;
    static ProcessExecutor timed;

    private final List<ProcessExecutor> ownPools = new ArrayList<>();

    @BeforeAll
    static void makeStoreAndPools() throws Exception {
        store = TestStores.write(dir.resolve("faults.tsp"), TestStores.awkwardValues(3, ROWS, false));
        pool = ProcessExecutor.start(2, config());
        clock = new ManualClock();
        timed = ProcessExecutor.start(1, config().withClock(clock));
    }

    static ProcessExecutor.Config config() {
        return ProcessExecutor.Config.defaults().withAllowedStores(List.of(store)).withWorkerLog(line -> {})
                .withSilenceLimit(SILENCE);
    }

    @AfterAll
    static void closePools() {
        List<ProcessHandle> workers = Stream.of(pool, timed).filter(Objects::nonNull)
                .flatMap(p -> p.processes().stream()).flatMap(p -> ProcessHandle.of(p.pid()).stream()).toList();
        Stream.of(pool, timed).filter(Objects::nonNull).forEach(ProcessExecutor::close);
        assertThat(workers).allSatisfy(h -> assertThat(h.isAlive()).as("worker %d", h.pid()).isFalse());
    }

    /** No worker JVM but the shared pools' live ones, and no task thread, outlives a test. */
    @AfterEach
    void nothingOutlivesTheJob() throws Exception {
        List<ProcessHandle> ownWorkers = new ArrayList<>();
        for (ProcessExecutor own : ownPools) {
            own.processes().forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ownWorkers::add));
            own.close();
        }
        assertThat(ownWorkers).allSatisfy(h -> assertThat(h.isAlive()).as("worker %d", h.pid()).isFalse());
        List<Long> pooled = Stream.of(pool, timed).flatMap(p -> p.processes().stream()).map(WorkerProcess::pid).toList();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                .as("processes left besides the pools' workers %s", pooled).isSubsetOf(pooled);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("worker-") && t.isAlive()
                && !t.getName().endsWith("-reader") && !t.getName().endsWith("-stderr"));
    }

    static RunOptions options(Executor.Kind kind) {
        return RunOptions.defaults().withWorkers(2).withBatchRows(BATCH_ROWS).withExecutor(kind);
    }

    /**
     * Advances {@link #clock} by {@code step} until {@code victim} has ended: the first advance
     * is enough unless a heartbeat sent just before the victim got stuck was read after it.
     */
    static void advanceUntilEnded(ProcessHandle victim, Duration step) throws Exception {
        do {
            clock.advance(step);
        } while (victim.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).get() == null);
    }

    static Object run(Map<String, String> faults, RunOptions options, Executor executor) throws Exception {
        JobRequest spec = JobRequest.custom(Faulty.class.getName(), faults, List.of());
        try (Store s = Store.open(store); JobRequest.Resolved job = spec.resolve(null)) {
            return Coordinator.run(s, Planner.plan(s, spec, options.batchRows()), Faulty.class.cast(job.job()), spec, options,
                    executor).result();
        }
    }

    static Map<String, String> faults(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    static JobFailedException failure(ThrowingRun r) {
        Throwable t = catchThrowable(r::run);
        assertThat(t).isInstanceOf(JobFailedException.class);
        return (JobFailedException) t;
    }

    interface ThrowingRun {
        void run() throws Exception;
    }

    @Test
    void collectReportsEveryFailureWithOutOfMemoryFirstOnThreadsAndProcesses() throws Exception {
        Map<String, String> f = faults("throw", Faulty.at(5, 2), "oomThrow", "7");
        for (Executor executor : List.of(new ThreadExecutor(2), pool)) {
            JobFailedException e = failure(() -> run(f, options(executor.kind()).withOnFailure(TaskGroup.Policy.COLLECT), executor));
            if (executor.kind() == Executor.Kind.PROCESSES) {
                assertThat(e.failures()).extracting(b -> b.batch().index()).containsExactly(7L, 2L, 5L);
                assertThat(e.getSuppressed()).hasSize(2);
            } else {
                // Out of memory in the coordinator's own JVM cancels the job even under COLLECT;
                // batches 2 and 5 were claimed (in order) before 7 and fail at once.
                assertThat(e.failures()).extracting(b -> b.batch().index()).startsWith(7L).contains(2L);
            }
            assertThat(e.getCause()).isSameAs(e.failures().getFirst());
            assertThat(e.failures().get(0).getMessage()).startsWith("batch 7 (rows 7000..7999)")
                    .contains("OutOfMemoryError (injected: no memory for batch 7)").contains("worker-");
            assertThat(e.failures().get(1).getMessage()).contains("IllegalStateException (injected failure in batch 2)");
            assertThat(e.failures()).allSatisfy(b -> assertThat(b.attempts()).isEqualTo(1));
            if (executor.kind() == Executor.Kind.PROCESSES) {
                assertThat(e.failures().get(1).getCause()).isInstanceOf(RemoteBatchFailure.class);
                assertThat(((RemoteBatchFailure) e.failures().get(1).getCause()).errorClass())
                        .isEqualTo(IllegalStateException.class.getName());
            }
            // The executor is still usable afterwards.
            assertThat(run(Map.of(), options(executor.kind()), executor)).isEqualTo((long) ROWS);
        }
    }

    @Test
    void cancelPolicyStopsAtTheFirstFailureAndReportsOnlyRealOnes() throws Exception {
        JobFailedException e = failure(() -> run(faults("throw", "3", "millis", "20"), options(Executor.Kind.THREADS),
                new ThreadExecutor(2)));
        assertThat(e.failures()).extracting(b -> b.batch().index()).containsExactly(3L);
    }

    /** On a {@link ManualClock} of the run's own, advanced past the deadline once batch 4 hangs. */
    @Test
    void aJobDeadlineCancelsRunningThreadsAndSaysHowFarItGot() throws Exception {
        ManualClock runClock = new ManualClock();
        Path once = Files.createTempDirectory(dir, "once");
        CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> catchThrowable(() -> run(
                faults("hang", "4", "once", once.toString()),
                options(Executor.Kind.THREADS).withTimeout(Duration.ofMillis(500)).withClock(runClock),
                new ThreadExecutor(2, runClock))));
        Await.file(once.resolve("batch-4"));
        runClock.advance(Duration.ofMillis(500));
        Throwable t = run.get();
        assertThat(t).isInstanceOf(JobTimedOutException.class)
                .hasMessageContaining("exceeded its timeout of 500 ms").hasMessageContaining("batch 4 cancelled");
        RunProgress p = ((JobTimedOutException) t).progress();
        assertThat(p.cancelled()).containsExactly(4L);
        assertThat(p.batchesDone()).isBetween(4L, 19L);
        assertThat(p.batchesDone() + p.cancelled().size() + p.notStarted()).isEqualTo(20);
    }

    @Test
    void aJobDeadlineKillsAWorkerThatIgnoresCancellation() throws Exception {
        List<WorkerProcess> before = pool.processes();
        Throwable t = catchThrowable(() -> run(faults("spin", "1"), options(Executor.Kind.PROCESSES)
                .withTimeout(Duration.ofMillis(1500)), pool));
        assertThat(t).isInstanceOf(JobTimedOutException.class).hasMessageContaining("batch 1 cancelled");
        // The spinner did not stop within the cancel grace, so it was killed; the next job replaces it.
        assertThat(before).anySatisfy(w -> assertThat(w.isAlive()).isFalse());
    }

    @Test
    void aBatchDeadlineOnThreadsFailsTheBatch() throws Exception {
        ManualClock threadClock = new ManualClock();
        Path once = Files.createTempDirectory(dir, "once");
        CompletableFuture<JobFailedException> run = CompletableFuture.supplyAsync(() -> failure(() -> run(
                faults("hang", "6", "once", once.toString()),
                options(Executor.Kind.THREADS).withBatchTimeout(Duration.ofMillis(300)), new ThreadExecutor(1, threadClock))));
        Await.file(once.resolve("batch-6"));
        threadClock.advance(Duration.ofMillis(300));
        JobFailedException e = run.get();
        assertThat(e.failures()).singleElement().satisfies(b -> {
            assertThat(b.batch().index()).isEqualTo(6);
            assertThat(b.getCause()).isInstanceOf(TimeoutException.class);
            assertThat(b.getMessage()).contains("exceeded the batch deadline of 300 ms");
        });
    }

    /** On {@link #timed}: its one worker crashes at batch 3, exits at 8 and spins past the batch deadline at 12. */
    @Test
    void crashedExitedAndTimedOutWorkersAreReplacedAndTheAnswerIsUnchanged() throws Exception {
        List<Long> before = timed.processes().stream().map(p -> p.pid()).toList();
        Path once = Files.createTempDirectory(dir, "once");
        CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> call(() -> run(
                faults("halt", "3", "exit", "8", "spin", "12", "once", once.toString()),
                options(Executor.Kind.PROCESSES).withBatchTimeout(Duration.ofSeconds(1)), timed)));
        Await.file(once.resolve("batch-12"));
        ProcessHandle spinner = ProcessHandle.of(timed.processes().getFirst().pid()).orElseThrow();
        advanceUntilEnded(spinner, Duration.ofSeconds(1));
        Object answer = run.get();
        assertThat(answer).isEqualTo(run(Map.of(), options(Executor.Kind.PROCESSES), new ThreadExecutor(2)));
        assertThat(answer).isEqualTo((long) ROWS);
        for (long pid : before) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("lost worker %d", pid).isFalse();
        }
        // Three workers were lost, the last one the spinner; its replacement holds the slot.
        assertThat(timed.processes()).singleElement().satisfies(p -> {
            assertThat(p.isAlive()).isTrue();
            assertThat(p.pid()).isNotIn(before).isNotEqualTo(spinner.pid());
        });
    }

    /**
     * Issue 13.5: under COLLECT with no retries, a crashed worker fails its own batch only — it
     * is replaced before its runner's next batch, so every other batch really runs (each makes a
     * mark as it starts) rather than failing with the crash of batch 3.
     */
    @Test
    void collectWithoutRetriesRunsEveryBatchAfterAWorkerCrashes() throws Exception {
        Path marks = Files.createTempDirectory(dir, "marks");
        JobFailedException e = failure(() -> run(faults("halt", "3", "marks", marks.toString()),
                options(Executor.Kind.PROCESSES).withOnFailure(TaskGroup.Policy.COLLECT).withRetries(0), pool));
        assertThat(e.failures()).singleElement().satisfies(b -> {
            assertThat(b.batch().index()).isEqualTo(3);
            assertThat(b.attempts()).isEqualTo(1);
            assertThat(b.getCause()).isInstanceOf(WorkerDiedException.class);
            assertThat(b.getMessage()).contains("exited with status 9");
        });
        assertThat(ranBatches(marks)).isEqualTo(allBatches());
    }

    /**
     * Issue 13.5 with a batch deadline, on {@link #timed}: its one worker spins in batch 3 and is
     * killed at the deadline; the batch fails with its own deadline, and every later batch runs
     * on a replacement instead of failing with batch 3's error.
     */
    @Test
    void collectWithoutRetriesReportsEachBatchWithItsOwnDeadline() throws Exception {
        Path once = Files.createTempDirectory(dir, "once");
        Path marks = Files.createTempDirectory(dir, "marks");
        CompletableFuture<JobFailedException> run = CompletableFuture.supplyAsync(() -> failure(() -> run(
                faults("spin", "3", "once", once.toString(), "marks", marks.toString()),
                options(Executor.Kind.PROCESSES).withOnFailure(TaskGroup.Policy.COLLECT).withRetries(0)
                        .withBatchTimeout(Duration.ofSeconds(1)), timed)));
        Await.file(once.resolve("batch-3"));
        advanceUntilEnded(ProcessHandle.of(timed.processes().getFirst().pid()).orElseThrow(), Duration.ofSeconds(1));
        JobFailedException e = run.get();
        assertThat(e.failures()).singleElement().satisfies(b -> {
            assertThat(b.batch().index()).isEqualTo(3);
            assertThat(b.getMessage()).contains("exceeded the batch deadline of 1 s on batch 3");
        });
        assertThat(ranBatches(marks)).isEqualTo(allBatches());
    }

    /**
     * Issue 13.12: with no retries, a worker killed between two batches (here as the coordinator
     * takes batch 0's partial, before its task claims another) lost no work: it is replaced
     * before its next batch, and the job succeeds.
     */
    @Test
    void aWorkerThatDiesWhileIdleIsReplacedWithoutSpendingARetry() throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        RunListener killAfterBatch0 = new RunListener() {
            @Override
            public void finished(BatchTimes times) {
                if (times.batch().index() == 0 && !killed.getAndSet(true)) {
                    WorkerProcess idle = pool.processes().stream().filter(p -> p.name().equals(times.worker()))
                            .findFirst().orElseThrow();
                    ProcessHandle.of(idle.pid()).ifPresent(h -> {
                        h.destroyForcibly();
                        h.onExit().join();
                    });
                    while (idle.isAlive()) {
                        Thread.onSpinWait(); // until its handle has seen the exit too
                    }
                }
            }
        };
        Object answer = run(Map.of(), options(Executor.Kind.PROCESSES).withRetries(0).withListener(killAfterBatch0), pool);
        assertThat(killed).isTrue();
        assertThat(answer).isEqualTo((long) ROWS);
    }

    private static Set<String> ranBatches(Path marks) throws IOException {
        try (Stream<Path> files = Files.list(marks)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static Set<String> allBatches() {
        return LongStream.range(0, ROWS / BATCH_ROWS).mapToObj(i -> "ran-" + i).collect(Collectors.toSet());
    }

    @Test
    void workersDyingUnderCopyTransferAreReplacedToo() throws Exception {
        // Under copy transfer each attempt sends the batch's bytes again, to the fresh worker.
        Path once = Files.createTempDirectory(dir, "once");
        Object answer = run(faults("halt", Faulty.at(0, 1, 7), "once", once.toString(), "checksum", "true"),
                options(Executor.Kind.PROCESSES).withTransfer(Transfer.COPY), pool);
        assertThat(answer).isEqualTo(run(Map.of("checksum", "true"), options(Executor.Kind.THREADS), new ThreadExecutor(2)));
    }

    /**
     * RELIABILITY row 2: a worker that throws, exits or halts while opening the job, computing a
     * batch or encoding its partial ends the job in a defined error within the watchdog — never a
     * hang — and the pool is usable afterwards.
     */
    @ParameterizedTest(name = "{0} × {1}")
    @CsvSource({
            "open, throw, injected failure while opening the job",
            "open, exit, exited with status 3",
            "open, halt, exited with status 9",
            "map, throw, injected failure in batch 2",
            "map, exit, exited with status 3",
            "map, halt, exited with status 9",
            "encode, throw, injected failure while encoding a partial",
            "encode, exit, exited with status 3",
            "encode, halt, exited with status 9"})
    @Timeout(60)
    void aWorkerFailingInAnyProtocolPhaseEndsTheJobInADefinedError(String phase, String action, String message)
            throws Exception {
        Map<String, String> fault = phase.equals("map") ? faults(action, "2") : faults(phase, action);
        Throwable t = catchThrowable(() -> run(fault, options(Executor.Kind.PROCESSES).withRetries(1), pool));
        assertThat(t).as("the job fails").isNotNull();
        assertThat(messages(t)).as("causes of %s", t).contains(message);
        assertThat(run(Map.of(), options(Executor.Kind.PROCESSES), pool)).as("the pool works afterwards").isEqualTo((long) ROWS);
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(" | ");
            for (Throwable s : c.getSuppressed()) {
                all.append(messages(s));
            }
        }
        return all.toString();
    }

    @Test
    void threadsAreNeverRetried() throws Exception {
        Path once = Files.createTempDirectory(dir, "once");
        JobFailedException e = failure(() -> run(faults("throw", "4", "once", once.toString()),
                options(Executor.Kind.THREADS).withRetries(3), new ThreadExecutor(2)));
        assertThat(e.failures()).singleElement().satisfies(b -> assertThat(b.attempts()).isEqualTo(1));
    }

    @Test
    void aBatchThatKeepsKillingWorkersFailsTheJobNamingIt() throws Exception {
        JobFailedException e = failure(() -> run(faults("halt", "9"), options(Executor.Kind.PROCESSES).withRetries(2), pool));
        assertThat(e.failures()).singleElement().satisfies(b -> {
            assertThat(b.batch().index()).isEqualTo(9);
            assertThat(b.attempts()).isEqualTo(3);
            assertThat(b.getCause()).isInstanceOf(WorkerDiedException.class);
            assertThat(b.getMessage()).startsWith("batch 9 (rows 9000..9999) failed on worker-").contains("after 3 attempts")
                    .contains("exited with status 9");
        });
    }

    @Test
    void runningOutOfMemoryInAWorkerIsReportedFirstAndNotRetried() throws Exception {
        ProcessExecutor small = ProcessExecutor.start(2, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withJvmOptions(List.of("-Xmx48m")));
        ownPools.add(small);
        JobFailedException e = failure(() -> run(faults("oom", "11", "throw", "2"),
                options(Executor.Kind.PROCESSES).withOnFailure(TaskGroup.Policy.COLLECT), small));
        assertThat(e.failures()).extracting(b -> b.batch().index()).containsExactly(11L, 2L);
        assertThat(e.failures().getFirst().isResourceExhaustion()).isTrue();
        assertThat(e.failures().getFirst().attempts()).isEqualTo(1);
        assertThat(e.failures().getFirst().getMessage()).contains("OutOfMemoryError");
    }

    /** On {@link #timed}: its worker stops itself (SIGSTOP) in batch 5; the test then advances the clock past the silence limit. */
    @Test
    void aStoppedWorkerIsFoundByItsSilenceKilledAndItsBatchRetried() throws Exception {
        Path once = Files.createTempDirectory(dir, "once");
        CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> call(() -> run(
                faults("stop", "5", "once", once.toString()), options(Executor.Kind.PROCESSES), timed)));
        Await.file(once.resolve("batch-5"));
        ProcessHandle victim = ProcessHandle.of(timed.processes().getFirst().pid()).orElseThrow();
        try {
            advanceUntilEnded(victim, SILENCE);
            assertThat(run.get()).isEqualTo((long) ROWS);
            assertThat(timed.processes()).extracting(p -> p.pid()).doesNotContain(victim.pid());
        } finally {
            victim.destroyForcibly(); // stopped for good if the test failed
        }
    }

    /** Batch 5 hangs (its worker stops it when cancelled); by the time it starts, at least four batches are done. */
    @Test
    void interruptingTheCoordinatorSaysHowFarTheJobGot() throws Exception {
        Path once = Files.createTempDirectory(dir, "once");
        CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
        Thread coordinator = Thread.ofPlatform().start(() -> cancelled.complete(catchThrowable(() -> run(
                faults("hang", "5", "millis", "20", "once", once.toString()), options(Executor.Kind.PROCESSES), pool))));
        Await.file(once.resolve("batch-5"));
        coordinator.interrupt();
        Throwable t = cancelled.get();
        assertThat(t).isInstanceOf(JobCancelledException.class).hasMessageContaining("was interrupted after");
        RunProgress p = ((JobCancelledException) t).progress();
        assertThat(p.batchesDone()).isBetween(1L, 19L);
        assertThat(p.batchesDone() + p.cancelled().size() + p.notStarted()).isEqualTo(20);
        // The pool is still usable: its workers stopped their batches.
        assertThat(run(Map.of(), options(Executor.Kind.PROCESSES), pool)).isEqualTo((long) ROWS);
    }

    @Test
    void durationsParseTheShortFormsAndIso() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessageContaining("not a positive duration");
    }

    /** {@code r}'s result, for running a job on another thread. */
    static Object call(java.util.concurrent.Callable<Object> r) {
        try {
            return r.call();
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }
}
