package dev.tsproc.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Python scripts with pyarrow, Polars, DuckDB and NumPy, which {@code python/setup-test-env}
 * installs from the package registry into the project's {@code .python/} folder, once. Where
 * they cannot be installed (no Python, no registry), a test that needs them is skipped and the
 * reason printed, rather than failed.
 */
public final class Python {
    private static Path site;
    private static String unavailable;

    private Python() {}

    /** The folder holding the packages; skips the calling test if they cannot be installed. */
    public static synchronized Path site() {
        if (site == null && unavailable == null) {
            install();
        }
        if (unavailable != null) {
            System.out.println("skipped: " + unavailable);
            Assumptions.abort(unavailable);
        }
        return site;
    }

    private static void install() {
        Path script = projectRoot().resolve("python/setup-test-env");
        try {
            Process p = new ProcessBuilder(script.toString()).redirectErrorStream(false).start();
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                unavailable = "the Python interop packages could not be installed: " + lastLine(err);
            } else {
                site = Path.of(out);
            }
        } catch (IOException e) {
            unavailable = "the Python interop packages could not be installed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while installing the Python interop packages";
        }
    }

    /**
     * Runs {@code script} in {@code workDir} with {@code args} (its {@code sys.argv[1:]}) and
     * returns what it printed. The script can import the packages and {@code python/}'s modules.
     *
     * @throws AssertionError if the script fails, with its stderr
     */
    public static String run(Path workDir, String script, String... args) throws IOException, InterruptedException {
        Path packages = site();
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("PYTHON", "python3"), "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        // The packages, and the project's own python/ (the store reader).
        builder.environment().put("PYTHONPATH", packages + java.io.File.pathSeparator + projectRoot().resolve("python"));
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Path errFile = Files.createTempFile(workDir, ".python-err", ".txt");
        try {
            Process p = builder.redirectError(errFile.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("the Python script did not end");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("the Python script failed:\n" + Files.readString(errFile));
            }
            return out;
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** The project's root: the first folder up from here holding {@code python/setup-test-env}. */
    private static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("python/setup-test-env"))) {
                return p;
            }
        }
        throw new IllegalStateException("no python/setup-test-env above " + Path.of("").toAbsolutePath());
    }
}
