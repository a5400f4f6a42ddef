package dev.tsproc.bench;

import dev.tsproc.Tsproc;
import dev.tsproc.data.BatchView;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.ProcessExecutor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.ThreadExecutor;
import dev.tsproc.exec.process.WorkerCommand;
import dev.tsproc.exec.process.WorkerDiedException;
import dev.tsproc.exec.process.WorkerProcess;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures, not asserts (docs/BENCHMARKS.md, "Cancellation and crash detection"): how long
 * cancelling a saturating job takes to return with every worker stopped, how long the
 * coordinator takes to notice a worker killed with SIGKILL or stopped with SIGSTOP, and how late
 * a status thread wakes while every core computes. The floor of each: cancelling and noticing a
 * crash could take as little as a thread's wake-up (tens of microseconds); a hang can be noticed
 * no sooner than the silence limit ({@link WorkerProcess#DEFAULT_SILENCE_LIMIT}). The peer is
 * Python's {@code ProcessPoolExecutor} of the talk, which notices a dead worker but not a hung
 * one; it is not run here. Run from the repository root after
 * {@code ./mvnw -q -pl tsproc-bench -am package -DskipTests}:
 * {@snippet lang=sh :
 * java --enable-native-access=ALL-UNNAMED -cp tsproc-bench/target/benchmarks.jar dev.tsproc.bench.LatencyBench [--rows 100000000] [--repeats 9]
 * }
 */
public final class LatencyBench {
    private LatencyBench() {}

    public static void main(String[] args) throws Exception {
        long rows = 100_000_000L;
        int repeats = 9;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --rows N --repeats R");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        try (SharedSegments shm = SharedSegments.create()) {
            Path file = shm.newStorePath();
            Generator.generate(GeneratorSpec.talk(rows), file, cores);
            try (Store store = Store.open(file)) {
                RunOptions saturating = RunOptions.defaults().withWorkers(cores);
                report("cancel, threads: interrupt -> run returned", cancel(store, saturating, new ThreadExecutor(cores), repeats));
                try (ProcessExecutor pool = ProcessExecutor.start(cores, ProcessExecutor.Config.defaults().withWorkerLog(l -> {}))) {
                    report("cancel, processes: interrupt -> run returned, batches stopped",
                            cancel(store, saturating.withExecutor(Executor.Kind.PROCESSES), pool, repeats));
                }
                report("status thread wake-up lateness (10 ms sleeps) while threads saturate every core",
                        lateness(store, saturating));
                report("crash detection: SIGKILL of a worker mid-batch -> WorkerDiedException", crash(file, false, repeats));
                report("hang detection: SIGSTOP of a worker mid-batch -> WorkerDiedException (2 s silence limit)", crash(file, true, repeats));
            }
        }
    }

    /** Counts rows after sleeping {@code millis} per batch: a batch that is surely running when a worker is killed. */
    public static final class Sleepy implements Job<long[], Long>, PartialCodec<long[]> {
        private final long millis;

        public Sleepy(Map<String, String> parameters) {
            this.millis = Long.parseLong(parameters.getOrDefault("millis", "100"));
        }

        @Override public String name() { return "sleepy"; }
        @Override public long[] empty() { return new long[1]; }
        @Override public long[] combine(long[] earlier, long[] later) { earlier[0] += later[0]; return earlier; }
        @Override public Long finish(long[] partial) { return partial[0]; }
        @Override public void writePartial(long[] partial, DataOutput out) throws IOException { out.writeLong(partial[0]); }
        @Override public long[] readPartial(DataInput in) throws IOException { return new long[] {in.readLong()}; }

        @Override
        public long[] map(BatchView batch) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                throw new CancellationException("cancelled");
            }
            return new long[] {batch.rowCount()};
        }
    }

    private static List<Double> cancel(Store store, RunOptions options, Executor executor, int repeats) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < repeats + 1; i++) {
            Thread owner = Thread.currentThread();
            long[] sent = new long[1];
            Thread interrupter = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
                sent[0] = System.nanoTime();
                owner.interrupt();
            });
            try {
                Tsproc.of(store).run(JobRequest.builtin("stats"), options, executor);
                interrupter.interrupt(); // finished before the interrupt: no sample, and no interrupt for a later run
                interrupter.join();
                Thread.interrupted();
                continue;
            } catch (InterruptedException e) {
                long back = System.nanoTime();
                if (i > 0) { // the first run warms up
                    ms.add((back - sent[0]) / 1e6);
                }
            }
            Thread.interrupted();
        }
        return ms;
    }

    private static List<Double> lateness(Store store, RunOptions options) throws Exception {
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread status = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                long before = System.nanoTime();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                ms.add((System.nanoTime() - before) / 1e6 - 10);
            }
        });
        for (int i = 0; i < 5; i++) {
            Tsproc.of(store).run(BuiltinJob.named("stats"), options);
        }
        running.set(false);
        status.join();
        return ms;
    }

    private static List<Double> crash(Path file, boolean stop, int repeats) throws Exception {
        List<Double> ms = new ArrayList<>();
        JobRequest slow = JobRequest.custom(Sleepy.class.getName(), Map.of("millis", "60000"), List.of());
        for (int i = 0; i < (stop ? Math.min(3, repeats) : repeats); i++) {
            try (WorkerProcess w = WorkerProcess.start("bench", WorkerCommand.likeThisJvm(List.of()), List.of(file), l -> {})) {
                w.awaitReady(Duration.ofSeconds(60));
                w.openJob(file, slow);
                CompletableFuture<Long> failed = CompletableFuture.supplyAsync(() -> {
                    try {
                        w.runBatch(new Batch(0, 0, 1000), null);
                        return -1L;
                    } catch (WorkerDiedException e) {
                        return System.nanoTime();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(300);
                long sent = System.nanoTime();
                new ProcessBuilder("kill", stop ? "-STOP" : "-KILL", Long.toString(w.pid())).start().waitFor();
                long noticed = failed.get();
                ms.add((noticed - sent) / 1e6);
                new ProcessBuilder("kill", "-CONT", Long.toString(w.pid())).start().waitFor();
            }
        }
        return ms;
    }

    private static void report(String what, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        double median = sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
        double p99 = sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
        double max = sorted.isEmpty() ? Double.NaN : sorted.getLast();
        System.out.printf(Locale.ROOT, "BENCH %-95s n=%4d median %8.2f ms  p99 %8.2f ms  max %8.2f ms%n", what, sorted.size(),
                median, p99, max);
    }
}
