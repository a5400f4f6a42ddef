package dev.tsproc.spark;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.BatchFailedException;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.Await;
import dev.tsproc.testkit.JobJars;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TsprocSpark in {@code local[2]}: the same bits as the threads executor, failures named, deadlines kept. */
@ExtendWith(SharedSpark.class)
@Order(1)
class TsprocSparkLocalTest {
    private static final long MINUTE = 60_000_000_000L;

    /** The answer on one machine: threads, the tests' batch size. */
    static Object onThreads(Path store, JobRequest request) throws Exception {
        try (Tsproc ts = Tsproc.open(store)) {
            return ts.run(request, RunOptions.defaults().withWorkers(2).withBatchRows(SharedSpark.BATCH_ROWS)).result();
        }
    }

    /** A query of every kind of aggregate, by series and minute, over part of the time range. */
    static JobRequest groupedQuery() {
        long start = 1_700_000_000_000_000_000L;
        return JobRequest.query(new QuerySpec(Aggregate.parseList("stats,first,last,p50,p99"), true, MINUTE,
                start + 7_777_000_000L, start + 250_000_000_000L, List.of(), false));
    }

    private static SparkRunOptions options(int partitions) {
        return SparkRunOptions.defaults().withBatchRows(SharedSpark.BATCH_ROWS).withPartitions(partitions);
    }

    @Test
    void theTalksJobGivesTheThreadsAnswerBitForBit() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        JobRequest stats = JobRequest.builtin("stats");
        RunResult<?> run = TsprocSpark.run(fixture.local(), fixture.talk(), stats, options(4));

        assertThat(run.result()).isEqualTo(onThreads(fixture.talk(), stats));
        assertThat(run.rows()).isEqualTo(SharedSpark.ROWS);
        assertThat(run.batches()).isEqualTo(SharedSpark.ROWS / SharedSpark.BATCH_ROWS);
    }

    @Test
    void aGroupedQueryGivesTheThreadsAnswerWhateverThePartitioning() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        JobRequest query = groupedQuery();
        Object expected = onThreads(fixture.walk(), query);
        assertThat(((QueryResult) expected).rows()).hasSizeGreaterThan(20); // several series and minutes

        for (int partitions : new int[] {1, 3, 7}) {
            RunResult<?> run = TsprocSpark.run(fixture.local(), fixture.walk(), query, options(partitions));
            assertThat(run.result()).as("%d partitions", partitions).isEqualTo(expected);
        }
    }

    @Test
    void aCustomJobFromItsJarGivesTheThreadsAnswer(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path jar = JobJars.compile(work, "example.AboveJob", JobJars.ABOVE_JOB, work.resolve("above.jar"));
        JobRequest above = JobRequest.custom("example.AboveJob", Map.of("threshold", "0.25"), List.of(jar));

        RunResult<?> run = TsprocSpark.run(fixture.local(), fixture.walk(), above, options(0));

        assertThat(run.result()).isEqualTo(onThreads(fixture.walk(), above)).isNotEqualTo(0L);
    }

    @Test
    void anEmptyTimeRangeGivesTheEmptyAnswerWithoutASparkJob() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        JobRequest none = JobRequest.query(new QuerySpec(Aggregate.parseList("count,sum"), true, 0, 0, 1, List.of(), false));

        RunResult<?> run = TsprocSpark.run(fixture.local(), fixture.walk(), none, options(0));

        assertThat(run.batches()).isZero();
        assertThat(run.result()).isEqualTo(onThreads(fixture.walk(), none));
    }

    @Test
    void aBatchThatFailsFailsTheJobNamingTheBatchAndItsRows() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        JobRequest faulty = JobRequest.custom("dev.tsproc.exec.TestJobs$Faulty", Map.of("throw", "12"), List.of());

        assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), fixture.walk(), faulty, options(3)))
                .isInstanceOf(JobFailedException.class)
                .satisfies(e -> {
                    BatchFailedException batch = ((JobFailedException) e).failures().getFirst();
                    assertThat(batch.batch().index()).isEqualTo(12);
                    assertThat(batch.batch().rowOffset()).isEqualTo(12 * SharedSpark.BATCH_ROWS);
                    assertThat(batch).hasMessageContaining("injected failure").hasMessageContaining("executor driver");
                });
    }

    @Test
    void aStoreReplacedAfterPlanningIsRefusedByTheExecutors(@TempDir Path work) throws Exception {
        // The executor finds a file of another size at the path: it must not answer for it.
        SharedSpark fixture = SharedSpark.get();
        Path store = Files.copy(fixture.talk(), work.resolve("store.tsp"));
        SparkSession spark = fixture.local();
        try (var opened = dev.tsproc.store.Store.open(store)) {
            Path other = Files.copy(fixture.walk(), work.resolve("other.tsp"));
            Files.move(other, store, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> TsprocSpark.run(spark, opened, JobRequest.builtin("sum"), options(2)))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("was replaced or changed");
        }
    }

    @Test
    void aDamagedVersion1StoreIsRefusedBeforeAnyTask(@TempDir Path work) throws Exception {
        // Its blocks are not checked as read: the library's run verifies it whole, as tsproc run does.
        SharedSpark fixture = SharedSpark.get();
        Path damaged = TsprocSourceTest.damagedVersion1Store(work);

        assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), damaged, JobRequest.builtin("sum"), options(2)))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void aStoreTruncatedUnderABatchFailsTheBatchNotTheExecutor(@TempDir Path work) throws Exception {
        // The JVM reports the fault as an InternalError, on which Spark would end the executor (exit code 50).
        SharedSpark fixture = SharedSpark.get();
        Path store = Files.copy(fixture.walk(), work.resolve("store.tsp"));
        Path arrived = work.resolve("arrived");
        Path gate = work.resolve("gate");
        JobRequest gated = JobRequest.custom(GatedJob.class.getName(), Map.of("at", "4", "arrived", arrived.toString(),
                "gate", gate.toString()), List.of());
        Thread truncate = Thread.ofPlatform().start(() -> {
            try {
                Await.file(arrived);
                try (FileChannel file = FileChannel.open(store, StandardOpenOption.WRITE)) {
                    file.truncate(4096);
                }
                Files.createFile(gate);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), store, gated, options(1))) // no other task to fail first
                    .isInstanceOf(JobFailedException.class)
                    .satisfies(e -> {
                        BatchFailedException batch = ((JobFailedException) e).failures().getFirst();
                        assertThat(batch.batch().index()).isEqualTo(4);
                        assertThat(batch).hasMessageContaining(Store.TRUNCATED_WHILE_READING);
                    });
        } finally {
            truncate.join();
        }
        assertThat(TsprocSpark.run(fixture.local(), fixture.talk(), JobRequest.builtin("sum"), options(2)).batches())
                .as("the executor lives on").isEqualTo(SharedSpark.ROWS / SharedSpark.BATCH_ROWS);
    }

    @Test
    void aDeadlineCancelsTheJobGroupAndLeavesNoTaskRunning(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        JobRequest gated = JobRequest.custom(GatedJob.class.getName(), Map.of("at", "4",
                "arrived", work.resolve("arrived").toString(), "gate", work.resolve("gate").toString()), List.of());

        assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), fixture.walk(), gated,
                options(2).withTimeout(Duration.ofMillis(300))))
                .isInstanceOf(JobTimedOutException.class)
                .hasMessageContaining("exceeded its timeout of");
        assertThat(fixture.local().sparkContext().statusTracker().getActiveJobIds()).isEmpty();
        assertThat(fixture.local().sparkContext().statusTracker().getActiveStageIds()).isEmpty();
    }
}
