package dev.tsproc.exec;

import dev.tsproc.exec.process.RemoteBatchFailure;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.Job;
import dev.tsproc.job.QueryResult;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.ReferenceStats;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every executor keeps: threads and processes, shared and copy, on any number of
 * workers, give the same answer bit for bit, and a worker reads only its own batch.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExecutorContractTest {
    @TempDir
    static Path dir;

    static Path awkward;
    static double[] awkwardValues;
    static Path awkwardWithInfinities;
    static double[] infinityValues;
    static Path talkWithSeries;
    static ProcessExecutor pool;
    /** A permit per line of a flood (a {@link TestJobs.Noisy} job's output) that reached the worker log. */
    static final Semaphore floodLines = new Semaphore(0);
    static final List<String> workerLogSample = new CopyOnWriteArrayList<>();
    static final List<String> floodSample = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPool() throws Exception {
        awkwardValues = TestStores.awkwardValues(7, 20_000, false);
        awkward = TestStores.write(dir.resolve("awkward.tsp"), awkwardValues);
        infinityValues = TestStores.awkwardValues(8, 5_000, true);
        awkwardWithInfinities = TestStores.write(dir.resolve("inf.tsp"), infinityValues);
        talkWithSeries = dir.resolve("talk.tsp");
        Generator.generate(new GeneratorSpec(300_000, 5, 0.33, Distribution.TALK, 42), talkWithSeries, 2);
        pool = ProcessExecutor.start(3, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(awkward, awkwardWithInfinities, talkWithSeries))
                .withWorkerLog(line -> {
                    boolean flood = line.contains("xxxx");
                    if (flood) {
                        floodLines.release();
                    }
                    List<String> sample = flood ? floodSample : workerLogSample;
                    if (sample.size() < 10) {
                        sample.add(line);
                    }
                }));
    }

    @AfterAll
    static void stopPool() {
        if (pool != null) {
            List<ProcessHandle> handles = pool.processes().stream()
                    .map(p -> ProcessHandle.of(p.pid()).orElse(null)).filter(h -> h != null).toList();
            pool.close();
            assertThat(handles).allSatisfy(h -> assertThat(h.isAlive()).as("worker %d alive", h.pid()).isFalse());
        }
    }

    private static Executor executor(Executor.Kind kind, int workers) {
        return kind == Executor.Kind.THREADS ? new ThreadExecutor(workers) : pool;
    }

    private static <R> RunResult<R> run(Path file, Job<?, R> job, JobRequest spec, Executor.Kind kind, Transfer transfer,
                                        int workers, long batchRows) throws Exception {
        try (Store store = Store.open(file)) {
            RunOptions options = RunOptions.defaults().withWorkers(workers).withBatchRows(batchRows)
                    .withExecutor(kind).withTransfer(transfer);
            return runCaptured(store, job, spec, options, executor(kind, workers));
        }
    }

    @SuppressWarnings("unchecked")
    private static <P, R> RunResult<R> runCaptured(Store store, Job<P, ?> job, JobRequest spec, RunOptions options,
                                                   Executor executor) throws Exception {
        return Coordinator.run(store, Planner.plan(store, spec, options.batchRows()), (Job<P, R>) job, spec,
                options, executor);
    }

    /** Every value of the one row of a built-in job's result, as raw bits. */
    private static long[] bits(QueryResult s) {
        return s.rows().getFirst().values().stream().mapToLong(Double::doubleToRawLongBits).toArray();
    }

    @Test
    void everyExecutorTransferAndWorkerCountGivesTheSameBits() throws Exception {
        for (Path file : List.of(awkward, awkwardWithInfinities, talkWithSeries)) {
            for (String name : List.of("stats", "sum", "count")) {
                long[] expected = null;
                for (Executor.Kind kind : Executor.Kind.values()) {
                    for (Transfer transfer : Transfer.values()) {
                        for (int workers = 1; workers <= 3; workers++) {
                            RunResult<QueryResult> run = run(file, BuiltinJob.named(name), JobRequest.builtin(name),
                                    kind, transfer, workers, 1_777);
                            long[] got = bits(run.result());
                            if (expected == null) {
                                expected = got;
                            }
                            assertThat(got).as("%s %s %s/%s on %d workers", file.getFileName(), name, kind, transfer, workers)
                                    .containsExactly(expected);
                            assertThat(run.timeline().batches()).hasSize((int) run.batches())
                                    .allSatisfy(b -> assertThat(b.computeEnd()).isGreaterThanOrEqualTo(b.computeStart()))
                                    .allSatisfy(b -> assertThat(b.privateBytes()).as("memory of the worker's process")
                                            .isPositive());
                            assertThat(run.workerReports()).hasSize(run.workers());
                        }
                    }
                }
            }
        }
    }

    @Test
    void processesMatchTheReference() throws Exception {
        QueryResult s = run(awkward, BuiltinJob.named("stats"), JobRequest.builtin("stats"), Executor.Kind.PROCESSES,
                Transfer.COPY, 3, 999).result();
        assertThat((long) s.get(Aggregate.COUNT)).isEqualTo(ReferenceStats.count(awkwardValues));
        assertThat(Double.doubleToRawLongBits(s.get(Aggregate.SUM))).isEqualTo(Double.doubleToRawLongBits(ReferenceStats.sum(awkwardValues)));
        assertThat(Double.doubleToRawLongBits(s.get(Aggregate.MEAN))).isEqualTo(Double.doubleToRawLongBits(ReferenceStats.mean(awkwardValues)));
        assertThat(Double.doubleToRawLongBits(s.get(Aggregate.MIN))).isEqualTo(Double.doubleToRawLongBits(ReferenceStats.min(awkwardValues)));
        assertThat(Double.doubleToRawLongBits(s.get(Aggregate.MAX))).isEqualTo(Double.doubleToRawLongBits(ReferenceStats.max(awkwardValues)));
    }

    @Test
    void aWorkerCannotReadPastItsBatch() throws Exception {
        JobRequest spec = JobRequest.custom(TestJobs.PeekPastEnd.class.getName(), Map.of(), List.of());
        for (Executor.Kind kind : Executor.Kind.values()) {
            for (Transfer transfer : Transfer.values()) {
                assertThatThrownBy(() -> run(awkward, new TestJobs.PeekPastEnd(), spec, kind, transfer, 2, 5_000))
                        .as("%s/%s", kind, transfer)
                        .isInstanceOf(JobFailedException.class)
                        .satisfies(e -> {
                            BatchFailedException first = ((JobFailedException) e).failures().getFirst();
                            assertThat(first.getMessage()).contains("IndexOutOfBoundsException");
                            if (kind == Executor.Kind.PROCESSES) {
                                assertThat(first.getCause()).isInstanceOf(RemoteBatchFailure.class);
                            }
                        });
            }
        }
    }

    @Test
    void customJobsByNameGiveTheSameAnswerEverywhere() throws Exception {
        JobRequest spec = JobRequest.custom(TestJobs.Above.class.getName(), Map.of("threshold", "0.5"), List.of());
        List<Long> answers = new ArrayList<>();
        for (Executor.Kind kind : Executor.Kind.values()) {
            for (Transfer transfer : Transfer.values()) {
                try (JobRequest.Resolved loaded = spec.resolve(null)) {
                    answers.add((Long) run(talkWithSeries, loaded.job(), spec, kind, transfer, 2, 10_000).result());
                }
            }
        }
        assertThat(answers).hasSize(4).containsOnly(answers.getFirst());
        assertThat(answers.getFirst()).isPositive();
    }

    @Test
    void aFailingBatchIsReportedWithItsIndexAndTheWorkerStaysUsable() throws Exception {
        JobRequest spec = JobRequest.custom(TestJobs.Noisy.class.getName(), Map.of("failAt", "3"), List.of());
        try (JobRequest.Resolved loaded = spec.resolve(null)) {
            assertThatThrownBy(() -> run(awkward, loaded.job(), spec, Executor.Kind.PROCESSES, Transfer.SHARED, 3, 1_000))
                    .isInstanceOf(JobFailedException.class)
                    .satisfies(e -> {
                        BatchFailedException f = ((JobFailedException) e).failures().getFirst();
                        assertThat(f.batch().index()).isEqualTo(3);
                        assertThat(f.getMessage()).contains("ArithmeticException (batch 3 is unlucky)").contains("worker-");
                    });
        }
        QueryResult after = run(awkward, BuiltinJob.named("count"), JobRequest.builtin("count"), Executor.Kind.PROCESSES,
                Transfer.SHARED, 3, 1_000).result();
        assertThat((long) after.get(Aggregate.COUNT)).isEqualTo(ReferenceStats.count(awkwardValues));
    }

    @Test
    void workerStderrIsDrainedSoAFloodDoesNotBlockIt() throws Exception {
        JobRequest spec = JobRequest.custom(TestJobs.Noisy.class.getName(), Map.of("stdoutBytes", "" + (5 << 20)), List.of());
        try (JobRequest.Resolved loaded = spec.resolve(null)) {
            // 4 batches of 5 MB of output each: 20 MB through the stderr pipe.
            Object n = run(awkward, loaded.job(), spec, Executor.Kind.PROCESSES, Transfer.SHARED, 2, 5_000).result();
            assertThat(n).isEqualTo((long) awkwardValues.length);
        }
        // The drainer threads pass lines on asynchronously: the last may arrive just after the run
        // returns, so this waits for every line of the flood (the class's @Timeout guards a hang).
        floodLines.acquire(4 * ((5 << 20) / 100));
        assertThat(floodSample).as("other worker output: %s", workerLogSample).isNotEmpty()
                .allMatch(l -> l.matches("\\[worker-\\d] x+"));
    }
}
