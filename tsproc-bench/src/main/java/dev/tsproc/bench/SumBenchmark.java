package dev.tsproc.bench;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QueryResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The NaN-skipping sum of the value column (the built-in {@code sum} job run by the
 * {@link dev.tsproc.exec.Coordinator}) against the floor, the plain sums of {@link Floor} on the same number of
 * threads, over the talk's workload in shared memory ({@code /dev/shm}). Its peer, DuckDB's
 * {@code sum} of the same values, is measured by {@link SumBench} {@code --duckdb}.
 *
 * <p>{@code kernels} picks the job's block kernels: {@code auto} (the Vector API ones, since the
 * fork adds {@code jdk.incubator.vector}) or {@code scalar} (plain Java). Each parameter
 * combination runs in its own fork, which generates its own store and removes it at the end.
 *
 * <p>Run it (about 4 minutes for the default matrix):
 * {@snippet lang=shell :
 * ./mvnw -q -pl tsproc-bench -am package -DskipTests
 * java -jar tsproc-bench/target/benchmarks.jar SumBenchmark -rf json -rff target/sum-benchmark.json
 * # smaller: -p rows=10000000 ; plain-Java kernels too: -p kernels=auto,scalar
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class SumBenchmark {
    @Param({"200000000"})
    public long rows;

    @Param({"1", "2"})
    public int workers;

    @Param({"auto"})
    public String kernels;

    private TalkStore talk;
    private QueryJob job;
    private RunOptions options;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        System.setProperty("tsproc.kernels", kernels);
        talk = TalkStore.create(rows, Runtime.getRuntime().availableProcessors());
        job = BuiltinJob.named("sum");
        options = RunOptions.defaults().withWorkers(workers);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        talk.close();
    }

    /** The vectorised plain sum with no NaN handling. */
    @Benchmark
    public double floorVector() throws InterruptedException {
        return Floor.sum(talk.values(), workers, Floor.Kind.VECTOR);
    }

    /** The scalar plain sum with four accumulators and no NaN handling. */
    @Benchmark
    public double floorScalar() throws InterruptedException {
        return Floor.sum(talk.values(), workers, Floor.Kind.SCALAR);
    }

    /** The built-in {@code sum} job: NaN-skipping, exact, bit-identical for any worker count. */
    @Benchmark
    public QueryResult sum() throws Exception {
        return Tsproc.of(talk.store()).run(job, options).result();
    }
}
