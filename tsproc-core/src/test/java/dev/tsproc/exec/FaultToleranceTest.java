package dev.tsproc.exec;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.exec.TestJobs.Faulty;
import dev.tsproc.exec.process.RemoteBatchFailure;
import dev.tsproc.exec.process.WorkerDiedException;
import dev.tsproc.job.JobSpec;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Faults injected on chosen batches (RELIABILITY rows 1–5, 8, 21–23): every failure reported
 * in order, deadlines that fire mid-job, worker JVMs that crash, exit, run out of memory, hang
 * or stop — and after each, no thread or worker JVM outlives the job, and a retried run gives
 * the fault-free answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultToleranceTest {
    static final int ROWS = 20_000;
    static final long BATCH_ROWS = 1_000; // 20 batches

    @TempDir
    static Path dir;
    static Path store;

    private final List<ProcessExecutor> pools = new ArrayList<>();

    @BeforeAll
    static void makeStore() {
        store = TestStores.write(dir.resolve("faults.tsp"), TestStores.awkwardValues(3, ROWS, false));
    }

    @AfterEach
    void nothingOutlivesTheJob() throws Exception {
        List<ProcessHandle> workers = new ArrayList<>();
        for (ProcessExecutor pool : pools) {
            pool.processes().forEach(p -> ProcessHandle.of(p.pid()).ifPresent(workers::add));
            pool.close();
        }
        assertThat(workers).allSatisfy(h -> assertThat(h.isAlive()).as("worker %d", h.pid()).isFalse());
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList())
                .as("processes left").isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("worker-") && t.isAlive()
                && !t.getName().endsWith("-reader") && !t.getName().endsWith("-stderr"));
    }

    ProcessExecutor pool(int workers, List<String> jvmOptions, Duration silenceLimit) throws Exception {
        ProcessExecutor pool = ProcessExecutor.start(workers, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withWorkerLog(line -> {}).withJvmOptions(jvmOptions)
                .withSilenceLimit(silenceLimit));
        pools.add(pool);
        return pool;
    }

    static RunOptions options(Executor.Kind kind) {
        return RunOptions.defaults().withWorkers(2).withBatchRows(BATCH_ROWS).withExecutor(kind);
    }

    static Object run(Map<String, String> faults, RunOptions options, Executor executor) throws Exception {
        JobSpec spec = new JobSpec(Faulty.class.getName(), faults, List.of());
        try (Store s = Store.open(store); JobSpec.Loaded job = spec.load()) {
            return Coordinator.run(s, Faulty.class.cast(job.job()), spec, options, executor).result();
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
        for (Executor executor : List.of(new ThreadExecutor(2), pool(2, List.of(), WorkerProcessDefaults.SILENCE))) {
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

    @Test
    void aJobDeadlineCancelsRunningThreadsAndSaysHowFarItGot() throws Exception {
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> run(faults("hang", "4"), options(Executor.Kind.THREADS)
                .withTimeout(Duration.ofMillis(500)), new ThreadExecutor(2)));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(t).isInstanceOf(JobTimedOutException.class)
                .hasMessageContaining("exceeded its timeout of 500 ms").hasMessageContaining("batch 4 cancelled");
        RunProgress p = ((JobTimedOutException) t).progress();
        assertThat(p.cancelled()).containsExactly(4L);
        assertThat(p.batchesDone()).isBetween(4L, 19L);
        assertThat(p.batchesDone() + p.cancelled().size() + p.notStarted()).isEqualTo(20);
        assertThat(tookMillis).isBetween(450L, 2_000L);
    }

    @Test
    void aJobDeadlineKillsAWorkerThatIgnoresCancellation() throws Exception {
        ProcessExecutor pool = pool(2, List.of(), WorkerProcessDefaults.SILENCE);
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> run(faults("spin", "1"), options(Executor.Kind.PROCESSES)
                .withTimeout(Duration.ofMillis(800)), pool));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(t).isInstanceOf(JobTimedOutException.class).hasMessageContaining("batch 1 cancelled");
        // 800 ms deadline + 500 ms grace for the spinning worker before it is killed.
        assertThat(tookMillis).isBetween(750L, 3_000L);
    }

    @Test
    void aBatchDeadlineOnThreadsFailsTheBatch() throws Exception {
        JobFailedException e = failure(() -> run(faults("hang", "6"), options(Executor.Kind.THREADS)
                .withBatchTimeout(Duration.ofMillis(300)), new ThreadExecutor(2)));
        assertThat(e.failures()).singleElement().satisfies(b -> {
            assertThat(b.batch().index()).isEqualTo(6);
            assertThat(b.getCause()).isInstanceOf(TimeoutException.class);
            assertThat(b.getMessage()).contains("exceeded the batch deadline of 300 ms");
        });
    }

    @Test
    void crashedExitedAndTimedOutWorkersAreReplacedAndTheAnswerIsUnchanged() throws Exception {
        ProcessExecutor pool = pool(2, List.of(), WorkerProcessDefaults.SILENCE);
        List<Long> before = pool.processes().stream().map(p -> p.pid()).toList();
        Path once = Files.createTempDirectory(dir, "once");
        Object answer = run(faults("halt", "3", "exit", "8", "spin", "12", "once", once.toString()),
                options(Executor.Kind.PROCESSES).withBatchTimeout(Duration.ofSeconds(1)), pool);
        assertThat(answer).isEqualTo(run(Map.of(), options(Executor.Kind.PROCESSES), new ThreadExecutor(2)));
        assertThat(answer).isEqualTo((long) ROWS);
        for (long pid : before) {
            if (pool.processes().stream().noneMatch(p -> p.pid() == pid)) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("lost worker %d", pid).isFalse();
            }
        }
        // Three workers were lost; a slot may have lost its replacement too, so at least one slot is new.
        assertThat(pool.processes()).hasSize(2).allSatisfy(p -> assertThat(p.isAlive()).isTrue())
                .anySatisfy(p -> assertThat(before).doesNotContain(p.pid()));
    }

    @Test
    void workersDyingUnderCopyTransferAreReplacedToo() throws Exception {
        // Under copy transfer each attempt sends the batch's bytes again, to the fresh worker.
        ProcessExecutor pool = pool(2, List.of(), WorkerProcessDefaults.SILENCE);
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
        ProcessExecutor pool = pool(2, List.of(), WorkerProcessDefaults.SILENCE);
        Map<String, String> fault = phase.equals("map") ? faults(action, "2") : faults(phase, action);
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> run(fault, options(Executor.Kind.PROCESSES).withRetries(1), pool));
        assertThat(System.nanoTime() - start).as("ends promptly").isLessThan(TimeUnit.SECONDS.toNanos(20));
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
        ProcessExecutor pool = pool(2, List.of(), WorkerProcessDefaults.SILENCE);
        long start = System.nanoTime();
        JobFailedException e = failure(() -> run(faults("halt", "9"), options(Executor.Kind.PROCESSES).withRetries(2), pool));
        assertThat(System.nanoTime() - start).as("fails quickly").isLessThan(TimeUnit.SECONDS.toNanos(20));
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
        ProcessExecutor pool = ProcessExecutor.start(2, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(store)).withJvmOptions(List.of("-Xmx48m")));
        pools.add(pool);
        JobFailedException e = failure(() -> run(faults("oom", "11", "throw", "2"),
                options(Executor.Kind.PROCESSES).withOnFailure(TaskGroup.Policy.COLLECT), pool));
        assertThat(e.failures()).extracting(b -> b.batch().index()).containsExactly(11L, 2L);
        assertThat(e.failures().getFirst().isResourceExhaustion()).isTrue();
        assertThat(e.failures().getFirst().attempts()).isEqualTo(1);
        assertThat(e.failures().getFirst().getMessage()).contains("OutOfMemoryError");
    }

    @Test
    void aStoppedWorkerIsFoundByItsSilenceKilledAndItsBatchRetried() throws Exception {
        ProcessExecutor pool = pool(2, List.of(), Duration.ofMillis(1000));
        long victim = pool.processes().getFirst().pid();
        Thread stopper = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(400);
                new ProcessBuilder("kill", "-STOP", Long.toString(victim)).start().waitFor();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            long start = System.nanoTime();
            Object answer = run(faults("millis", "100"), options(Executor.Kind.PROCESSES), pool);
            assertThat(answer).isEqualTo((long) ROWS);
            assertThat(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(pool.processes()).extracting(p -> p.pid()).doesNotContain(victim);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
        } finally {
            stopper.join();
            new ProcessBuilder("kill", "-CONT", Long.toString(victim)).start().waitFor();
        }
    }

    @Test
    void interruptingTheCoordinatorSaysHowFarTheJobGot() throws Exception {
        ProcessExecutor pool = pool(2, List.of(), WorkerProcessDefaults.SILENCE);
        Thread owner = Thread.currentThread();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            owner.interrupt();
        });
        Throwable t = catchThrowable(() -> run(faults("millis", "200"), options(Executor.Kind.PROCESSES), pool));
        Thread.interrupted();
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

    /** Defaults shared by these tests. */
    static final class WorkerProcessDefaults {
        static final Duration SILENCE = Duration.ofSeconds(2);
    }
}
