package dev.tsproc.cli.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tsproc.Tsproc;
import dev.tsproc.cli.output.OutputFormat;
import dev.tsproc.cli.output.Progress;
import dev.tsproc.cli.output.QueryPrinter;
import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.ProcessExecutor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.exec.ThreadExecutor;
import dev.tsproc.exec.Transfer;
import dev.tsproc.exec.WorkerReport;
import dev.tsproc.observe.ProcessMemory;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code tsproc bench talk}: the talk's experiment on its workload. The talk's data (values
 * from {0, 1, missing}, one series) is generated once into shared memory; then every
 * combination of executor (threads, processes), transfer (shared, copy) and worker count runs
 * the talk's job — a NaN-skipping sum — {@code --repeat} times. Reported per combination: the
 * median total time and, for that run, each worker's time receiving data and computing (the
 * talk's two columns) and the peak memory of the coordinator and of each worker; then the
 * ratios copy/shared and processes/threads, and what starting the worker JVMs cost.
 *
 * <p>Worker JVMs are started once per worker count, before the runs that use them, and kept
 * warm across those runs; their start-up is reported apart. Each run opens the store afresh
 * in every process (threads included), so every run pays the same page mapping.
 */
@Command(name = "talk", mixinStandardHelpOptions = true,
        description = {"Reproduce the talk's experiment: threads and worker JVMs, shared memory and copies, 1, 2 and 4 workers.",
                "Prints total time, each worker's time to receive data and to compute, peak memory, and the ratios."})
final class BenchTalkCommand implements Callable<Integer> {
    static final long DEFAULT_ROWS = 200_000_000L;

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--rows", defaultValue = "" + DEFAULT_ROWS, description = "Rows of the talk's workload. Default: ${DEFAULT-VALUE}.")
    long rows;

    @Option(names = "--workers", split = ",", defaultValue = "1,2,4", description = "Worker counts. Default: ${DEFAULT-VALUE}.")
    List<Integer> workerCounts;

    @Option(names = "--executors", split = ",", defaultValue = "threads,processes",
            description = "Executors to compare. Default: ${DEFAULT-VALUE}.")
    List<String> executors;

    @Option(names = "--transfers", split = ",", defaultValue = "shared,copy",
            description = "Transfers to compare. Default: ${DEFAULT-VALUE}.")
    List<String> transfers;

    @Option(names = "--repeat", defaultValue = "3", description = "Runs per combination; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--warmup", defaultValue = "1",
            description = {"Rounds of every combination run first and not reported, so that the job is compiled in the "
                    + "coordinator and in every worker JVM, as it is in the talk's steady state. Default: ${DEFAULT-VALUE}."})
    int warmup;

    @Option(names = "--batch-rows", defaultValue = "" + RunOptions.DEFAULT_BATCH_ROWS,
            description = "Rows per batch. Default: ${DEFAULT-VALUE}.")
    long batchRows;

    @Option(names = "--job", defaultValue = "sum", description = "The built-in job to run; the talk's is sum. Default: ${DEFAULT-VALUE}.")
    String job;

    @Option(names = "--format", defaultValue = "table", description = "table or json. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(names = "--memory-batch-rows", split = ",", defaultValue = "1048576,4194304,16777216",
            description = {"Batch sizes for the memory table: one worker JVM, shared and copy, one run each, to show "
                    + "that a worker's private memory stays flat when it maps the store and grows with the batch when "
                    + "batches are copied to it. 0 skips it. Default: ${DEFAULT-VALUE}."})
    List<Long> memoryBatchRows;

    /** One worker in one run. */
    record WorkerLine(String worker, long pid, int batches, long receiveNanos, long computeNanos, long peakRssBytes,
                      long peakPrivateBytes) {}

    /** One run. */
    record Run(long elapsedNanos, Object answer, List<WorkerLine> workers, long coordinatorPeakRssBytes,
               long coordinatorPeakPrivateBytes) {}

    /** One combination: every repeat, and the median one. */
    record Combination(Executor.Kind executor, Transfer transfer, int workers, List<Run> runs) {
        Run median() {
            List<Run> sorted = runs.stream().sorted(Comparator.comparingLong(Run::elapsedNanos)).toList();
            return sorted.get((sorted.size() - 1) / 2);
        }

        /** The fastest run: on a machine shared with other work, the one least disturbed. */
        Run best() {
            return runs.stream().min(Comparator.comparingLong(Run::elapsedNanos)).orElseThrow();
        }
    }

