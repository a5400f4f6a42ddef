package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tsproc run --out FILE [--force]}: the result in a file, as the extension or --format says, never overwritten unasked. */
class RunOutFileTest {
    @TempDir
    static Path shared;
    private static Path store;

    @TempDir
    Path dir;

    @BeforeAll
    static void store() throws Exception {
        store = shared.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(20_000, 3, 0.1, Distribution.WALK, 5), store, 2);
    }

    private static Cli query(String... more) {
        String[] args = {"run", store.toString(), "--agg", "count,mean,p50", "--by", "series", "--workers", "2", "--quiet"};
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return Cli.run(all);
    }

    @Test
    void writesTheResultInTheFormatItsExtensionSaysOwnerOnlyAndNothingOnStdout() throws Exception {
        for (String format : new String[] {"csv", "json", "table"}) {
            Path file = dir.resolve("result." + (format.equals("table") ? "txt" : format));
            Cli written = query("--out", file.toString());
            assertThat(written.exitCode()).as(written.err()).isZero();
            assertThat(written.out()).isEmpty();
            Cli printed = query("--format", format);
            assertThat(Files.readString(file)).isEqualTo(printed.out()).contains("s2");
            assertThat(Files.getPosixFilePermissions(file))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
        Path odd = dir.resolve("result.dat");
        Cli explicit = query("--out", odd.toString(), "--format", "json");
        assertThat(explicit.exitCode()).as(explicit.err()).isZero();
        assertThat(Files.readString(odd)).startsWith("[{\"series\":\"s0\"");
    }

    /**
     * {@code run --format arrow > FILE} and {@code --format parquet | tool}: a binary answer goes to
     * standard output redirected to a file, or for Parquet a pipe, the bytes {@code --out} writes;
     * Arrow, written at positions, is refused for a pipe (as this test JVM's own standard output is).
     */
    @Test
    void binaryResultsGoToStandardOutputRedirectedToAFileOrForParquetAPipe() throws Exception {
        for (String format : new String[] {"arrow", "parquet"}) {
            Path file = dir.resolve("result." + format);
            assertThat(query("--out", file.toString()).exitCode()).isZero();
            Path redirected = dir.resolve("redirected." + format);
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", store.toString(), "--agg",
                    "count,mean,p50", "--by", "series", "--workers", "2", "--quiet", "--format", format));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            byte[] written;
            if (format.equals("arrow")) {
                Process run = builder.redirectOutput(redirected.toFile()).start();
                assertThat(run.waitFor()).isZero();
                written = Files.readAllBytes(redirected);
            } else {
                Process run = builder.start();
                written = run.getInputStream().readAllBytes();
                assertThat(run.waitFor()).isZero();
            }
            assertThat(written).as(format).isEqualTo(Files.readAllBytes(file));
        }
        Cli piped = query("--format", "arrow");
        assertThat(piped.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(piped.err()).contains("--format arrow writes").contains("add --out FILE");
    }

    @Test
    void refusesToOverwriteUnlessForcedAndThenReplacesALinkWithoutFollowingIt() throws Exception {
        Path file = dir.resolve("r.csv");
        Files.writeString(file, "precious\n");
        Cli refused = query("--out", file.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(refused.oneLineError()).as(refused.err()).isTrue();
        assertThat(refused.err()).contains("r.csv already exists; add --force");
        assertThat(Files.readString(file)).isEqualTo("precious\n");

        Cli forced = query("--out", file.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readString(file)).startsWith("series,count,mean,p50~\ns0,");

        Path canary = dir.resolve("canary");
        Files.writeString(canary, "untouched");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), canary);
        assertThat(query("--out", link.toString()).exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(query("--out", link.toString(), "--force").exitCode()).isZero();
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.readString(link)).startsWith("series,");
        assertThat(Files.readString(canary)).isEqualTo("untouched");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("r.csv", "canary", "link.csv");
        }
    }

    @Test
    void wrongCombinationsAreUsageErrorsBeforeAnyWork() throws Exception {
        Cli unknown = query("--out", dir.resolve("r.dat").toString());
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("name it .csv, .json, .txt, .arrow or .parquet, or say --format");
        Cli forceAlone = query("--force");
        assertThat(forceAlone.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(forceAlone.err()).contains("--force applies only with --out FILE");
        Path directory = Files.createDirectory(dir.resolve("d.csv"));
        Cli overDirectory = query("--out", directory.toString(), "--force");
        assertThat(overDirectory.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(overDirectory.err()).contains("is a directory");
        assertThat(Files.isDirectory(directory)).isTrue();
    }
}
