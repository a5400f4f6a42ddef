package dev.tsproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ImportExportCommandTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
        /** Whether stderr is one line without a stack trace. */
        boolean oneLine() {
            return err.strip().lines().count() == 1 && !err.contains("\tat ");
        }
    }

    static Run tsproc(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private void assertOnlyFiles(String... names) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(names);
        }
    }

    @Test
    void importsPrintsTheStoreAndExportsItBack() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"), "series,timestamp,value\nb,2023-11-14T22:13:20Z,1.5\na,2023-11-14T22:13:21Z,\n");
        Path store = dir.resolve("s.tsp");
        Run run = tsproc("import", csv.toString(), "--out", store.toString(), "--ts-col", "timestamp", "--threads", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo(store.toString());
        assertThat(run.err()).contains("imported 2 rows of 2 series");
        Run export = tsproc("export", store.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).isEqualTo("series,ts,value\nb,1700000000000000000,1.5\na,1700000001000000000,\n");
        Run iso = tsproc("export", store.toString(), "--ts-format", "iso", "--no-header");
        assertThat(iso.out()).isEqualTo("b,2023-11-14T22:13:20Z,1.5\na,2023-11-14T22:13:21Z,\n");
        Path exported = dir.resolve("out.csv");
        assertThat(tsproc("export", store.toString(), "--out", exported.toString(), "--format", "csv").exitCode()).isZero();
        assertThat(Files.readString(exported)).isEqualTo(export.out());
    }

    /** Issue 14.4: each epoch unit is told from the integers' magnitude; where it cannot be, a note names --ts-format. */
    @Test
    void epochSecondsMillisecondsAndMicrosecondsAreToldFromTheirMagnitude() throws Exception {
        long nanos = 1_700_000_000_000_000_000L; // 2023-11-14T22:13:20Z
        String[][] units = {{"epoch-s", "1700000000"}, {"epoch-ms", "1700000000000"}, {"epoch-us", "1700000000000000"}};
        for (String[] unit : units) {
            Path csv = Files.writeString(dir.resolve(unit[0] + ".csv"), "ts,value\n" + unit[1] + ",1\n"
                    + (Long.parseLong(unit[1]) + 1) + ",2\n");
            Path store = dir.resolve(unit[0] + ".tsp");
            Run auto = tsproc("import", csv.toString(), "--out", store.toString());
            assertThat(auto.exitCode()).as(auto.err()).isZero();
            assertThat(auto.err()).contains("timestamps read as " + unit[0] + ", as their magnitude tells; --ts-format says otherwise")
                    .doesNotContain("note:");
            Run info = tsproc("info", store.toString());
            assertThat(info.out()).as(unit[0]).contains("2023-11-14T22:13:20");
        }
        Path ns = Files.writeString(dir.resolve("ns.csv"), "ts,value\n" + nanos + ",1\n");
        Run asIs = tsproc("import", ns.toString(), "--out", dir.resolve("ns.tsp").toString());
        assertThat(asIs.err()).doesNotContain("timestamps read as").doesNotContain("note:");
        Path counters = Files.writeString(dir.resolve("counters.csv"), "ts,value\n20000000,1\n20000001,2\n");
        Run note = tsproc("import", counters.toString(), "--out", dir.resolve("counters.tsp").toString());
        assertThat(note.exitCode()).as(note.err()).isZero();
        assertThat(note.err()).contains("note: every timestamp is before 1973", "import again with --ts-format epoch-s or epoch-ms");
    }

    /** Integers of 11, 14 and 17 digits are a time since 1973 in no unit: refused in one sentence naming --ts-format. */
    @Test
    void anEpochOfNoPlausibleUnitIsRefusedNamingTsFormat() throws Exception {
        String[][] cases = {{"20000000000.5", "epoch-ms"}, {"20000000000000", "epoch-us"}, {"20000000000000000", "epoch-ns"}};
        for (String[] c : cases) {
            String unclear = c[0];
            Path csv = Files.writeString(dir.resolve("unclear.csv"), "series,ts,value\na," + unclear + ",1\nb,1,2\n");
            Path store = dir.resolve("unclear.tsp");
            Run refused = tsproc("import", csv.toString(), "--out", store.toString());
            assertThat(refused.exitCode()).as(unclear).isEqualTo(1);
            assertThat(refused.oneLine()).as(refused.err()).isTrue();
            assertThat(refused.err()).startsWith("tsproc: " + csv + ": line 2: the timestamp " + unclear + " has "
                    + unclear.split("\\.")[0].length() + " digits, which is a time from 1973 to 2286 in no epoch unit;"
                    + " say which it is with --ts-format epoch-s, epoch-ms, epoch-us or epoch-ns; nothing was imported.");
            assertOnlyFiles("unclear.csv");
            Run told = tsproc("import", csv.toString(), "--out", store.toString(), "--ts-format", c[1]);
            assertThat(told.exitCode()).as(told.err()).isZero();
            assertThat(told.err()).doesNotContain("timestamps read as");
            Files.delete(store);
        }
    }

    /** Issue 14.5: a semicolon- (or tab-, or bar-) separated file is read by the delimiter its header shows. */
    @Test
    void theDelimiterIsSniffedFromTheHeader() throws Exception {
        String[][] cases = {{";", ";"}, {"\t", "tab"}, {"|", "|"}};
        for (String[] c : cases) {
            Path csv = Files.writeString(dir.resolve("d" + c[1].hashCode() + ".csv"),
                    ("series;ts;value\n\"a;b\";2023-11-14T22:13:20Z;1,5\n").replace(";", c[0]).replace("1,5", "1.5"));
            Run run = tsproc("import", csv.toString(), "--out", dir.resolve("d" + c[1].hashCode() + ".tsp").toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("imported 1 row of 1 series",
                    "fields separated by '" + c[1] + "', as the header shows; --delimiter says otherwise");
        }
        Path comma = Files.writeString(dir.resolve("comma.csv"), "ts,value;note\n1,2\n");
        Run asked = tsproc("import", comma.toString(), "--out", dir.resolve("comma.tsp").toString(), "--value-col", "2");
        assertThat(asked.exitCode()).as(asked.err()).isZero();
        assertThat(asked.err()).doesNotContain("fields separated by");
        Path mixed = Files.writeString(dir.resolve("mixed.csv"), "ts;value|x\n1;2|3\n");
        Run unclear = tsproc("import", mixed.toString(), "--out", dir.resolve("mixed.tsp").toString());
        assertThat(unclear.exitCode()).isEqualTo(1);
        assertThat(unclear.err()).contains("the header [ts;value|x] has no timestamp column named ts, timestamp or time;"
                + " say which with --ts-col, or with --delimiter how its fields are separated");
    }

    @Test
    void aBadLineIsOneSentenceExitOneAndNothingLeftBehind() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"), "ts,value\n1,2\n2,1.5f\n");
        Run run = tsproc("import", csv.toString(), "--out", dir.resolve("s.tsp").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("tsproc: " + csv + ": line 3 (byte 15), field 2 'value': '1.5f' is not a number;"
                + " nothing was imported.");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertOnlyFiles("in.csv");
    }

    /** Issue 14.1: chunks of a 4 MB file fail on several threads at once; the report is the first bad line, every time. */
    @Test
    void failReportsTheFirstBadLineOfABigFileOnManyThreads() throws Exception {
        StringBuilder text = new StringBuilder("ts,value\n");
        for (int line = 2; line <= 400_000; line++) {
            text.append(line).append(line % 50_000 == 0 ? ",x\n" : ",1.25\n"); // a bad line in every chunk
        }
        Path csv = Files.writeString(dir.resolve("big.csv"), text);
        for (int run = 0; run < 3; run++) {
            Run failed = tsproc("import", csv.toString(), "--out", dir.resolve("s.tsp").toString(), "--threads", "4");
            assertThat(failed.exitCode()).isEqualTo(1);
            assertThat(failed.err()).startsWith("tsproc: " + csv + ": line 50000 (byte ")
                    .contains("field 2 'value': 'x' is not a number; nothing was imported.")
                    .doesNotContain("bad lines:");
        }
        assertOnlyFiles("big.csv");
    }

    @Test
    void skipReportsTheCountTheFirstTwentyAndListsAllInTheErrorsFile() throws Exception {
        StringBuilder text = new StringBuilder("ts,value\n");
        for (int i = 0; i < 30; i++) {
            text.append(i).append(",x\n").append(i).append(",1\n");
        }
        Path csv = Files.writeString(dir.resolve("in.csv"), text);
        Path errors = dir.resolve("errors.txt");
        Run run = tsproc("import", csv.toString(), "--out", dir.resolve("s.tsp").toString(), "--on-error", "skip",
                "--errors-out", errors.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("imported 30 rows").contains("skipped 30 bad lines, the first 20:")
                .contains("  line 2 (byte 11), field 2 'value': 'x' is not a number").contains("line 40 ").doesNotContain("line 42 ");
        assertThat(Files.readAllLines(errors)).hasSize(30).last().asString().startsWith("line 60 ");
    }

    @Test
    void emptyMissingAndDirectoryInputsAreOneSentenceEach() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        Path out = dir.resolve("s.tsp");
        assertThat(tsproc("import", empty.toString(), "--out", out.toString()).err())
                .startsWith("tsproc: " + empty + ": the file is empty; there is nothing to import.");
        assertThat(tsproc("import", dir.resolve("none.csv").toString(), "--out", out.toString()).err())
                .startsWith("tsproc: " + dir.resolve("none.csv") + " does not exist; check the path.");
        Run directory = tsproc("import", dir.toString(), "--out", out.toString());
        assertThat(directory.exitCode()).isEqualTo(1);
        assertThat(directory.err()).startsWith("tsproc: " + dir + ": it is a directory holding no *.parquet file; nothing was imported.");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "ts,value\nx,1\ny,2\n");
        Run allBad = tsproc("import", bad.toString(), "--out", out.toString(), "--on-error", "skip");
        assertThat(allBad.err()).startsWith("tsproc: " + bad + ": all 2 data lines are bad; nothing was imported.")
                .contains("the first 2 of 2 bad lines:").contains("  line 3 (byte 13)");
        assertOnlyFiles("empty.csv", "bad.csv");
    }

    @Test
    void wrongOptionsAreUsageErrors() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"), "ts,value\n1,2\n");
        String out = dir.resolve("s.tsp").toString();
        for (String[] args : new String[][] {
                {"import", csv.toString(), "--out", out, "--ts-format", "unix"},
                {"import", csv.toString(), "--out", out, "--on-error", "ignore"},
                {"import", csv.toString(), "--out", out, "--delimiter", ";;"},
                {"import", csv.toString(), "--out", out, "--threads", "0"},
                {"import", csv.toString()},
                {"export", csv.toString(), "--format", "parquet"}}) {
            Run run = tsproc(args);
            assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).startsWith("tsproc: ").doesNotContain("Error:"); // issue 14.10: picocli's prefix dropped
        }
        assertThat(tsproc("import", csv.toString()).err()).startsWith("tsproc: Missing required argument");
        Run column = tsproc("import", csv.toString(), "--out", out, "--value-col", "price");
        assertThat(column.exitCode()).isEqualTo(1);
        assertThat(column.err()).startsWith("tsproc: --value-col 'price' is not a column of the header [ts, value].");
    }

    /** Issue 14.10: a bad line's text shows valid UTF-8 as text, and only bytes a terminal would obey as \\xNN. */
    @Test
    void badLinesShowTheirTextAsTextAndControlBytesEscaped() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"),
                "ts,value\n1,2°C\n2,\u001b[31m3\n3,4\u202e5\n4,日本\\\n5,1\n");
        Run run = tsproc("import", csv.toString(), "--out", dir.resolve("s.tsp").toString(), "--on-error", "skip");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("line 2 (byte 11), field 2 'value': '2°C' is not a number")
                .contains("'\\x1B[31m3' is not a number").contains("'4\\xE2\\x80\\xAE5' is not a number")
                .contains("'日本\\x5C' is not a number").doesNotContain("\u001b").doesNotContain("\u202e");
    }

    @Test
    void exportOfAStoreWithFormulaNamesIsInert() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"), "series,ts,value\n\"=HYPERLINK(\"\"http://x\"\")\",1,-2\n");
        Path store = dir.resolve("s.tsp");
        assertThat(tsproc("import", csv.toString(), "--out", store.toString()).exitCode()).isZero();
        assertThat(tsproc("export", store.toString()).out())
                .isEqualTo("series,ts,value\n\"'=HYPERLINK(\"\"http://x\"\")\",1,-2\n");
    }
}