    /** Starting a pool of worker JVMs. */
    record Startup(int workers, Duration pool, List<Duration> each) {}

    /** One worker's memory for one batch size and transfer. */
    record Memory(long batchRows, Transfer transfer, long peakPrivateBytes, long peakRssBytes) {}

    @SuppressWarnings("try") // the shutdown guard holds the JVM open for its scope and is never referenced
    @Override
    public Integer call() throws Exception {
        Checks.atLeast(spec, "--rows", rows, 1);
        Checks.atLeast(spec, "--repeat", repeat, 1);
        Checks.atLeast(spec, "--warmup", warmup, 0);
        Checks.atLeast(spec, "--batch-rows", batchRows, 1);
        for (int w : workerCounts) {
            Checks.atLeast(spec, "--workers", w, 1);
        }
        for (long b : memoryBatchRows) {
            Checks.atLeast(spec, "--memory-batch-rows", b, 0);
        }
        List<Executor.Kind> kinds = executors.stream().map(e -> Checks.executor(spec, "--executors", e)).distinct().toList();
        List<Transfer> modes = transfers.stream().map(t -> Checks.transfer(spec, "--transfers", t)).distinct().toList();
        JobRequest request;
        try {
            request = JobRequest.builtin(job);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        if (warmup == 0) {
            err.println("bench talk: no warm-up round: each combination's first run includes compiling the job, in every "
                    + "worker JVM apart; with few --repeat runs that can reverse the talk's comparisons.");
        }
        try (ShutdownGuard guard = new ShutdownGuard(spec.commandLine().getErr())) {
            Sweep.atStartup(err);
            try (SharedSegments shm = SharedSegments.create()) {
                Path store = shm.newStorePath();
                long start = System.nanoTime();
                try (Progress progress = new Progress("generate", rows, Progress.mode(false), err)) {
                    Generator.generate(GeneratorSpec.talk(rows), store, Runtime.getRuntime().availableProcessors(),
                            progress::advanceTo);
                }
                long generateNanos = System.nanoTime() - start;
                err.printf(Locale.ROOT, "bench talk: %,d rows generated into shared memory in %.3f s (the one copy shared memory costs)%n",
                        rows, generateNanos / 1e9);
                List<Startup> startups = new ArrayList<>();
                List<Combination> results = measure(store, request, kinds, modes, startups, err);
                checkSameAnswer(results);
                List<Memory> memory = measureMemory(store, request, err);
                PrintWriter out = spec.commandLine().getOut();
                if (format == OutputFormat.json) {
                    printJson(out, results, startups, memory, generateNanos);
                } else {
                    printTables(out, results, startups, memory, generateNanos);
                }
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    /**
     * Runs every combination {@code repeat} times, after {@code warmup} rounds that are not
     * kept. The repeats are interleaved — round after round of every combination — so that a
     * slow drift of the machine's load spreads over all combinations instead of falling on some.
     * Every pool of worker JVMs is started first, one after the other, each timed alone, and
     * kept until the end.
     *
     * <p>Without a warm-up, the first round is the JIT's: threads compile the job once in the
     * coordinator, each worker JVM compiles it again, so a single cold round can show processes
     * and copies in an order the warm runs of the talk do not (issue 14.8).
     */
    private List<Combination> measure(Path path, JobRequest request, List<Executor.Kind> kinds,
                                      List<Transfer> modes, List<Startup> startups, PrintWriter err) throws Exception {
        Map<String, Executor> executors = new LinkedHashMap<>();
        try {
            for (int workers : workerCounts) {
                for (Executor.Kind kind : kinds) {
                    executors.put(kind + "/" + workers, start(kind, workers, path, startups, err));
                }
            }
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            for (int r = -warmup; r < repeat; r++) {
                String round = r < 0 ? "warm-up round " + (r + warmup + 1) : "round " + (r + 1);
                for (int workers : workerCounts) {
                    for (Executor.Kind kind : kinds) {
                        for (Transfer transfer : modes) {
                            RunOptions options = new RunOptions(workers, batchRows, TaskGroup.Policy.CANCEL, kind, transfer);
                            Run run = runOnce(path, request, options, executors.get(kind + "/" + workers));
                            if (r >= 0) {
                                runs.computeIfAbsent(kind + "/" + transfer + "/" + workers, k -> new ArrayList<>()).add(run);
                            }
                            err.printf(Locale.ROOT, "bench talk: %s, %-9s %-6s %d worker(s): %.3f s%n", round,
                                    kind.label(), transfer.label(), workers, run.elapsedNanos() / 1e9);
                        }
                    }
                }
            }
            List<Combination> results = new ArrayList<>();
            for (int workers : workerCounts) {
                for (Executor.Kind kind : kinds) {
                    for (Transfer transfer : modes) {
                        results.add(new Combination(kind, transfer, workers, runs.get(kind + "/" + transfer + "/" + workers)));
                    }
                }
            }
            return results;
        } finally {
            executors.values().forEach(Executor::close);
        }
    }

    /** A worker's peak private memory and RSS per batch size and transfer, on one worker JVM. */
    private List<Memory> measureMemory(Path path, JobRequest request, PrintWriter err) throws Exception {
        List<Memory> memory = new ArrayList<>();
        List<Long> sizes = memoryBatchRows.stream().filter(b -> b > 0).toList();
        if (sizes.isEmpty()) {
            return memory;
        }
        try (ProcessExecutor pool = ProcessExecutor.start(1, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(path)).withWorkerLog(err::println))) {
            for (long size : sizes) {
                for (Transfer transfer : Transfer.values()) {
                    RunOptions options = new RunOptions(1, size, TaskGroup.Policy.CANCEL, Executor.Kind.PROCESSES, transfer);
                    WorkerLine w = runOnce(path, request, options, pool).workers().getFirst();
                    memory.add(new Memory(size, transfer, w.peakPrivateBytes(), w.peakRssBytes()));
                    err.printf(Locale.ROOT, "bench talk: memory, %,d rows per batch, %s: worker private %s MiB%n",
                            size, transfer.label(), mib(w.peakPrivateBytes()));
                }
            }
        }
        return memory;
    }

    private Executor start(Executor.Kind kind, int workers, Path path, List<Startup> startups, PrintWriter err)
            throws IOException, InterruptedException {
        if (kind == Executor.Kind.THREADS) {
            return new ThreadExecutor(workers);
        }
        ProcessExecutor pool = ProcessExecutor.start(workers, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(path)).withWorkerLog(err::println));
        startups.add(new Startup(workers, pool.startup(),
                pool.workerStartups()));
        return pool;
    }

    private static Run runOnce(Path path, JobRequest request, RunOptions options, Executor executor)
            throws Exception {
        System.gc(); // the previous run's garbage should not be collected during this one
        ProcessMemory.resetPeak();
        RunResult<?> result;
        try (Store store = Store.open(path)) {
            result = Tsproc.of(store).run(request, options, executor);
        }
        ProcessMemory coordinator = ProcessMemory.self();
        boolean ownProcess = options.executor() == Executor.Kind.PROCESSES;
        Map<String, WorkerLine> workers = new TreeMap<>();
        for (WorkerReport r : result.workerReports()) {
            workers.put(r.worker(), new WorkerLine(r.worker(), r.pid(), 0, 0, 0, ownProcess ? r.peakRssBytes() : -1, -1));
        }
        for (BatchTimes b : result.timeline().batches()) {
            WorkerLine w = workers.getOrDefault(b.worker(), new WorkerLine(b.worker(), -1, 0, 0, 0, -1, -1));
            workers.put(b.worker(), new WorkerLine(w.worker(), w.pid(), w.batches() + 1, w.receiveNanos() + b.receiveNanos(),
                    w.computeNanos() + b.computeNanos(), w.peakRssBytes(),
                    ownProcess ? Math.max(w.peakPrivateBytes(), b.privateBytes()) : -1));
        }
        return new Run(result.elapsed().toNanos(), result.result(), List.copyOf(workers.values()), coordinator.peakRssBytes(),
                result.coordinatorPeakPrivateBytes());
    }

    private static void checkSameAnswer(List<Combination> results) {
        Object first = results.getFirst().runs().getFirst().answer();
        for (Combination c : results) {
            for (Run r : c.runs()) {
                if (!Objects.equals(r.answer(), first)) {
                    throw new IllegalStateException(c.executor().label() + "/" + c.transfer().label() + " on " + c.workers()
                            + " workers answered " + r.answer() + ", not " + first + " as the first run did");
                }
            }
        }
    }

    // ---- output ---------------------------------------------------------------------------

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    private static String perWorker(List<WorkerLine> workers, java.util.function.ToLongFunction<WorkerLine> f,
                                    java.util.function.LongFunction<String> show) {
        return String.join(" ", workers.stream().map(w -> show.apply(f.applyAsLong(w))).toList());
    }

    private void printTables(PrintWriter out, List<Combination> results, List<Startup> startups, List<Memory> memory,
                             long generateNanos) {
        Run any = results.getFirst().median();
        out.printf(Locale.ROOT, "The talk's experiment: %,d rows, job %s, %,d rows per batch, median of %d run(s) after %d warm-up"
                        + " round(s); %d cores, Java %s%n",
                rows, job, batchRows, repeat, warmup, Runtime.getRuntime().availableProcessors(), Runtime.version());
        out.printf(Locale.ROOT, "answer: %s%n%n", QueryPrinter.asText(any.answer()));
        List<String[]> rowsOut = new ArrayList<>();
        rowsOut.add(new String[] {"executor", "transfer", "workers", "total s", "best s", "M rows/s", "receive s per worker",
                "compute s per worker", "coord. peak RSS MiB", "coord. private MiB", "worker peak RSS MiB",
                "worker private MiB"});
        for (Combination c : results) {
            Run m = c.median();
            rowsOut.add(new String[] {c.executor().label(), c.transfer().label(), Integer.toString(c.workers()),
                    seconds(m.elapsedNanos()), seconds(c.best().elapsedNanos()),
                    String.format(Locale.ROOT, "%.0f", rows / (m.elapsedNanos() / 1e9) / 1e6),
                    perWorker(m.workers(), WorkerLine::receiveNanos, BenchTalkCommand::seconds),
                    perWorker(m.workers(), WorkerLine::computeNanos, BenchTalkCommand::seconds),
                    mib(m.coordinatorPeakRssBytes()), mib(m.coordinatorPeakPrivateBytes()),
                    perWorker(m.workers(), WorkerLine::peakRssBytes, BenchTalkCommand::mib),
                    perWorker(m.workers(), WorkerLine::peakPrivateBytes, BenchTalkCommand::mib)});
        }
        table(out, rowsOut);

        out.println();
        out.println("ratios of total times, median and best run (above 1: the first is slower)");
        List<String[]> ratios = new ArrayList<>();
        ratios.add(new String[] {"ratio", "workers", "median", "best"});
        for (Combination c : results) {
            if (c.transfer() == Transfer.COPY) {
                find(results, c.executor(), Transfer.SHARED, c.workers()).ifPresent(s -> ratios.add(new String[] {
                        "copy/shared, " + c.executor().label(), Integer.toString(c.workers()), ratio(c, s, Combination::median),
                        ratio(c, s, Combination::best)}));
            }
        }
        for (Combination c : results) {
            if (c.executor() == Executor.Kind.PROCESSES) {
                find(results, Executor.Kind.THREADS, c.transfer(), c.workers()).ifPresent(t -> ratios.add(new String[] {
                        "processes/threads, " + c.transfer().label(), Integer.toString(c.workers()),
                        ratio(c, t, Combination::median), ratio(c, t, Combination::best)}));
            }
        }
        table(out, ratios);

        if (!memory.isEmpty()) {
            out.println();
            out.println("a worker JVM's memory by batch size (one worker; a batch is 16 bytes a row: ts and value)");
            List<String[]> lines = new ArrayList<>();
            lines.add(new String[] {"rows per batch", "batch MiB", "transfer", "worker private MiB", "worker peak RSS MiB"});
            for (Memory m : memory) {
                lines.add(new String[] {String.format(Locale.ROOT, "%,d", m.batchRows()), mib(m.batchRows() * 16),
                        m.transfer().label(), mib(m.peakPrivateBytes()), mib(m.peakRssBytes())});
            }
            table(out, lines);
        }

        out.println();
        out.printf(Locale.ROOT, "generating the data into shared memory, once: %.3f s%n", generateNanos / 1e9);
        for (Startup s : startups) {
            out.printf(Locale.ROOT, "starting %d worker JVM(s): %.3f s for the pool; each %s s%n", s.workers(),
                    s.pool().toNanos() / 1e9, String.join(" ", s.each().stream().map(d -> seconds(d.toNanos())).toList()));
        }
    }

    private static java.util.Optional<Combination> find(List<Combination> results, Executor.Kind kind, Transfer transfer, int workers) {
        return results.stream().filter(r -> r.executor() == kind && r.transfer() == transfer && r.workers() == workers).findFirst();
    }

    private static String ratio(Combination a, Combination b, java.util.function.Function<Combination, Run> which) {
        return String.format(Locale.ROOT, "%.2f", (double) which.apply(a).elapsedNanos() / which.apply(b).elapsedNanos());
    }

    private static void table(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == 0 ? "" : "  ").append(String.format("%-" + width[i] + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private void printJson(PrintWriter out, List<Combination> results, List<Startup> startups, List<Memory> memory,
                           long generateNanos) {
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeNumberField("rows", rows);
            json.writeStringField("job", job);
            json.writeNumberField("batchRows", batchRows);
            json.writeNumberField("repeat", repeat);
            json.writeNumberField("warmup", warmup);
            json.writeNumberField("cores", Runtime.getRuntime().availableProcessors());
            json.writeStringField("java", Runtime.version().toString());
            json.writeNumberField("generateSeconds", generateNanos / 1e9);
            json.writeArrayFieldStart("runs");
            for (Combination c : results) {
                json.writeStartObject();
                json.writeStringField("executor", c.executor().label());
                json.writeStringField("transfer", c.transfer().label());
                json.writeNumberField("workers", c.workers());
                json.writeArrayFieldStart("totalSeconds");
                for (Run r : c.runs()) {
                    json.writeNumber(r.elapsedNanos() / 1e9);
                }
                json.writeEndArray();
                Run m = c.median();
                json.writeNumberField("medianSeconds", m.elapsedNanos() / 1e9);
                json.writeNumberField("bestSeconds", c.best().elapsedNanos() / 1e9);
                json.writeNumberField("coordinatorPeakRssBytes", m.coordinatorPeakRssBytes());
                json.writeNumberField("coordinatorPeakPrivateBytes", m.coordinatorPeakPrivateBytes());
                json.writeArrayFieldStart("workers");
                for (WorkerLine w : m.workers()) {
                    json.writeStartObject();
                    json.writeStringField("worker", w.worker());
                    json.writeNumberField("pid", w.pid());
                    json.writeNumberField("batches", w.batches());
                    json.writeNumberField("receiveSeconds", w.receiveNanos() / 1e9);
                    json.writeNumberField("computeSeconds", w.computeNanos() / 1e9);
                    json.writeNumberField("peakRssBytes", w.peakRssBytes());
                    json.writeNumberField("peakPrivateBytes", w.peakPrivateBytes());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("ratios");
            for (Combination c : results) {
                if (c.transfer() == Transfer.COPY) {
                    Combination shared = find(results, c.executor(), Transfer.SHARED, c.workers()).orElse(null);
                    writeRatio(json, "copy/shared", c.executor().label(), c, shared);
                }
                if (c.executor() == Executor.Kind.PROCESSES) {
                    Combination threads = find(results, Executor.Kind.THREADS, c.transfer(), c.workers()).orElse(null);
                    writeRatio(json, "processes/threads", c.transfer().label(), c, threads);
                }
            }
            json.writeEndArray();
            json.writeArrayFieldStart("startup");
            for (Startup s : startups) {
                json.writeStartObject();
                json.writeNumberField("workers", s.workers());
                json.writeNumberField("poolSeconds", s.pool().toNanos() / 1e9);
                json.writeArrayFieldStart("workerSeconds");
                for (Duration d : s.each()) {
                    json.writeNumber(d.toNanos() / 1e9);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("memoryByBatchSize");
            for (Memory m : memory) {
                json.writeStartObject();
                json.writeNumberField("batchRows", m.batchRows());
                json.writeStringField("transfer", m.transfer().label());
                json.writeNumberField("workerPeakPrivateBytes", m.peakPrivateBytes());
                json.writeNumberField("workerPeakRssBytes", m.peakRssBytes());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
    }

    private static void writeRatio(JsonGenerator json, String name, String of, Combination a, Combination b) throws IOException {
        if (b == null) {
            return;
        }
        json.writeStartObject();
        json.writeStringField("ratio", name);
        json.writeStringField("of", of);
        json.writeNumberField("workers", a.workers());
        json.writeNumberField("value", (double) a.median().elapsedNanos() / b.median().elapsedNanos());
        json.writeNumberField("bestValue", (double) a.best().elapsedNanos() / b.best().elapsedNanos());
        json.writeEndObject();
    }
}
