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
import java.util.stream.Stream;

/**
 * What the Spark tests share, made once per test run and removed when it ends: a
 * {@code local[2]} session, the stores they query, and a directory for Spark's scratch files
 * (under {@code target/}, so nothing is left in /tmp). Test classes register it with
 * {@code @ExtendWith(SharedSpark.class)} and call {@link #get()}.
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
    private SparkSession local;

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

    /** The {@code local[2]} session, started on first use. */
    synchronized SparkSession local() throws IOException {
        if (local == null) {
            local = builder("local[2]").getOrCreate();
        }
        return local;
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
        if (local != null) {
            local.stop();
            local = null;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
