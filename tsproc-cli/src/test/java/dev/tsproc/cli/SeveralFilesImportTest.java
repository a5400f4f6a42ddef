package dev.tsproc.cli;

import dev.tsproc.Tsproc;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.QueryResult;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14.12: {@code import a.csv b.csv 'logs/*.csv.gz' --out s.tsp} makes one store, merged in
 * time order, with the same dictionary and the same bytes whatever the order of the files; and
 * {@code import new.csv --append-to s.tsp} replaces the store by old + new in one step, losing
 * nothing on failure, while a reader of the old store goes on reading it.
 */
class SeveralFilesImportTest {
    @TempDir
    Path dir;

    /** Rows of {@code series} at times {@code from, from + step, …}: distinct times across files, so that the merge has one answer. */
    private static String rows(String series, long from, long step, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(series).append(',').append(1_700_000_000_000_000_000L + from + i * step).append(',').append(i * 0.5).append('\n');
        }
        return text.toString();
    }

    private Path gzip(Path file, String text) throws Exception {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** What an import leaves beside its target while it runs: partial files, and its scratch directory. */
    private Stream<String> hidden() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith(".") || name.startsWith(SharedSegments.RUN_PREFIX)).toList().stream();
        }
    }

    @Test
    void severalFilesAndAGlobBecomeOneStoreInTimeOrderWhateverTheirOrder() throws Exception {
        String header = "series,ts,value\n";
        String a = rows("pump", 0, 3, 400) + rows("\"boiler, north\"", 1, 3, 5);
        String b = rows("fan", 2, 3, 300);
        String c = rows("pump", 5_000, 7, 100);
        Files.writeString(dir.resolve("a.csv"), header + a);
        Files.writeString(dir.resolve("b.csv"), header + b);
        Files.createDirectory(dir.resolve("logs"));
        gzip(dir.resolve("logs/c.csv.gz"), header + c);
        Files.writeString(dir.resolve("all.csv"), header + a + b + c);
        Cli one = Cli.run("import", dir.resolve("all.csv").toString(), "--out", dir.resolve("one.tsp").toString());
        assertThat(one.exitCode()).as(one.err()).isZero();

        Cli merged = Cli.run("import", dir.resolve("a.csv").toString(), dir.resolve("b.csv").toString(),
                dir.resolve("logs") + "/*.csv.gz", "--out", dir.resolve("abc.tsp").toString(), "--threads", "2");
        assertThat(merged.exitCode()).as(merged.err()).isZero();
        assertThat(merged.out().strip()).isEqualTo(dir.resolve("abc.tsp").toString());
        assertThat(merged.err()).contains("read 405 rows of 2 series from " + dir.resolve("a.csv"),
                "read 100 rows of 1 series from " + dir.resolve("logs/c.csv.gz"),
                "merged 805 rows of 3 series in " + dir.resolve("abc.tsp"), "rows were merged into time order");
        Cli reversed = Cli.run("import", dir.resolve("logs") + "/*.csv.gz", dir.resolve("b.csv").toString(),
                dir.resolve("a.csv").toString(), "--out", dir.resolve("cba.tsp").toString());
        assertThat(reversed.exitCode()).as(reversed.err()).isZero();
        byte[] expected = Files.readAllBytes(dir.resolve("one.tsp"));
        assertThat(Files.readAllBytes(dir.resolve("abc.tsp"))).isEqualTo(expected);
        assertThat(Files.readAllBytes(dir.resolve("cba.tsp"))).isEqualTo(expected);
        assertThat(hidden()).isEmpty();
    }

    @Test
    void aBadLineInOneFileNamesItsFileAndLineAndLeavesNothing() throws Exception {
        Path good = Files.writeString(dir.resolve("good.csv"), "ts,value\n" + "1700000000000000000,1\n");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "ts,value\n1700000000000000001,2\n1700000000000000002,x\n");
        Path target = dir.resolve("s.tsp");
        Cli failed = Cli.run("import", good.toString(), bad.toString(), "--out", target.toString());
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).startsWith("read 1 row from " + good + ": ")
                .contains("\ntsproc: " + bad + ": line 3 (byte ").contains("'x' is not a number; nothing was imported.");
        assertThat(target).doesNotExist();
        assertThat(hidden()).isEmpty();
    }

    @Test
    void mixedKindsTwoStdinsAndAStoreAreRefusedOnTheCommandLine() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "ts,value\n1700000000000000000,1\n");
        Path store = dir.resolve("a.tsp");
        assertThat(Cli.run("import", csv.toString(), "--out", store.toString()).exitCode()).isZero();
        Path arrow = dir.resolve("a.arrow");
        assertThat(Cli.run("export", store.toString(), "--format", "arrow", "--out", arrow.toString()).exitCode()).isZero();
        Cli mixed = Cli.run("import", csv.toString(), arrow.toString(), "--out", dir.resolve("m.tsp").toString());
        assertThat(mixed.exitCode()).isEqualTo(2);
        assertThat(mixed.err()).contains(csv + " is CSV and " + arrow + " is Arrow; one import takes files of one kind:"
                + " import the others with --append-to");
        Cli stdins = Cli.run("import", "-", "/dev/stdin", "--out", dir.resolve("m.tsp").toString());
        assertThat(stdins.exitCode()).isEqualTo(2);
        assertThat(stdins.err()).contains("standard input can be read only once");
        Cli aStore = Cli.run("import", csv.toString(), store.toString(), "--out", dir.resolve("m.tsp").toString());
        assertThat(aStore.exitCode()).isEqualTo(2);
        assertThat(aStore.err()).contains(store + " is a tsproc store, which import does not read; to add rows to it,"
                + " import them with --append-to " + store);
        Cli arrowAppended = Cli.run("import", arrow.toString(), "--append-to", store.toString());
        assertThat(arrowAppended.exitCode()).as(arrowAppended.err()).isZero();
        try (Store s = Store.open(store)) {
            assertThat(s.rowCount()).isEqualTo(2);
        }
    }

    @Test
    void anAppendReplacesTheStoreWholeAndAReaderOfTheOldOneKeepsReadingIt() throws Exception {
        String header = "series,ts,value\n";
        Path old = Files.writeString(dir.resolve("old.csv"), header + rows("pump", 0, 2, 1_000));
        Path added = Files.writeString(dir.resolve("new.csv"), header + rows("fan", 1, 2, 500) + rows("pump", 10_000, 1, 10));
        Path store = dir.resolve("s.tsp");
        assertThat(Cli.run("import", old.toString(), "--out", store.toString()).exitCode()).isZero();
        byte[] before = Files.readAllBytes(store);

        Path bad = Files.writeString(dir.resolve("bad.csv"), header + "fan,1700000000000000001,1\nfan,oops,2\n");
        Cli failed = Cli.run("import", bad.toString(), "--append-to", store.toString());
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("tsproc: " + bad + ": line 3 (byte ");
        assertThat(Files.readAllBytes(store)).isEqualTo(before);
        assertThat(hidden()).isEmpty();

        try (Tsproc reader = Tsproc.open(store)) {
            QueryResult oldStats = reader.run(BuiltinJob.named("stats"));
            Cli appended = Cli.run("import", added.toString(), "--append-to", store.toString());
            assertThat(appended.exitCode()).as(appended.err()).isZero();
            assertThat(appended.out().strip()).isEqualTo(store.toString());
            assertThat(appended.err()).contains("appended: the store now holds 1,510 rows of 2 series in " + store,
                    "rows were merged into time order");
            QueryResult stillOld = reader.run(BuiltinJob.named("stats"));
            assertThat(stillOld.get(Aggregate.COUNT)).isEqualTo(oldStats.get(Aggregate.COUNT)).isEqualTo(1_000);
            assertThat(stillOld.get(Aggregate.SUM)).isEqualTo(oldStats.get(Aggregate.SUM));
        }
        Cli both = Cli.run("import", old.toString(), added.toString(), "--out", dir.resolve("both.tsp").toString());
        assertThat(both.exitCode()).as(both.err()).isZero();
        assertThat(Files.readAllBytes(store)).isEqualTo(Files.readAllBytes(dir.resolve("both.tsp")));
        assertThat(hidden()).isEmpty();

        Path noSeries = Files.writeString(dir.resolve("plain.csv"), "ts,value\n1700000000000000000,1\n");
        Cli mismatch = Cli.run("import", noSeries.toString(), "--append-to", store.toString());
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.err()).contains("tsproc: " + noSeries + ": it has no series column and " + store
                + " has one; a store holds both or neither");
        assertThat(Files.readAllBytes(store)).isEqualTo(Files.readAllBytes(dir.resolve("both.tsp")));
        assertThat(hidden()).isEmpty();

        Cli missing = Cli.run("import", added.toString(), "--append-to", dir.resolve("none.tsp").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.oneLineError()).as(missing.err()).isTrue();
    }

    /**
     * Another process appending to the store holds a locked claim beside it (as every tsproc
     * writer does); a second append fails at once rather than lose the first one's rows. The
     * other process is a Python shim holding an fcntl lock, as a JVM's {@code FileLock} does.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anAppendToAStoreAnotherProcessIsWritingFailsAtOnce() throws Exception {
        Path store = dir.resolve("s.tsp");
        Path csv = Files.writeString(dir.resolve("a.csv"), "ts,value\n1700000000000000000,1\n");
        assertThat(Cli.run("import", csv.toString(), "--out", store.toString()).exitCode()).isZero();
        byte[] before = Files.readAllBytes(store);
        Path claim = dir.resolve(".s.tsp.partial-" + "0123456789abcdef".repeat(2));
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl, os, sys\n"
                + "fd = os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.read()\n", claim.toString()).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("locked");
            Cli second = Cli.run("import", csv.toString(), "--append-to", store.toString());
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.oneLineError()).as(second.err()).isTrue();
            assertThat(second.err()).contains("another tsproc command is writing it now");
            assertThat(Files.readAllBytes(store)).isEqualTo(before);
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
            Files.deleteIfExists(claim);
        }
        assertThat(hidden()).isEmpty();
    }

    /** The scratch directory of an import killed with SIGKILL holds no lock: 'tsproc clean DIR' removes it, and only it. */
    @Test
    void cleanRemovesTheScratchDirectoryOfAKilledImport() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "ts,value\n1700000000000000000,1\n");
        Path dead = Files.createDirectory(dir.resolve(SharedSegments.RUN_PREFIX + "0123456789abcdef".repeat(2)));
        assertThat(Cli.run("import", csv.toString(), "--out", dead.resolve("0.tsp").toString()).exitCode()).isZero();
        try (SharedSegments live = SharedSegments.create(dir)) {
            Cli clean = Cli.run("clean", dir.toString());
            assertThat(clean.exitCode()).as(clean.err()).isZero();
            assertThat(clean.out()).contains("removed " + dead);
            assertThat(dead).doesNotExist();
            assertThat(live.directory()).exists();
        }
        assertThat(hidden()).isEmpty();
    }
}
