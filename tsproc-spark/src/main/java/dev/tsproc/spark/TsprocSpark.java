package dev.tsproc.spark;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.data.Batch;
import dev.tsproc.exec.BatchFailedException;
import dev.tsproc.exec.JobCancelledException;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.RunProgress;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.ingest.parquet.ParquetSources;
import dev.tsproc.job.Job;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Run;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.plan.Plan;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.Store;
import dev.tsproc.store.VerifiedMarks;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import scala.Function1;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.concurrent.ExecutionContext$;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Failure;
import scala.util.Try;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tsproc's job requests on Apache Spark and gives the answer {@link dev.tsproc.Tsproc}
 * gives on one machine, bit for bit, whatever the cluster, the partitioning or the retries.
 *
 * {@snippet :
 * try (SparkSession spark = SparkSession.builder().master("spark://10.0.0.1:7077").getOrCreate()) {
 *     RunResult<?> run = TsprocSpark.run(spark, Path.of("/shared/walk.tsp"),
 *             JobRequest.query(new QuerySpec(Aggregate.parseList("mean,p99"), true, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false)));
 * }
 * }
 *
 * <p><b>How a job travels.</b> The driver opens the store, resolves the request (so a bad one
 * fails before Spark does anything) and {@linkplain Planner plans} the same fixed batches as on
 * one machine. Consecutive batches are grouped into Spark partitions, one task each. Each task
 * gets the store's path and identity, the request's bytes and the plan, never a
 * serialized {@link Job}: the executor opens the store (a path every executor can reach: a
 * shared file system, or the same file on each machine), rebuilds the job, maps each batch from
 * a zero-copy view, and sends back each batch's partial in the job's {@link PartialCodec} with
 * its index. The driver decodes the partials as partitions finish and combines them strictly in
 * batch order — not with Spark's {@code reduce} or {@code treeAggregate}, which combine in any
 * order — so the combine sequence is exactly the one-machine coordinator's.
 *
 * <p><b>Failures and retries</b> are Spark's: a failed task or a lost executor is retried up
 * to {@code spark.task.maxFailures} times; a batch's partial depends on the batch only, so a
 * retried run gives the same bits. A batch that fails every attempt fails the job with a
 * {@link JobFailedException} naming the batch, its rows and the executor.
 *
 * <p><b>Deadlines and cancellation.</b> Each run is one Spark job group. At
 * {@link SparkRunOptions#timeout()}, when the calling thread is interrupted, or when the driver
 * cannot take a partial (one that does not decode), the group is cancelled (tasks are interrupted), and the run returns only once Spark has ended the job and
 * reports none of its tasks running, or after {@value #STOP_GRACE_SECONDS} s if an executor
 * never reports back.
 */
public final class TsprocSpark {
    /** How long a cancelled run waits for Spark to report its tasks ended. */
    static final int STOP_GRACE_SECONDS = 30;

    private TsprocSpark() {}

    /** Runs {@code request} over the store at {@code store} with {@link SparkRunOptions#defaults()}. */
    public static RunResult<?> run(SparkSession spark, Path store, JobRequest request)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        return run(spark, store, request, SparkRunOptions.defaults());
    }

    /**
     * Runs {@code request} — a built-in job, a query, or a job class of yours whose jars every
     * executor can read at the same paths — over the store at {@code store}, which every
     * executor must reach at that path.
     *
     * @return the result, with rows and batches covered, the executors that computed batches as
     *         its workers, and the wall time; its timeline has each batch's times, in rows by
     *         executor and task slot, as {@link SparkRunOptions#listener()} was told them
     * @throws IllegalArgumentException in one sentence, if the job cannot be created or its
     *                                  partials cannot travel (no {@link PartialCodec})
     * @throws JobFailedException       if a batch failed on every attempt Spark made
     * @throws JobTimedOutException     if the run missed its deadline; the job group was cancelled
     * @throws JobCancelledException    if the calling thread was interrupted; the job group was cancelled
     * @throws IOException              if the store cannot be read here, or Spark failed the job
     *                                  for another reason (an executor could not read the store,
     *                                  executors lost more often than Spark retries)
     */
    public static RunResult<?> run(SparkSession spark, Path store, JobRequest request, SparkRunOptions options)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        try (Store opened = Store.open(store)) {
            return run(spark, opened, request, options);
        }
    }

    /**
     * As {@link #run(SparkSession, Path, JobRequest, SparkRunOptions)} over {@code store}, open
     * here (and left open); executors open {@link Store#path()} and check it is the same store.
     * A version-1 store, whose blocks are not checked as they are read, is verified whole here
     * first, once per change of the file ({@link VerifiedMarks}), as {@code tsproc run} does.
     *
     * @throws dev.tsproc.store.CorruptStoreException if the store is damaged
     */
    public static RunResult<?> run(SparkSession spark, Store store, JobRequest request, SparkRunOptions options)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        if (!store.checksBlocksAsRead()) {
            VerifiedMarks.ofUser().verifyOnce(store); // a damaged store must never answer
        }
        try (JobRequest.Resolved resolved = request.resolve(store)) {
            return execute(spark.sparkContext(), store, resolved.job(), request, options);
        }
    }

    /**
     * Runs {@code request} over Parquet files that Spark reads with its own reader — a file, a
     * directory of them or a glob ({@link ParquetSources#resolve}), at paths every executor can
     * read — and gives the answer {@code tsproc run FILES --executor threads} gives, bit for bit.
     *
     * <p>The columns are chosen and read as {@code tsproc import} reads them ({@code columns}: the
     * timestamp, value and series columns, {@code --ts-format} for plain integers): timestamps
     * of any unit Parquet has (nanoseconds, which Spark 4 reads only with
     * {@value ParquetDataset#NANOS_AS_LONG}, set on the session for the run), dates, and integers;
     * values of any numeric type or boolean, a null value as missing; series as text, a null
     * series as the series named {@code ""}. Rows are put in time order, as an import puts them
     * ({@link ParquetDataset}); each Spark partition of them is cut into batches of
     * {@link SparkRunOptions#batchRows()} rows, and the partials are combined in partition order,
     * then batch order. Built-in jobs and queries give the same bits for any batching; a job of
     * one's own gives the threads executor's answer if its answer does not depend on where the
     * batches are cut.
     *
     * @throws BadInputException in one sentence naming the file, if a file is not Parquet, lacks a
     *                           column, has a column tsproc cannot read, or a null or
     *                           out-of-range timestamp (the last two when a task meets it, as the
     *                           failed job's {@link IOException})
     * @see #run(SparkSession, Path, JobRequest, SparkRunOptions) for the rest
     */
    public static RunResult<?> run(SparkSession spark, String parquet, ParquetOptions columns, JobRequest request,
                                   SparkRunOptions options)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        List<Path> files = ParquetSources.resolve(parquet);
        RuntimeConfig conf = spark.conf();
        Option<String> before = conf.getOption(ParquetDataset.NANOS_AS_LONG);
        conf.set(ParquetDataset.NANOS_AS_LONG, "true");
        try {
            ParquetDataset dataset = ParquetDataset.read(spark, files, columns.readingSeries(request.readsSeries()));
            try (JobRequest.Resolved resolved = request.resolve(dataset.dictionary, dataset.columns.series() != null)) {
                return execute(spark.sparkContext(), parquet, dataset, resolved.job(), request, options);
            }
        } finally {
            if (before.isDefined()) {
                conf.set(ParquetDataset.NANOS_AS_LONG, before.get());
            } else {
                conf.unset(ParquetDataset.NANOS_AS_LONG);
            }
        }
    }

    private static <P, R> RunResult<R> execute(SparkContext sc, String source, ParquetDataset dataset, Job<P, R> job,
                                               JobRequest request, SparkRunOptions options)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        PartialCodec<P> codec = PartialCodec.of(job);
        NanoClock clock = options.clock();
        int partitions = partitions(sc, options);
        // The batches are cut on the executors; this plan's counts are what the run's status shows as its total.
        Run run = Run.start(job.name(), "spark " + sc.master() + " ×" + partitions,
                configuration(sc, source, request, options, partitions), new Plan(0, dataset.rowCount, options.batchRows()),
                clock, options.listener());
        long start = clock.nanoTime();
        long fromNanos = request instanceof JobRequest.Query(QuerySpec spec) ? spec.fromNanos() : Long.MIN_VALUE;
        long toNanos = request instanceof JobRequest.Query(QuerySpec spec) ? spec.toNanos() : Long.MAX_VALUE;
        Broadcast<List<String>> names = JavaSparkContext.fromSparkContext(sc).broadcast(new ArrayList<>(dataset.dictionary.names()));
        List<String> files = dataset.files.stream().map(Path::toString).toList();
        Set<String> executors = new TreeSet<>();
        Function<Boolean, MapRows> mapRows = inFileOrder -> new MapRows(request, names, dataset.columns.series() != null,
                dataset.nanosPerUnit, options.batchRows(), fromNanos, toNanos, files, inFileOrder);
        Combined<P> combined = null;
        try {
            if (dataset.columns.inTimeOrder()) {
                MapRows map = mapRows.apply(true);
                try {
                    combined = combineAll(sc, job, codec, request, () -> dataset.rows.queryExecution().toRdd().toJavaRDD().mapPartitions(map),
                            (partition, list) -> checkInFileOrder(partition, list, files), files, 0, options, run, start, executors);
                } catch (NotInTimeOrder e) {
                    System.err.println("tsproc: " + e.getMessage() + ", though the row groups' statistics say they are in time order;"
                            + " reading the files again sorted by time");
                }
            }
            if (combined == null) {
                MapRows map = mapRows.apply(false);
                combined = combineAll(sc, job, codec, request,
                        () -> dataset.inTimeOrder(partitions).queryExecution().toRdd().toJavaRDD().mapPartitions(map),
                        TsprocSpark::checkPositions, null, 0, options, run, start, executors);
            }
        } finally {
            names.destroy();
        }
        return finish(job, combined.partial(), combined.rows(), combined.batches(), executors, run, clock, start);
    }

    /**
     * Checks a partition of rows read in file order: its batches in order, each holding rows in
     * time order ({@link MapRows}).
     *
     * @throws NotInTimeOrder if a batch's rows are not
     */
    private static void checkInFileOrder(int partition, List<EncodedPartial> partials, List<String> files) {
        checkPositions(partition, partials);
        for (EncodedPartial partial : partials) {
            EncodedPartial.InFile at = partial.inFile();
            if (at.lastTs() < at.firstTs()) {
                throw new NotInTimeOrder(files.get(at.file()) + ": row " + at.row());
            }
        }
    }

    /** Rows read in file order that are not in time order: the run reads them again sorted. */
    static final class NotInTimeOrder extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        /** @param where the first row found out of order, {@code FILE: row N} */
        NotInTimeOrder(String where) {
            super("the rows are not in time order at " + where);
        }
    }

    /** Checks that a partition of rows returned its batches in order: positions 0, 1, …. */
    private static void checkPositions(int partition, List<EncodedPartial> partials) {
        for (int i = 0; i < partials.size(); i++) {
            if (partials.get(i).batchIndex() != i) {
                throw new IllegalStateException("partition " + partition + " returned batch " + partials.get(i).batchIndex()
                        + " at position " + i);
            }
        }
    }

    private static <P, R> RunResult<R> execute(SparkContext sc, Store store, Job<P, R> job, JobRequest request,
                                               SparkRunOptions options)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        PartialCodec<P> codec = PartialCodec.of(job);
        Plan plan = Planner.plan(store, request, options.batchRows());
        NanoClock clock = options.clock();
        List<BatchRange> ranges = ranges(plan.batchCount(), partitions(sc, options));
        Run run = Run.start(job.name(), "spark " + sc.master() + " ×" + ranges.size(),
                configuration(sc, String.valueOf(store.path()), request, options, ranges.size()), plan, clock,
                options.listener());
        long start = clock.nanoTime();
        Set<String> executors = new TreeSet<>();
        P combined = ranges.isEmpty() ? job.empty() : combineAll(sc, job, codec, request,
                () -> JavaSparkContext.fromSparkContext(sc).parallelize(ranges, ranges.size())
                        .mapPartitions(new MapBatches(store, request, plan)),
                (partition, list) -> checkRange(ranges.get(partition), partition, list),
                null, plan.firstRow(), options, run, start, executors).partial();
        return finish(job, combined, plan.rowCount(), plan.batchCount(), executors, run, clock, start);
    }

    /** Spark partitions for a run: as the options say, or by default twice Spark's parallelism. */
    private static int partitions(SparkContext sc, SparkRunOptions options) {
        return options.partitions() == 0 ? 2 * sc.defaultParallelism() : options.partitions();
    }

    /** Finishes a run whose partials are combined: the job's answer, and the run's account of it. */
    private static <P, R> RunResult<R> finish(Job<P, R> job, P combined, long rows, long batches, Set<String> executors,
                                              Run run, NanoClock clock, long start) {
        run.combined();
        R result = job.finish(combined);
        Duration elapsed = Duration.ofNanos(clock.nanoTime() - start);
        run.finish(elapsed.toNanos());
        return new RunResult<>(result, job.name(), rows, batches, executors.size(), elapsed, run.timeline(), List.of(), -1);
    }

    /** What arrives at the driver: a finished partition's partials, or the end of the Spark job. */
    private sealed interface Arrival {}
    /** A partition's partials, and when they arrived on the run's clock. */
    private record PartitionDone(int partition, List<EncodedPartial> partials, long arrivedNanos) implements Arrival {}
    private record JobEnded(Try<BoxedUnit> outcome) implements Arrival {}

    /** The partials of a run combined, and how many batches and rows they cover. */
    record Combined<P>(P partial, long batches, long rows) {}

    /** Checks what a partition returned before it is combined: its batches, in order. */
    @FunctionalInterface
    interface PartitionCheck {
        /** @throws IllegalStateException if {@code partials} are not the batches of {@code partition}, in order */
        void check(int partition, List<EncodedPartial> partials);
    }

    /** Checks that a store's partition returned the batches of its {@code range}, in order. */
    private static void checkRange(BatchRange range, int partition, List<EncodedPartial> partials) {
        if (partials.size() != range.endBatch() - range.firstBatch()) {
            throw new IllegalStateException("partition " + partition + " returned " + partials.size()
                    + " partials for " + (range.endBatch() - range.firstBatch()) + " batches");
        }
        for (int i = 0; i < partials.size(); i++) {
            if (partials.get(i).batchIndex() != range.firstBatch() + i) {
                throw new IllegalStateException("partition " + partition + " returned batch "
                        + partials.get(i).batchIndex() + " where batch " + (range.firstBatch() + i) + " belongs");
            }
        }
    }

    /**
     * Submits one Spark job over the partitions of the RDD that {@code partials} makes (within the
     * run's job group, so that work Spark does to make it is cancelled with the run), and combines
     * the partials in partition order, each partition's in its order, as partitions finish (or in
     * file order, see {@code inFileOrder}); the calling thread waits with the time left until the
     * deadline.
     *
     * <p>{@code run} is told each batch as it is combined, numbered in combine order from batch 0
     * at row {@code firstRow} (a store's plan numbers them so too), with its times on the executor
     * moved onto the run's clock ({@link #clockShift}): queued when the Spark job was submitted.
     *
     * @param inFileOrder the Parquet files in path order when the partials are batches of their rows
     *                    read in file order ({@link MapRows}): then they are combined once all
     *                    are in, in file and row order, after checking that their times keep to
     *                    it; {@code null} to combine partitions in order as they finish
     * @param firstRow the row the first batch begins at, for the batches' row ranges
     * @param run      the run, whose plan gives its batches and rows for its progress if it stops early
     */
    static <P> Combined<P> combineAll(SparkContext sc, Job<P, ?> job, PartialCodec<P> codec, JobRequest request,
                            Supplier<JavaRDD<EncodedPartial>> partials, PartitionCheck check, List<String> inFileOrder, long firstRow,
                            SparkRunOptions options, Run run, long start, Set<String> executors)
            throws IOException, JobFailedException, JobTimedOutException, InterruptedException {
        String group = "tsproc-" + UUID.randomUUID();
        LinkedBlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        NanoClock clock = options.clock();
        long startEpochNanos = MapBatches.epochNanos() - run.sinceStart(clock.nanoTime()); // the run's start on the wall clock
        long submitted = run.sinceStart(clock.nanoTime());
        AtomicInteger partitions = new AtomicInteger(-1);
        AtomicBoolean stopping = new AtomicBoolean();
        // Making the RDD may run Spark jobs of its own (sampling the keys of a range partitioning, adaptive
        // query stages), so a thread of its own submits, in the job group, and the deadline covers them too.
        Thread.ofPlatform().daemon().name("tsproc-spark-submit").start(() -> {
            sc.setJobGroup(group, "tsproc " + request.describe(), true); // interrupt tasks when cancelled
            try {
                JavaRDD<EncodedPartial> rdd = partials.get();
                partitions.set(rdd.getNumPartitions());
                SimpleFutureAction<BoxedUnit> future = sc.submitJob(rdd.rdd(), new ToList(), partitionIndexes(partitions.get()),
                        (partition, list) -> {
                            arrivals.add(new PartitionDone((Integer) partition, list, run.sinceStart(clock.nanoTime())));
                            return BoxedUnit.UNIT;
                        },
                        () -> BoxedUnit.UNIT);
                if (stopping.get()) {
                    sc.cancelJobGroup(group, "the run stopped while its job was submitted"); // the stop's cancel came first
                }
                // Spark calls the result handler for every partition before it completes the future.
                future.onComplete(outcome -> arrivals.add(new JobEnded(outcome)), ExecutionContext$.MODULE$.fromExecutor(Runnable::run));
            } catch (Throwable t) {
                arrivals.add(new JobEnded(new Failure<>(t)));
            } finally {
                sc.clearJobGroup();
            }
        });

        long deadline = options.timeout() == null ? Long.MAX_VALUE : start + options.timeout().toNanos();
        Map<Integer, PartitionDone> waiting = new HashMap<>();
        List<Arrived> ready = new ArrayList<>(); // partials to combine next, in order
        P combined = job.empty();
        int frontier = 0;
        long batchesDone = 0;
        long rowsDone = 0;
        long batchesCombined = 0;
        long rowsCombined = 0;
        long batchCount = run.plan().batchCount();
        long rowCount = run.plan().rowCount();
        String stopReason = "the run failed on the driver"; // until the loop ends otherwise
        boolean ended = false;
        try {
            while (!ended) {
                Arrival arrival;
                try {
                    arrival = deadline == Long.MAX_VALUE ? arrivals.take() : next(arrivals, deadline, clock);
                } catch (InterruptedException e) {
                    stopReason = "the run was interrupted";
                    throw new JobCancelledException(job.name(), progress(batchCount, rowCount, batchesDone, rowsDone));
                }
                if (arrival == null) {
                    stopReason = "the run missed its deadline";
                    throw new JobTimedOutException(job.name(), options.timeout(), progress(batchCount, rowCount, batchesDone, rowsDone));
                }
                if (arrival instanceof PartitionDone done) {
                    try {
                        check.check(done.partition(), done.partials());
                    } catch (NotInTimeOrder e) {
                        stopReason = "the rows are not in time order: the run reads them again sorted";
                        throw e;
                    }
                    if (waiting.put(done.partition(), done) != null) {
                        throw new IllegalStateException("partition " + done.partition() + " returned its partials twice");
                    }
                    for (EncodedPartial partial : done.partials()) {
                        executors.add(partial.executor());
                        batchesDone++;
                        rowsDone += partial.rowCount();
                    }
                    while (inFileOrder == null && waiting.containsKey(frontier)) {
                        ready.addAll(arrived(waiting.remove(frontier++), startEpochNanos, submitted));
                    }
                } else if (arrival instanceof JobEnded(Try<BoxedUnit> outcome)) {
                    ended = true;
                    if (outcome.isFailure()) {
                        throwFailure(job, outcome.failed().get());
                    }
                    if (inFileOrder != null) { // every batch is in: put them in file order and check their times keep to it
                        for (PartitionDone done : waiting.values()) {
                            ready.addAll(arrived(done, startEpochNanos, submitted));
                        }
                        frontier = waiting.size();
                        ready.sort(Comparator.comparingInt((Arrived a) -> a.partial().inFile().file())
                                .thenComparingLong(a -> a.partial().inFile().row()));
                        for (int i = 1; i < ready.size(); i++) {
                            EncodedPartial.InFile before = ready.get(i - 1).partial().inFile();
                            EncodedPartial.InFile at = ready.get(i).partial().inFile();
                            if (at.firstTs() < before.lastTs()) {
                                throw new NotInTimeOrder(inFileOrder.get(at.file()) + ": row " + at.row());
                            }
                        }
                    }
                }
                for (Arrived next : ready) {
                    EncodedPartial partial = next.partial();
                    long computeStart = partial.computeStart() - startEpochNanos + next.shift();
                    // the task's first batch was the executor's once Spark started the task; the others at once
                    long received = next.firstOfTask() ? Math.max(submitted, partial.taskStart() - startEpochNanos + next.shift())
                            : computeStart;
                    run.finished(new BatchTimes(new Batch(batchesCombined++, firstRow + rowsCombined, partial.rowCount()),
                            partial.worker(), partial.attempt(), submitted, received, computeStart,
                            partial.computeEnd() - startEpochNanos + next.shift(), -1));
                    rowsCombined += partial.rowCount();
                    combined = job.combine(combined, decode(codec, partial));
                }
                ready.clear();
            }
        } finally {
            if (!ended) { // a deadline, an interrupt, or a partial the driver could not take: no task outlives the run
                stopping.set(true);
                stop(sc, group, arrivals, stopReason);
            }
        }
        if (frontier != partitions.get()) {
            throw new IllegalStateException("combined " + frontier + " of " + partitions.get() + " partitions");
        }
        return new Combined<>(combined, batchesDone, rowsDone);
    }

    /** A partial ready to combine, with the move of its task's times onto the run's clock. */
    private record Arrived(EncodedPartial partial, long shift, boolean firstOfTask) {
    }

    /** The partials of a finished task, ready to combine. */
    private static List<Arrived> arrived(PartitionDone done, long startEpochNanos, long submitted) {
        long shift = clockShift(done.partials(), startEpochNanos, submitted, done.arrivedNanos());
        List<Arrived> arrived = new ArrayList<>(done.partials().size());
        for (EncodedPartial partial : done.partials()) {
            arrived.add(new Arrived(partial, shift, arrived.isEmpty()));
        }
        return arrived;
    }

    /**
     * How far to move a task's times, read on its executor's clock, so that they lie between the
     * Spark job's submission and the partials' arrival on the driver: 0 when the clocks agree (one
     * machine), else the least move that puts them there, as far as it can — machines' clocks may
     * differ by more than a task takes.
     */
    static long clockShift(List<EncodedPartial> task, long startEpochNanos, long submitted, long arrived) {
        long first = task.stream().mapToLong(EncodedPartial::computeStart).min().orElse(startEpochNanos) - startEpochNanos;
        long last = task.stream().mapToLong(EncodedPartial::computeEnd).max().orElse(startEpochNanos) - startEpochNanos;
        if (first < submitted) {
            return submitted - first;
        }
        if (last > arrived) {
            return Math.max(submitted - first, arrived - last);
        }
        return 0;
    }

    /** Partitions {@code 0 .. count - 1}, as Spark's job submission takes them. */
    private static Seq<Object> partitionIndexes(int count) {
        List<Object> indexes = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            indexes.add(p);
        }
        return CollectionConverters.asScala(indexes).toList();
    }

    /** Consecutive batches grouped into at most {@code partitions} ranges that differ by one batch at most. */
    static List<BatchRange> ranges(long batchCount, int partitions) {
        int count = (int) Math.min(batchCount, partitions);
        List<BatchRange> ranges = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            ranges.add(new BatchRange(p, batchCount * p / count, batchCount * (p + 1) / count));
        }
        return ranges;
    }

    private static <P> P decode(PartialCodec<P> codec, EncodedPartial partial) throws IOException {
        ByteArrayInputStream bytes = new ByteArrayInputStream(partial.bytes());
        P decoded = codec.readPartial(new DataInputStream(bytes));
        if (bytes.available() != 0) {
            throw new IOException("the partial of batch " + partial.batchIndex() + " has " + bytes.available()
                    + " bytes left over: executor and driver must run the same tsproc");
        }
        return decoded;
    }

    /** The next arrival, or {@code null} once {@code clock} has passed {@code deadline} without one. */
    private static Arrival next(LinkedBlockingQueue<Arrival> arrivals, long deadline, NanoClock clock)
            throws InterruptedException {
        for (long left; (left = deadline - clock.nanoTime()) > 0; ) {
            Arrival arrival = arrivals.poll(clock.realWaitNanos(left), TimeUnit.NANOSECONDS);
            if (arrival != null) {
                return arrival;
            }
        }
        return arrivals.poll();
    }

    /**
     * Cancels the job group and waits, uninterruptibly, until Spark has ended the job and reports
     * neither it nor any of its tasks running (or {@value #STOP_GRACE_SECONDS} s have passed).
     */
    private static void stop(SparkContext sc, String group, LinkedBlockingQueue<Arrival> arrivals, String reason) {
        sc.cancelJobGroup(group, reason);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (arrivals.take() instanceof JobEnded) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
            while (tasksRunning(sc, group) && System.nanoTime() < giveUp) {
                try {
                    Thread.sleep(20); // Spark's status store has no notification to wait on
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether Spark's status store still counts a job of {@code group} running, or a running task in one of its stages. */
    static boolean tasksRunning(SparkContext sc, String group) {
        for (int jobId : sc.statusTracker().getJobIdsForGroup(group)) {
            Option<SparkJobInfo> info = sc.statusTracker().getJobInfo(jobId);
            if (info.isEmpty()) {
                continue;
            }
            if (info.get().status() == JobExecutionStatus.RUNNING) {
                return true;
            }
            for (int stageId : info.get().stageIds()) {
                Option<SparkStageInfo> stage = sc.statusTracker().getStageInfo(stageId);
                if (stage.isDefined() && stage.get().numActiveTasks() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How far a stopped run got; Spark does not say which batches were running. */
    private static RunProgress progress(long batchCount, long rowCount, long batchesDone, long rowsDone) {
        return new RunProgress(Math.max(batchCount, batchesDone), Math.max(rowCount, rowsDone), batchesDone, rowsDone,
                List.of(), 0);
    }

    /**
     * Why Spark failed the job: a batch that failed on its executor (every attempt) becomes the
     * {@link JobFailedException} it would be on one machine; anything else (the store unreadable
     * on an executor, executors lost too often) an {@link IOException} with Spark's reason.
     */
    private static void throwFailure(Job<?, ?> job, Throwable error) throws IOException, JobFailedException {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof MapBatches.BatchFailure f) {
                Batch batch = new Batch(f.batchIndex, f.rowOffset, f.rows);
                throw new JobFailedException(job.name(), List.of(new BatchFailedException(batch, f.executor, f.getCause())));
            }
            if (t instanceof IOException io && t != error) {
                throw new IOException(io.getMessage(), error);
            }
        }
        String reason = String.valueOf(error.getMessage()).lines().findFirst().orElse("");
        throw new IOException("Spark failed job " + job.name() + ": " + reason, error);
    }

    /** A run's settings as reports show them. */
    private static Map<String, String> configuration(SparkContext sc, String source, JobRequest request, SparkRunOptions options,
                                                     int partitions) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("store", source);
        c.put("job", request.describe());
        c.put("executor", "spark");
        c.put("master", sc.master());
        c.put("partitions", Integer.toString(partitions));
        c.put("batch rows", Long.toString(options.batchRows()));
        c.put("spark", sc.version());
        c.put("java", Runtime.version().toString());
        return c;
    }

    /** The partition's partials as a list: what a task sends back to the driver. */
    private static final class ToList
            implements Function1<scala.collection.Iterator<EncodedPartial>, List<EncodedPartial>>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public List<EncodedPartial> apply(scala.collection.Iterator<EncodedPartial> partials) {
            List<EncodedPartial> list = new ArrayList<>();
            CollectionConverters.asJava(partials).forEachRemaining(list::add);
            return list;
        }
    }
}
