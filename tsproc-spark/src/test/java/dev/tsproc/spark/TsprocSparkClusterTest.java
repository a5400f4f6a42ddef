package dev.tsproc.spark;

import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.testkit.Await;
import dev.tsproc.testkit.JobJars;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.tsproc.spark.TsprocSparkLocalTest.groupedQuery;
import static dev.tsproc.spark.TsprocSparkLocalTest.onThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TsprocSpark on a real standalone cluster started by the test ({@link SparkCluster}: a master
 * and two workers, one executor JVM each): the threads executor's bits, an executor killed
 * mid-job, a deadline.
 */
@ExtendWith(SharedSpark.class)
@Order(2)
class TsprocSparkClusterTest {
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() throws Exception {
        spark = SharedSpark.get().cluster();
    }

    private static SparkRunOptions options(int partitions) {
        return SparkRunOptions.defaults().withBatchRows(SharedSpark.BATCH_ROWS).withPartitions(partitions);
    }

    @Test
    void theTalksJobAGroupedQueryAndACustomJobGiveTheThreadsAnswersBitForBit(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path jar = JobJars.compile(work, "example.AboveJob", JobJars.ABOVE_JOB, work.resolve("above.jar"));
        JobRequest above = JobRequest.custom("example.AboveJob", Map.of("threshold", "0.25"), List.of(jar));

        RunResult<?> stats = TsprocSpark.run(spark, fixture.talk(), JobRequest.builtin("stats"), options(4));
        RunResult<?> query = TsprocSpark.run(spark, fixture.walk(), groupedQuery(), options(5));
        RunResult<?> custom = TsprocSpark.run(spark, fixture.walk(), above, options(2));

        assertThat(stats.result()).isEqualTo(onThreads(fixture.talk(), JobRequest.builtin("stats")));
        assertThat(query.result()).isEqualTo(onThreads(fixture.walk(), groupedQuery()));
        assertThat(custom.result()).isEqualTo(onThreads(fixture.walk(), above));
    }

    @Test
    void parquetFilesReadBySparkGiveTheThreadsAnswerBitForBit(@TempDir Path work) throws Exception {
        String files = ParquetOnSparkTest.write(work).resolve("ns").toString();

        RunResult<?> query = TsprocSpark.run(spark, files, ParquetOptions.defaults(), groupedQuery(), options(3));

        assertThat(query.result()).isEqualTo(ParquetOnSparkTest.onThreads(files, ParquetOptions.defaults(), groupedQuery()));
    }

    @Test
    void anExecutorKilledMidJobIsReplacedBySparksRetryAndTheAnswerIsTheSame(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path arrived = work.resolve("arrived");
        Path gate = work.resolve("gate");
        JobRequest gated = JobRequest.custom(GatedJob.class.getName(),
                Map.of("at", "7", "arrived", arrived.toString(), "gate", gate.toString()), List.of());

        CompletableFuture<RunResult<?>> run = new CompletableFuture<>();
        Thread.ofPlatform().name("spark-run").start(() -> {
            try {
                run.complete(TsprocSpark.run(spark, fixture.walk(), gated, options(2)));
            } catch (Throwable t) {
                run.completeExceptionally(t);
            }
        });
        Await.file(arrived); // batch 7 is computing in an executor, held at the gate
        long pid = Long.parseLong(Files.readString(arrived).strip());
        ProcessHandle executor = ProcessHandle.of(pid).orElseThrow();
        assertThat(SharedSpark.get().executors()).as("executor JVMs").contains(executor);
        executor.destroyForcibly(); // SIGKILL, mid-batch
        executor.onExit().join();
        Files.createFile(gate); // the retry passes the gate

        assertThat(run.get().result()).isEqualTo(onThreads(fixture.walk(), gated));
    }

    @Test
    void aDeadlineCancelsTheJobAndLeavesNoTaskOnTheExecutors(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path arrived = work.resolve("arrived");
        JobRequest gated = JobRequest.custom(GatedJob.class.getName(),
                Map.of("at", "3", "arrived", arrived.toString(), "gate", work.resolve("never").toString()), List.of());

        assertThatThrownBy(() -> TsprocSpark.run(spark, fixture.walk(), gated, options(2).withTimeout(Duration.ofSeconds(5))))
                .isInstanceOf(JobTimedOutException.class);

        assertThat(spark.sparkContext().statusTracker().getActiveJobIds()).isEmpty();
        assertThat(Arrays.stream(spark.sparkContext().statusTracker().getExecutorInfos())
                .mapToInt(SparkExecutorInfo::numRunningTasks).sum()).isZero();
    }
}
