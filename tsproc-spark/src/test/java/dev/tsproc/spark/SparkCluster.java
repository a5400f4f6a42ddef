package dev.tsproc.spark;

import org.apache.spark.launcher.JavaModuleOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on this machine: Spark's own {@code Master} and two
 * {@code Worker} processes (one core each), bound to 127.0.0.1, started with the JVM flags
 * Spark's launcher would give them. Workers launch executor JVMs from a Spark home made for the
 * test: an empty {@code jars/} directory and the test's class path as
 * {@code SPARK_DIST_CLASSPATH}, so executors load tsproc and the test's jobs as the driver does.
 * {@link #close()} stops the workers (which end their executors) and the master, and kills any
 * process of theirs still alive after that. Every JVM of the cluster, executors included
 * ({@link #executorJavaOptions()}), has its {@code java.io.tmpdir} in the cluster's directory,
 * where Spark's lz4-java unpacks its native library; the directory's owner removes it.
 */
final class SparkCluster implements AutoCloseable {
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)");
    private static final Pattern REGISTERED = Pattern.compile("Successfully registered with master");
    private static final long START_SECONDS = 120;
    /** For the cluster's JVMs, which compute little: C1 only and the serial collector cost the loaded machine less CPU to start. */
    static final String TEST_JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    private final List<Process> processes = new ArrayList<>();
    private final String masterUrl;
    private final Path tmpdir;

    SparkCluster(Path dir, int workers) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars"));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        tmpdir = Files.createDirectories(dir.resolve("tmp"));
        try {
            CompletableFuture<String> url = new CompletableFuture<>();
            start("master", home, logs, MASTER_URL, url, "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", "0", "--webui-port", "0");
            masterUrl = await(url, "the master");
            List<CompletableFuture<String>> registered = new ArrayList<>();
            for (int w = 1; w <= workers; w++) {
                CompletableFuture<String> seen = new CompletableFuture<>();
                Path work = Files.createDirectories(dir.resolve("work-" + w));
                start("worker-" + w, home, logs, REGISTERED, seen, "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", "768m",
                        "--work-dir", work.toString(), masterUrl);
                registered.add(seen);
            }
            for (int w = 1; w <= workers; w++) {
                await(registered.get(w - 1), "worker-" + w);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code spark.executor.extraJavaOptions} for the cluster's executors: their {@code java.io.tmpdir}. */
    String executorJavaOptions() {
        return "-Djava.io.tmpdir=" + tmpdir;
    }

    /** {@code spark://127.0.0.1:PORT}. */
    String masterUrl() {
        return masterUrl;
    }

    /**
     * Starts {@code mainClass} with Spark's flags; its output goes to {@code logs/NAME.log}, and
     * {@code seen} completes with group 1 (or the line) of the first line {@code pattern} finds.
     */
    private void start(String name, Path home, Path logs, Pattern pattern, CompletableFuture<String> seen, String mainClass,
                       String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-Djava.io.tmpdir=" + tmpdir);
        command.addAll(List.of(TEST_JVM_FLAGS.split(" ")));
        command.addAll(Arrays.stream(JavaModuleOptions.defaultModuleOptionArray())
                .filter(flag -> !flag.contains("sun.security.action")) // gone from JDK 25, which warns
                .toList());
        command.add("-Dlog4j2.configurationFile=" + resource("log4j2-cluster.properties"));
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_DIST_CLASSPATH", classPath()); // executors run in directories of their own
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_LOG_DIR", logs.toString());
        Process process = builder.start();
        processes.add(process);
        Path log = logs.resolve(name + ".log");
        Thread.ofPlatform().daemon().name("spark-" + name + "-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        seen.complete(m.groupCount() > 0 ? m.group(1) : line);
                    }
                }
            } catch (IOException e) {
                seen.completeExceptionally(e);
            }
            seen.completeExceptionally(new IOException(name + " ended before it was ready; see " + log));
        });
    }

    /** This JVM's class path, every entry absolute. */
    private static String classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static String resource(String name) throws IOException {
        try {
            return Path.of(SparkCluster.class.getResource("/" + name).toURI()).toString();
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IOException("no test resource " + name, e);
        }
    }

    private static String await(CompletableFuture<String> seen, String what) throws IOException, InterruptedException {
        try {
            return seen.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(what + " did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(what + " did not start in " + START_SECONDS + " s", e);
        }
    }

    /** The executor JVMs the workers are running now. */
    List<ProcessHandle> executors() {
        return processes.subList(1, processes.size()).stream().flatMap(Process::children).toList();
    }

    /** Stops the workers, then the master (SIGTERM), and kills whatever of theirs is still alive. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : processes.reversed()) {
            all.addAll(p.descendants().toList()); // executors, which a worker ends when it stops
            all.add(p.toHandle());
        }
        for (Process p : processes.reversed()) {
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
                h.onExit().join();
            }
        }
        processes.clear();
    }
}
