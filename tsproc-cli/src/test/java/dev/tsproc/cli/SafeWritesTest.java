package dev.tsproc.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every file tsproc writes is created aside under an unpredictable name, owner-only, and
 * published without following or replacing anything at the target: a link planted there by
 * another user, or at the temporary names older versions used, never redirects the write.
 */
class SafeWritesTest {
    @TempDir
    Path dir;

    private Path store;
    private Path timeline;
    private Path csv;
    private Path canary;

    /** Each command line that writes a file, given its inputs and the file to write. */
    enum Writer {
        GENERATE((t, out) -> List.of("generate", "--rows", "1000", "--out", out.toString(), "--quiet")),
        IMPORT((t, out) -> List.of("import", t.csv.toString(), "--out", out.toString(), "--on-error", "skip", "--quiet")),
        ERRORS_OUT((t, out) -> List.of("import", t.csv.toString(), "--out", t.dir.resolve("imported-" + out.getFileName()).toString(),
                "--on-error", "skip", "--errors-out", out.toString(), "--quiet")),
        EXPORT((t, out) -> List.of("export", t.store.toString(), "--out", out.toString())),
        RUN_REPORT((t, out) -> List.of("run", t.store.toString(), "--job", "sum", "--report", out.toString(), "--quiet")),
        RUN_TIMELINE((t, out) -> List.of("run", t.store.toString(), "--job", "sum", "--timeline", out.toString(), "--quiet")),
        REPORT_OUT((t, out) -> List.of("report", t.timeline.toString(), "--out", out.toString()));

        final BiFunction<SafeWritesTest, Path, List<String>> args;

        Writer(BiFunction<SafeWritesTest, Path, List<String>> args) {
            this.args = args;
        }
    }

    @BeforeEach
    void inputs() throws IOException {
        store = dir.resolve("in.tsp");
        Cli generated = Cli.run("generate", "--rows", "1000", "--out", store.toString(), "--quiet");
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        timeline = dir.resolve("in.json");
        Cli ran = Cli.run("run", store.toString(), "--job", "sum", "--timeline", timeline.toString(), "--quiet");
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        csv = Files.writeString(dir.resolve("in.csv"), "ts,value\n1,2\n2,x\n3,4\n");
        Path secrets = Files.createDirectory(dir.resolve("secrets"));
        canary = Files.writeString(secrets.resolve("canary"), "secret\n");
        Files.setPosixFilePermissions(canary, PosixFilePermissions.fromString("rw-------"));
    }

    private Cli write(Writer writer, Path out) {
        return Cli.run(writer.args.apply(this, out).toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(Writer.class)
    void writesAnOwnerOnlyFileAndNoTemporaryOne(Writer writer) throws IOException {
        Path out = dir.resolve("out");
        Cli cli = write(writer, out);
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(partials(dir)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Writer.class)
    void refusesALinkPlantedAtTheTargetAndLeavesItsFileUntouched(Writer writer) throws IOException {
        Path out = Files.createSymbolicLink(dir.resolve("out"), canary);
        Cli cli = write(writer, out);
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).startsWith("tsproc: " + out + " already exists;");
        assertThat(cli.oneLineError()).as(cli.err()).isTrue();
        assertCanaryUntouched();
        assertThat(Files.isSymbolicLink(out)).isTrue();
        assertThat(partials(dir)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Writer.class)
    void refusesADanglingLinkAtTheTarget(Writer writer) throws IOException {
        Path out = Files.createSymbolicLink(dir.resolve("out"), dir.resolve("secrets/not-yet"));
        assertThat(write(writer, out).exitCode()).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("secrets/not-yet"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Writer.class)
    void doesNotFollowLinksPlantedAtPredictableTemporaryNames(Writer writer) throws IOException {
        Path out = dir.resolve("out");
        Files.createSymbolicLink(dir.resolve(".out.partial"), canary);
        Files.createSymbolicLink(dir.resolve(".out.partial-"), canary);
        Cli cli = write(writer, out);
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertCanaryUntouched();
        assertThat(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Writer.class)
    void anEmptyPathIsAWrongCommandLine(Writer writer) {
        Cli cli = write(writer, Path.of(""));
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).contains("an empty path names no file").doesNotContain("already exists");
        assertThat(cli.oneLineError()).as(cli.err()).isTrue();
    }

    /**
     * The attack of issue 13: another user plants links in a shared, sticky directory (as /tmp)
     * where root writes its outputs. Needs root and the {@code nobody} user.
     */
    @ParameterizedTest
    @EnumSource(Writer.class)
    void anotherUsersLinksInASharedDirectoryRedirectNothing(Writer writer) throws Exception {
        assumeTrue(isRoot() && run("id", "nobody") == 0,
                "skipped: needs to run as root with a 'nobody' user to plant links as a second user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(run("chmod", "+t", shared.toString())).isZero();
        Path out = shared.resolve("out");
        for (Path link : List.of(out, shared.resolve(".out.partial"))) {
            assertThat(run("runuser", "-u", "nobody", "--", "ln", "-s", canary.toString(), link.toString())).isZero();
        }
        Cli cli = write(writer, out);
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).startsWith("tsproc: " + out + " already exists;");
        assertCanaryUntouched();
        assertThat(partials(shared)).containsExactly(shared.resolve(".out.partial"));
    }

    private void assertCanaryUntouched() throws IOException {
        assertThat(Files.readString(canary)).isEqualTo("secret\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(canary))).isEqualTo("rw-------");
    }

    private static List<Path> partials(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(".partial")).sorted().toList();
        }
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String uid = new String(id.getInputStream().readAllBytes()).strip();
        return id.waitFor(10, TimeUnit.SECONDS) && uid.equals("0");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return -1;
        }
        return p.exitValue();
    }
}
