package dev.tsproc.spark;

import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the Spark tests share, made once per test run and removed when it ends: one Spark
 * session (a JVM has one Spark context: {@code local[2]}, or on the test's standalone cluster),
 * the cluster, the stores they query, and a directory for Spark's scratch files and the
 * cluster's work directories (under {@code target/}, so nothing is left in /tmp). Test classes register it with
 * {@code @ExtendWith(SharedSpark.class)} and call {@link #get()}.
 *
 * <p>The build points the test JVM's {@code java.io.tmpdir} into {@code target/} too (the
 * module's {@code pom.xml}), where Spark's lz4-java unpacks its native library
 * ({@code liblz4-java-*.so}, which it would leave in /tmp); {@link #close()} empties it.
 */
public final class SharedSpark implements BeforeAllCallback, AutoCloseable {
    /** Rows of each store: enough for several batches per partition, small enough to be quick. */
    static final long ROWS = 300_000;
    /** Rows per batch in the tests: 30 batches of a store. */
    static final long BATCH_ROWS = 10_000;

    private static SharedSpark shared;

    private final Path dir;
    private final Path talk;
    private final Path walk;
    private SparkSession session;
    private SparkCluster cluster;

    private SharedSpark(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.talk = dir.resolve("talk.tsp");
        this.walk = dir.resolve("walk.tsp");
        Generator.generate(GeneratorSpec.talk(ROWS), talk, 2);
        Generator.generate(new GeneratorSpec(ROWS, 20, 0.05, Distribution.WALK, 7), walk, 2);
    }

    /** Public for JUnit; tests use {@link #get()}. */
    public SharedSpark() {
        this.dir = null;
        this.talk = null;
        this.walk = null;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedSpark.class, _ -> create(), SharedSpark.class);
    }

    private static synchronized SharedSpark create() {
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            shared = new SharedSpark(Files.createTempDirectory(target.toAbsolutePath(), "spark-tests-"));
            return shared;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The fixture of this test run. */
    static synchronized SharedSpark get() {
        if (shared == null) {
            throw new IllegalStateException("register @ExtendWith(SharedSpark.class)");
        }
        return shared;
    }

    /** The talk's workload: {0, 1, missing}, no series. */
    Path talk() {
        return talk;
    }

    /** Random walks of 20 series with 5% missing. */
    Path walk() {
        return walk;
    }

    /** A directory of this run's, removed at its end. */
    Path dir() {
        return dir;
    }

    /** The {@code local[2]} session, started on first use (stopping the cluster's: a JVM has one Spark context). */
    synchronized SparkSession local() throws IOException {
        return session("local[2]", SparkCluster.TEST_JVM_FLAGS);
    }

    /**
     * A session on the test's standalone cluster of two one-core workers ({@link SparkCluster}),
     * started on first use, with both executors registered.
     */
    synchronized SparkSession cluster() throws IOException, InterruptedException {
        if (cluster == null) {
            cluster = new SparkCluster(dir, 2);
        }
        SparkSession spark = session(cluster.masterUrl(), SparkCluster.TEST_JVM_FLAGS + " " + cluster.executorJavaOptions());
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // the driver and two executors
            Thread.sleep(50); // Spark's status tracker has no notification to wait on; the test's timeout bounds this
        }
        return spark;
    }

    /** The executor JVMs the cluster's workers are running. */
    synchronized List<ProcessHandle> executors() {
        return cluster == null ? List.of() : cluster.executors();
    }

    private SparkSession session(String master, String executorJavaOptions) throws IOException {
        if (session != null && !session.sparkContext().master().equals(master)) {
            session.stop();
            session = null;
        }
        if (session == null) {
            session = builder(master)
                    .config("spark.executor.memory", "512m")
                    .config("spark.executor.cores", "1")
                    .config("spark.cores.max", "2")
                    .config("spark.executor.extraJavaOptions", executorJavaOptions)
                    .getOrCreate();
        }
        return session;
    }

    /** A session builder bound to loopback, without UI, its scratch files in this run's directory. */
    SparkSession.Builder builder(String master) throws IOException {
        Path scratch = Files.createDirectories(dir.resolve("spark-local"));
        return SparkSession.builder().master(master).appName("tsproc-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.local.dir", scratch.toString())
                .config("spark.sql.shuffle.partitions", "2");
    }

    @Override
    public synchronized void close() throws IOException {
        if (session != null) {
            session.stop();
            session = null;
        }
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        removeAll(dir, true);
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        if (tmpdir.startsWith(Path.of("target").toAbsolutePath())) { // the build's, not /tmp of an IDE's run
            removeAll(tmpdir, false);
        }
    }

    /** Removes what {@code dir} holds, and {@code dir} itself if {@code itself}. */
    private static void removeAll(Path dir, boolean itself) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                if (itself || !f.equals(dir)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
