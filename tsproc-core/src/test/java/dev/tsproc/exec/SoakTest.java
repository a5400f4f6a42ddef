package dev.tsproc.exec;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.exec.TestJobs.Faulty;
import dev.tsproc.exec.process.WorkerDiedException;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Many short jobs with random injected faults (seeded), on threads and on one long-lived pool
 * of worker processes that must repair itself: zero wrong answers (every run that succeeds
 * gives the fault-free checksum; every run that fails names exactly the batches expected),
 * zero leaked segments, zero orphan worker processes.
 *
 * <p>A round runs every fault on every executor it applies to under both failure policies, in a
 * seeded random order at random batches: 24 jobs, the same work however loaded the machine. The
 * soak runs one round, or whole rounds until {@code -Dtsproc.soak.seconds} have passed (e.g.
 * 600 for a manual run); {@code -Dtsproc.soak.seed} replays one.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class SoakTest {
    static final int ROWS = 8_000;
    static final long BATCH_ROWS = 500; // 16 batches
    static final int BATCHES = 16;

    @TempDir
    Path dir;

    enum Fault { NONE, THROW, HANG_BATCH_DEADLINE, HANG_JOB_DEADLINE, HALT_ONCE, EXIT_ONCE, SPIN_ONCE, HALT_ALWAYS }

    /** The faults a thread can survive to report: the others end or stop a worker JVM. */
    static final Set<Fault> ON_THREADS = Set.of(Fault.NONE, Fault.THROW, Fault.HANG_BATCH_DEADLINE, Fault.HANG_JOB_DEADLINE);

    /** One job of a round. */
    record Job(boolean processes, Fault fault, TaskGroup.Policy policy) {}

    /** Every fault on every executor it applies to, under both policies, in an order {@code random} shuffles. */
    static List<Job> round(SplittableRandom random) {
        List<Job> jobs = new ArrayList<>();
        for (Fault fault : Fault.values()) {
            for (TaskGroup.Policy policy : TaskGroup.Policy.values()) {
                jobs.add(new Job(true, fault, policy));
                if (ON_THREADS.contains(fault)) {
                    jobs.add(new Job(false, fault, policy));
                }
            }
        }
        for (int i = jobs.size() - 1; i > 0; i--) {
            Collections.swap(jobs, i, random.nextInt(i + 1));
        }
        return jobs;
    }

    @Test
    void manyJobsWithRandomFaultsGiveNoWrongAnswerAndLeaveNothingBehind() throws Exception {
        long seconds = Long.getLong("tsproc.soak.seconds", 0);
        long seed = Long.getLong("tsproc.soak.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = TestStores.awkwardValues(seed, ROWS, true);
        long expected = Faulty.checksum(0, values);
        int threadsBefore = Thread.activeCount();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Map<Fault, Integer> runs = new HashMap<>();
        ProcessExecutor pool = ProcessExecutor.start(2, ProcessExecutor.Config.defaults().withWorkerLog(line -> {})
                .withSilenceLimit(Duration.ofSeconds(2)));
        List<ProcessHandle> everyWorker = new ArrayList<>();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            int iteration = 0;
            List<Job> jobs = new ArrayList<>();
            while (!jobs.isEmpty() || iteration == 0 || System.nanoTime() < end) { // whole rounds, at least one
                if (jobs.isEmpty()) {
                    jobs.addAll(round(random));
                }
                iteration++;
                Job job = jobs.removeLast();
                boolean processes = job.processes();
                Fault fault = job.fault();
                TaskGroup.Policy policy = job.policy();
                Set<Long> at = new TreeSet<>();
                int count = fault == Fault.THROW ? random.nextInt(1, 4) : 1;
                while (at.size() < count) {
                    at.add((long) random.nextInt(BATCHES));
                }
                String context = "seed " + seed + ", iteration " + iteration + ": " + fault + " at " + at + ", "
                        + (processes ? "processes" : "threads") + ", " + policy;
                runs.merge(fault, 1, Integer::sum);
                pool.processes().forEach(p -> ProcessHandle.of(p.pid()).ifPresent(everyWorker::add));
                Path shmDir;
                try (SharedSegments shm = SharedSegments.create()) {
                    shmDir = shm.directory();
                    Path file = TestStores.write(shm.newStorePath(), values);
                    Path once = Files.createTempDirectory(dir, "once");
                    Map<String, String> parameters = parameters(fault, at, once);
                    RunOptions options = RunOptions.defaults().withWorkers(2).withBatchRows(BATCH_ROWS).withOnFailure(policy)
                            .withExecutor(processes ? Executor.Kind.PROCESSES : Executor.Kind.THREADS);
                    options = switch (fault) {
                        case HANG_BATCH_DEADLINE -> options.withBatchTimeout(Duration.ofMillis(200));
                        case HANG_JOB_DEADLINE -> options.withTimeout(Duration.ofMillis(300));
                        case SPIN_ONCE -> options.withBatchTimeout(Duration.ofMillis(700));
                        default -> options;
                    };
                    check(context, fault, at, policy, expected, run(file, parameters, options,
                            processes ? pool : new ThreadExecutor(2)));
                }
                assertThat(shmDir).as("run directory after " + context).doesNotExist();
                assertThat(pool.processes()).as(context).hasSize(2);
            }
            // A pool that lost workers repairs itself when the next job opens.
            try (SharedSegments shm = SharedSegments.create()) {
                Path file = TestStores.write(shm.newStorePath(), values);
                assertThat(run(file, Map.of("checksum", "true"), RunOptions.defaults().withWorkers(2).withBatchRows(BATCH_ROWS)
                        .withExecutor(Executor.Kind.PROCESSES), pool)).as("seed %d, after the soak", seed).isEqualTo(expected);
                assertThat(pool.processes()).allSatisfy(p -> assertThat(p.isAlive()).isTrue());
            }
        } finally {
            pool.processes().forEach(p -> ProcessHandle.of(p.pid()).ifPresent(everyWorker::add));
            pool.close();
        }
        for (ProcessHandle w : everyWorker) {
            assertThat(w.onExit().get(5, TimeUnit.SECONDS).isAlive()).as("worker %d (seed %d)", w.pid(), seed).isFalse();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).as("orphans").isEmpty();
        System.err.printf("soak: %d jobs, seed %d: %s%n", runs.values().stream().mapToInt(Integer::intValue).sum(), seed, runs);
        assertThat(runs.keySet()).as("every kind of fault was tried (seed %d): %s", seed, runs).containsOnly(Fault.values());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(t) && t.getName().startsWith("worker-")) {
                t.join(); // a task's or a worker handle's thread, ending (the @Timeout guards a hang)
            }
        }
        assertThat(Thread.activeCount()).as("threads left running").isLessThanOrEqualTo(threadsBefore + 2);
    }

    private static Map<String, String> parameters(Fault fault, Set<Long> at, Path once) {
        Map<String, String> p = new HashMap<>();
        p.put("checksum", "true");
        String list = Faulty.at(at.stream().mapToLong(Long::longValue).toArray());
        switch (fault) {
            case NONE -> { }
            case THROW -> p.put("throw", list);
            case HANG_BATCH_DEADLINE, HANG_JOB_DEADLINE -> p.put("hang", list);
            case HALT_ONCE -> { p.put("halt", list); p.put("once", once.toString()); }
            case EXIT_ONCE -> { p.put("exit", list); p.put("once", once.toString()); }
            case SPIN_ONCE -> { p.put("spin", list); p.put("once", once.toString()); }
            case HALT_ALWAYS -> p.put("halt", list);
        }
        return p;
    }

    /** The run's answer, or what it threw. */
    private static Object run(Path file, Map<String, String> parameters, RunOptions options, Executor executor) {
        JobRequest spec = JobRequest.custom(Faulty.class.getName(), parameters, List.of());
        try (Store s = Store.open(file); JobRequest.Resolved job = spec.resolve(null)) {
            return Coordinator.run(s, Planner.plan(s, spec, options.batchRows()), Faulty.class.cast(job.job()), spec, options,
                    executor).result();
        } catch (Exception e) {
            return e;
        }
    }

    private static void check(String context, Fault fault, Set<Long> at, TaskGroup.Policy policy, long expected, Object outcome) {
        switch (fault) {
            case NONE, HALT_ONCE, EXIT_ONCE, SPIN_ONCE -> assertThat(outcome).as(context).isEqualTo(expected);
            case HANG_JOB_DEADLINE -> {
                assertThat(outcome).as(context).isInstanceOf(JobTimedOutException.class);
                // The deadline counts from the job's start, opening included (a pool may first replace
                // a lost worker), so the hung batch need not have been reached; it never finished.
                RunProgress p = ((JobTimedOutException) outcome).progress();
                assertThat(p.batchesDone()).as(context).isLessThan(BATCHES);
                assertThat(p.batchesDone() + p.cancelled().size() + p.notStarted()).as(context).isEqualTo(BATCHES);
            }
            case THROW, HANG_BATCH_DEADLINE, HALT_ALWAYS -> {
                if (!(outcome instanceof JobFailedException failed)) {
                    fail(context + ": expected a failed job, got " + outcome);
                    return;
                }
                List<Long> failedBatches = failed.failures().stream().map(b -> b.batch().index()).toList();
                if (policy == TaskGroup.Policy.COLLECT) {
                    assertThat(failedBatches).as(context).containsExactlyElementsOf(at);
                } else {
                    assertThat(failedBatches).as(context).isNotEmpty().isSubsetOf(at);
                }
                for (BatchFailedException b : failed.failures()) {
                    Class<?> cause = switch (fault) {
                        case THROW -> dev.tsproc.exec.process.RemoteBatchFailure.class;
                        case HANG_BATCH_DEADLINE -> TimeoutException.class;
                        default -> WorkerDiedException.class;
                    };
                    if (fault == Fault.THROW && b.getCause() instanceof IllegalStateException) {
                        cause = IllegalStateException.class; // threads: the job's own exception
                    }
                    if (fault == Fault.HANG_BATCH_DEADLINE && b.getCause() instanceof WorkerDiedException) {
                        cause = WorkerDiedException.class; // processes: the worker was killed at the deadline
                    }
                    assertThat(b.getCause()).as(context).isInstanceOf(cause);
                    if (fault == Fault.HALT_ALWAYS || b.getCause() instanceof WorkerDiedException) {
                        assertThat(b.attempts()).as(context).isEqualTo(RunOptions.DEFAULT_RETRIES + 1);
                    }
                }
            }
        }
    }
}
