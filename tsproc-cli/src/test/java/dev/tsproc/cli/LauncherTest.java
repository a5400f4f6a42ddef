package dev.tsproc.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/tsproc}'s decisions (issue 14.9), in a scratch copy of the tree whose Maven wrapper
 * and JDK are scripts that write down how they were called: it builds when the CLI's sources
 * changed and only then, shows the build's progress, and records the start-up cache when the
 * jars' contents changed and only then — not after a build that rewrote them with the same
 * bytes, as {@code bin/test}'s does; and it stops the JIT at C1 for a run over small files.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    /** Maven as the launcher sees it: a line per module and per step, the jars written, or a failure. */
    private static final String MVNW = """
            #!/usr/bin/env bash
            echo "$*" >>"$(dirname "$0")/mvn-calls"
            cd "$(dirname "$0")"
            if [[ -e fail-build ]]; then echo "[ERROR] COMPILATION ERROR: X.java:[1,1] class expected"; exit 1; fi
            echo "[INFO] Scanning for projects..."
            echo "[INFO] Building tsproc 0.1.0-SNAPSHOT                              [1/3]"
            echo "[INFO] --- install:3.1.4:install (default-install) @ tsproc ---"
            echo "[INFO] Building tsproc-core 0.1.0-SNAPSHOT                         [2/3]"
            echo "[INFO] --- compiler:3.14.1:compile (default-compile) @ tsproc-core ---"
            echo "[INFO] --- jar:3.4.2:jar (default-jar) @ tsproc-core ---"
            echo "[INFO] Building tsproc-cli 0.1.0-SNAPSHOT                          [3/3]"
            echo "[INFO] --- jar:3.4.2:jar (default-jar) @ tsproc-cli ---"
            mkdir -p tsproc-cli/target/lib
            cp jar-content tsproc-cli/target/tsproc-cli.jar
            echo core >tsproc-cli/target/lib/tsproc-core.jar
            echo "[INFO] BUILD SUCCESS"
            """;
    /** A JDK 25 whose java records the cache when asked to and otherwise says what it ran. */
    private static final String JAVA = """
            #!/usr/bin/env bash
            root="$(dirname "$0")/../.."
            for arg in "$@"; do
              if [[ "$arg" == -XX:AOTCacheOutput=* ]]; then
                echo record >>"$root/java-calls"
                if [[ -e "$root/fail-training" ]]; then echo "training failed"; exit 1; fi
                echo cache >"${arg#*=}"; exit 0
              fi
            done
            echo run >>"$root/java-calls"
            echo "ran ${@: -1}"
            if [[ " $* " == *" -XX:TieredStopAtLevel=1 "* ]]; then echo "C1 only"; fi
            """;

    @TempDir
    Path root;

    @BeforeEach
    void scratchTree() throws IOException {
        Path repository = Path.of("").toAbsolutePath().getParent();
        Files.createDirectories(root.resolve("bin/lib"));
        Files.copy(repository.resolve("bin/tsproc"), root.resolve("bin/tsproc"));
        Files.copy(repository.resolve("bin/lib/jdk.sh"), root.resolve("bin/lib/jdk.sh"));
        executable(root.resolve("mvnw"), MVNW);
        executable(root.resolve("jdk/bin/java"), JAVA);
        executable(root.resolve("jdk/bin/javac"), "#!/bin/sh\n");
        Files.writeString(root.resolve("jdk/release"), "JAVA_VERSION=\"25.0.3\"\n");
        Files.createDirectories(root.resolve("jdk/lib"));
        Files.writeString(root.resolve("jdk/lib/modules"), "modules");
        for (String file : List.of("pom.xml", "tsproc-core/pom.xml", "tsproc-core/src/main/java/X.java", "tsproc-cli/pom.xml",
                "tsproc-cli/src/main/java/Y.java")) {
            Files.createDirectories(root.resolve(file).getParent());
            Files.writeString(root.resolve(file), "source");
        }
        Files.writeString(root.resolve("jar-content"), "the CLI, first build");
    }

    @Test
    void buildsAndRecordsOnceShowingTheBuildsProgress() throws Exception {
        Launch first = launch();
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo("ran --version\n");
        assertThat(first.err()).contains("tsproc: building (first use or sources changed)...\n"
                        + "tsproc:   tsproc (1/3) .\n"
                        + "tsproc:   tsproc-core (2/3) ..\n"
                        + "tsproc:   tsproc-cli (3/3) .\n")
                .contains("recording the start-up cache").doesNotContain("Scanning").doesNotContain("BUILD SUCCESS");
        assertThat(calls("mvn-calls")).hasSize(1);

        Launch second = launch();
        assertThat(second.err()).isEmpty();
        assertThat(second.out()).isEqualTo("ran --version\n");
        assertThat(calls("mvn-calls")).hasSize(1);
        assertThat(calls("java-calls")).containsExactly("record", "run", "run");
    }

    @Test
    void aBuildOfTheWholeTreeWithTheSameBytesChangesNothing() throws Exception {
        launch();
        // What bin/test's Maven run leaves: JMH's generated sources and the CLI's jars written again, byte for byte.
        Path generated = root.resolve("tsproc-bench/target/generated-sources/annotations/Bench_jmhTest.java");
        Files.createDirectories(generated.getParent());
        Files.writeString(generated, "generated");
        Path jar = root.resolve("tsproc-cli/target/tsproc-cli.jar");
        Files.writeString(jar, Files.readString(jar));
        later(generated, jar, root.resolve("tsproc-cli/target/lib/tsproc-core.jar"));

        Launch after = launch();
        assertThat(after.err()).isEmpty();
        assertThat(calls("mvn-calls")).hasSize(1);
        assertThat(calls("java-calls")).containsExactly("record", "run", "run");

        Files.writeString(jar, "the CLI, changed");
        later(jar);
        assertThat(launch().err()).isEqualTo("tsproc: recording the start-up cache (once per build)...\n");
        assertThat(calls("mvn-calls")).hasSize(1);
        assertThat(calls("java-calls")).containsExactly("record", "run", "run", "record", "run");
    }

    /** A training that failed is not retried at every start, but by the next build, even one of the same bytes. */
    @Test
    void aFailedTrainingIsTriedAgainAfterTheNextBuild() throws Exception {
        Files.writeString(root.resolve("fail-training"), "");
        Launch failed = launch();
        assertThat(failed.exit()).isZero();
        assertThat(failed.err()).contains("tsproc: could not record the start-up cache (see ");
        assertThat(Files.readString(root.resolve("tsproc-cli/target/aot-training.log"))).isEqualTo("training failed\n");
        assertThat(launch().err()).isEmpty();

        Files.delete(root.resolve("fail-training"));
        Path jar = root.resolve("tsproc-cli/target/tsproc-cli.jar");
        Files.writeString(jar, Files.readString(jar));
        later(jar);
        assertThat(launch().err()).isEqualTo("tsproc: recording the start-up cache (once per build)...\n");
        assertThat(calls("java-calls")).containsExactly("record", "run", "run", "record", "run");
    }

    @Test
    void aChangedSourceRebuildsAndAFailedBuildShowsMavensOutput() throws Exception {
        launch();
        Path source = root.resolve("tsproc-core/src/main/java/X.java");
        later(source);
        assertThat(launch().err()).startsWith("tsproc: building (first use or sources changed)...\n");
        assertThat(calls("mvn-calls")).hasSize(2);

        Files.writeString(root.resolve("fail-build"), "");
        later(source);
        Launch failed = launch();
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.out()).isEmpty();
        assertThat(failed.err()).contains("[ERROR] COMPILATION ERROR: X.java:[1,1] class expected\n")
                .endsWith("tsproc: the build failed; see the output above.\n");
    }

    @Test
    void aRunOverSmallFilesStopsAtC1() throws Exception {
        Path small = Files.writeString(root.resolve("small.tsp"), "a store of a few rows");
        Path large = root.resolve("large.tsp");
        try (RandomAccessFile file = new RandomAccessFile(large.toFile(), "rw")) {
            file.setLength(64 << 20); // sparse: no disk used
        }
        assertThat(launch("run", small.toString(), "--agg", "stats").out()).isEqualTo("ran stats\nC1 only\n");
        assertThat(launch("run", small.toString(), "--report", large.toString()).out()).isEqualTo("ran " + large + "\n");
        assertThat(launch("run", large.toString()).out()).isEqualTo("ran " + large + "\n");
        assertThat(launch("run", "--rows", "10").out()).isEqualTo("ran 10\n");
        assertThat(launch("info", small.toString()).out()).isEqualTo("ran " + small + "\n");
    }

    private record Launch(int exit, String out, String err) {}

    private Launch launch(String... args) throws IOException, InterruptedException {
        Path out = root.resolve("stdout");
        Path err = root.resolve("stderr");
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/tsproc").toString()));
        command.addAll(args.length == 0 ? List.of("--version") : List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        builder.environment().remove("TSPROC_JAVA_OPTS");
        int exit = builder.start().waitFor();
        return new Launch(exit, Files.readString(out), Files.readString(err));
    }

    private List<String> calls(String log) throws IOException {
        Path file = root.resolve(log);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /**
     * Marks {@code files} as written after everything before: two seconds from now, so that a
     * comparison of times cannot tie however coarse the file system's clock.
     */
    private static void later(Path... files) throws IOException {
        FileTime time = FileTime.from(Instant.now().plusSeconds(2));
        for (Path file : files) {
            Files.setLastModifiedTime(file, time);
        }
    }

    private static void executable(Path file, String script) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }
}
