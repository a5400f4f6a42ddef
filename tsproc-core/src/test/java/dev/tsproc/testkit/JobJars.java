package dev.tsproc.testkit;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Compiles a job class at test time into a jar of its own, so it is on no class path but the jar's. */
public final class JobJars {
    private JobJars() {}

    /** A public job counting values above parameter {@code threshold}, in package {@code example}. */
    public static final String ABOVE_JOB = """
            package example;

            import dev.tsproc.data.BatchView;
            import dev.tsproc.job.Job;
            import dev.tsproc.job.PartialCodec;
            import java.io.DataInput;
            import java.io.DataOutput;
            import java.io.IOException;
            import java.util.Map;

            public final class AboveJob implements Job<long[], Long>, PartialCodec<long[]> {
                private final double threshold;

                public AboveJob(Map<String, String> parameters) {
                    if (!parameters.keySet().equals(java.util.Set.of("threshold"))) {
                        throw new IllegalArgumentException("AboveJob takes one parameter, threshold");
                    }
                    this.threshold = Double.parseDouble(parameters.get("threshold"));
                }

                public String name() { return "above"; }
                public long[] empty() { return new long[1]; }
                public long[] map(BatchView batch) {
                    long n = 0;
                    for (long i = 0; i < batch.rowCount(); i++) {
                        if (batch.value(i) > threshold) n++;
                    }
                    return new long[] {n};
                }
                public long[] combine(long[] a, long[] b) { a[0] += b[0]; return a; }
                public Long finish(long[] p) { return p[0]; }
                public void writePartial(long[] p, DataOutput out) throws IOException { out.writeLong(p[0]); }
                public long[] readPartial(DataInput in) throws IOException {
                    long n = in.readLong();
                    if (n < 0) throw new IOException("count=" + n + " is negative");
                    return new long[] {n};
                }
            }
            """;

    /**
     * Compiles {@code source}, the class {@code className}, against this JVM's class path and
     * packs it into {@code jar}.
     */
    public static Path compile(Path workDir, String className, String source, Path jar) throws IOException {
        Path src = workDir.resolve("src").resolve(className.replace('.', '/') + ".java");
        Path classes = workDir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, "-proc:none", "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.toString());
        if (status != 0) {
            throw new IOException("javac failed: " + errors);
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
