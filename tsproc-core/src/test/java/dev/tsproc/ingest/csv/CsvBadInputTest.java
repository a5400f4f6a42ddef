package dev.tsproc.ingest.csv;

import dev.tsproc.ingest.csv.CsvError.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.tsproc.ingest.csv.CsvFiles.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvBadInputTest {
    @TempDir
    Path dir;

    private CsvFiles files() {
        return new CsvFiles(dir);
    }

    /** A bad line (line 3 of the file), the reason it must get, its field, and the offset of the bad byte in the line. */
    record Case(String line, Reason reason, int field, int offsetInLine, String detail) {
        @Override
        public String toString() {
            return reason + " " + line.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0");
        }
    }

    static Stream<Case> badLines() {
        return Stream.of(
                new Case("a,1", Reason.FIELD_COUNT, 0, 0, "expected 3 fields, found 2"),
                new Case("a,1,2,3", Reason.FIELD_COUNT, 0, 0, "expected 3 fields, found 4"),
                new Case("a,1,2,\"x,y\"", Reason.FIELD_COUNT, 0, 0, "expected 3 fields, found 4"),
                new Case("a,1,1.5f", Reason.BAD_NUMBER, 3, 4, "'1.5f' is not a number"),
                new Case("a,1,0x1p3", Reason.BAD_NUMBER, 3, 4, "'0x1p3' is not a number"),
                new Case("a,1, 2", Reason.BAD_NUMBER, 3, 4, "' 2' is not a number"),
                new Case("a,1,1d", Reason.BAD_NUMBER, 3, 4, "'1d' is not a number"),
                new Case("a,1,\"1 \"", Reason.BAD_NUMBER, 3, 4, "'\"1 \"' is not a number"),
                new Case("a,yesterday,2", Reason.BAD_TIMESTAMP, 2, 2, "'yesterday' is not a timestamp in format auto"),
                new Case("a,,2", Reason.MISSING_TIMESTAMP, 2, 2, "the timestamp is missing"),
                new Case("a,NaN,2", Reason.MISSING_TIMESTAMP, 2, 2, "the timestamp is missing ('NaN')"),
                new Case("a,99999999999999999999,2", Reason.TIMESTAMP_OUT_OF_RANGE, 2, 2, "is outside the range"),
                new Case("a,3000-01-01,2", Reason.TIMESTAMP_OUT_OF_RANGE, 2, 2, "is outside the range"),
                new Case("a\u00ff,1,2", Reason.INVALID_UTF8, 1, 1, "is not valid UTF-8"),
                new Case("a,1,2\u00ff", Reason.INVALID_UTF8, 3, 5, "is not valid UTF-8"),
                new Case("a\0b,1,2", Reason.NUL_BYTE, 1, 1, "NUL byte"),
                new Case("a,1,\0", Reason.NUL_BYTE, 3, 4, "NUL byte"),
                new Case("\"a,1,2", Reason.UNTERMINATED_QUOTE, 1, 0, "not closed on its line"),
                new Case("\"a\"b,1,2", Reason.BAD_QUOTE, 1, 3, "text after the closing quote"),
                new Case("a\"b,1,2", Reason.BAD_QUOTE, 1, 1, "a quote inside an unquoted field"),
                new Case("a\rb,1,2", Reason.BARE_CARRIAGE_RETURN, 1, 1, "carriage return"),
                new Case("a,1,2\r5", Reason.BAD_NUMBER, 3, 4, "'2\\x0D5' is not a number"),
                new Case("a,1\r,2", Reason.BAD_TIMESTAMP, 2, 2, "'1\\x0D' is not a timestamp in format auto"),
                new Case("x".repeat(4097) + ",1,2", Reason.NAME_TOO_LONG, 1, 0, "4097 bytes long"),
                new Case("a,1," + "9".repeat(300), Reason.LINE_TOO_LONG, 0, 0, "longer than the limit of 256 bytes"));
    }

    /** The raw bytes of a test line: characters below 256 are single bytes (so \u00ff is a lone 0xFF). */
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] file(String... lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(bytes(line));
            out.write('\n');
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("badLines")
    void failStopsAtTheBadLineWithItsNumberOffsetAndReason(Case c) throws Exception {
        CsvFiles f = files();
        String header = "series,ts,value";
        String good = "s,1,1";
        Path csv = f.write(file(header, good, c.line(), good));
        CsvFormatException e = f.failure(csv, options().maxLineBytes(c.reason() == Reason.NAME_TOO_LONG ? 8192 : 256));
        CsvError error = e.errors().getFirst();
        assertThat(error.lineNumber()).isEqualTo(3);
        assertThat(error.reason()).isEqualTo(c.reason());
        assertThat(error.fieldNumber()).isEqualTo(c.field());
        assertThat(error.byteOffset()).isEqualTo(header.length() + 1 + good.length() + 1 + c.offsetInLine());
        assertThat(error.detail()).contains(c.detail());
        assertThat(e.getMessage()).startsWith(csv + ": line 3 (byte ").endsWith("; nothing was imported");
        assertThat(e.errorCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("badLines")
    void skipLeavesTheBadLineOutAndImportsTheRest(Case c) throws Exception {
        CsvFiles f = files();
        ImportResult result = CsvImporter.importFile(f.write(file("series,ts,value", "s,1,1", c.line(), "s,2,2")),
                f.target(), options().onError(CsvOptions.OnError.SKIP)
                        .maxLineBytes(c.reason() == Reason.NAME_TOO_LONG ? 8192 : 256).build());
        assertThat(result.rows()).isEqualTo(2);
        assertThat(result.badLines()).isEqualTo(1);
        assertThat(result.firstErrors()).singleElement().satisfies(e -> {
            assertThat(e.lineNumber()).isEqualTo(3);
            assertThat(e.reason()).isEqualTo(c.reason());
        });
        assertThat(StoreRows.read(result.store()).timestamps()).containsExactly(1L, 2L);
    }

    @Test
    void exactLineNumbersAcrossChunksThreadsAndBlankLines() throws Exception {
        StringBuilder csv = new StringBuilder("ts,value\n");
        List<Long> badLines = new java.util.ArrayList<>();
        for (int line = 2; line <= 3000; line++) {
            if (line % 97 == 0) {
                csv.append("\n"); // blank, counted but not an error
            } else if (line % 13 == 0) {
                csv.append(line).append(",bad\n");
                badLines.add((long) line);
            } else {
                csv.append(line).append(",1\r\n");
            }
        }
        CsvFiles f = files();
        Path file = f.write(csv.toString());
        for (long chunk : new long[] {1, 50, 4096, 1 << 20}) {
            Path errors = dir.resolve("errors-" + chunk + ".txt");
            ImportResult result = CsvImporter.importFile(file, f.target(), options().threads(3).chunkBytes(chunk)
                    .onError(CsvOptions.OnError.SKIP).errorsOut(errors).build());
            assertThat(result.badLines()).isEqualTo(badLines.size());
            assertThat(result.firstErrors()).hasSize(CsvImporter.REPORTED_ERRORS);
            assertThat(result.firstErrors().stream().map(CsvError::lineNumber).toList())
                    .isEqualTo(badLines.subList(0, CsvImporter.REPORTED_ERRORS));
            List<String> listed = Files.readAllLines(errors);
            assertThat(listed).hasSize(badLines.size());
            for (int i = 0; i < listed.size(); i++) {
                assertThat(listed.get(i)).startsWith("line " + badLines.get(i) + " (byte ");
            }
            CsvFormatException failed = f.failure(file, options().threads(3).chunkBytes(chunk));
            assertThat(failed.errors().getFirst().lineNumber()).isEqualTo(13);
        }
    }

    @Test
    void byteOffsetsAreExactInGzipInputToo() throws Exception {
        CsvFiles f = files();
        StringBuilder csv = new StringBuilder("ts,value\n");
        for (int i = 0; i < 20_000; i++) {
            csv.append(i).append(',').append(i == 15_000 ? "oops" : "1").append('\n');
        }
        String text = csv.toString();
        CsvFormatException e = f.failure(f.writeGzip(text), options().chunkBytes(4096));
        assertThat(e.errors().getFirst().lineNumber()).isEqualTo(15_002);
        assertThat(e.errors().getFirst().byteOffset()).isEqualTo(text.indexOf("oops"));
    }

    @Test
    void anOverlongLineInGzipInputIsReportedAndSkipped() throws Exception {
        CsvFiles f = files();
        String text = "ts,value\n1,1\n2," + "9".repeat(100_000) + "\n3,3\n";
        ImportResult result = CsvImporter.importFile(f.writeGzip(text), f.target(),
                options().maxLineBytes(1000).chunkBytes(2048).onError(CsvOptions.OnError.SKIP).build());
        assertThat(result.rows()).isEqualTo(2);
        assertThat(result.firstErrors()).singleElement().satisfies(e -> {
            assertThat(e.lineNumber()).isEqualTo(3);
            assertThat(e.reason()).isEqualTo(Reason.LINE_TOO_LONG);
        });
        assertThat(StoreRows.read(result.store()).timestamps()).containsExactly(1L, 3L);
    }

    @Test
    @Timeout(20)
    void aStrayQuoteOnLineTwoOfALargeFileIsAnErrorAtLineTwoQuickly() throws Exception {
        CsvFiles f = files();
        Path file = dir.resolve("in-large.csv");
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(bytes("series,ts,value\n\"oops,1,2\n"));
            byte[] line = bytes("s,1,2\n");
            for (int i = 0; i < 4_000_000; i++) { // 24 MB
                out.write(line);
            }
        }
        CsvFormatException e = f.failure(file, options()); // quickly: the @Timeout guards a hang
        assertThat(e.errors().getFirst().lineNumber()).isEqualTo(2);
        assertThat(e.errors().getFirst().reason()).isEqualTo(Reason.UNTERMINATED_QUOTE);
    }

    @Test
    void onlyBadLinesIsOneSentence() throws Exception {
        CsvFormatException e = files().failure("ts,value\nx,1\ny,2\n", options().onError(CsvOptions.OnError.SKIP));
        assertThat(e.getMessage()).endsWith("all 2 data lines are bad; nothing was imported");
        assertThat(e.errors()).hasSize(2);
        assertThat(e.errorCount()).isEqualTo(2);
        assertThat(files().failure("ts,value\nx,1\n", options().onError(CsvOptions.OnError.SKIP)).getMessage())
                .endsWith("its only data line is bad: line 2 (byte 9), field 1 'ts': 'x' is not a timestamp in format auto;"
                        + " nothing was imported");
    }

    @Test
    void emptyFilesHeaderOnlyAndBlankHeadersAreOneSentenceEach() throws Exception {
        CsvFiles f = files();
        assertThat(f.failure("", options()).getMessage()).endsWith("the file is empty; there is nothing to import");
        assertThat(f.failure("ts,value\n", options()).getMessage()).endsWith("the file has a header but no data lines");
        assertThat(f.failure("ts,value\n\n\n", options()).getMessage()).endsWith("the file has a header but no data lines");
        assertThat(f.failure("\nts,value\n", options()).getMessage()).endsWith("line 1, the header, is empty; nothing was imported");
        assertThat(f.failure(f.writeGzip(""), options()).getMessage()).contains("empty");
    }

    @Test
    void aBadHeaderIsReportedAtLineOne() throws Exception {
        CsvFormatException e = files().failure("\"ts,value\n1,2\n", options());
        assertThat(e.errors().getFirst().lineNumber()).isEqualTo(1);
        assertThat(e.errors().getFirst().reason()).isEqualTo(Reason.UNTERMINATED_QUOTE);
    }

    @Test
    void missingFileDirectoryExistingTargetAndDamagedGzip() throws Exception {
        CsvFiles f = files();
        assertThatThrownBy(() -> CsvImporter.importFile(dir.resolve("nope.csv"), f.target(), options().build()))
                .isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> CsvImporter.importFile(dir, f.target(), options().build()))
                .isInstanceOf(CsvFormatException.class).hasMessageEndingWith("it is a directory, not a CSV file");
        Path csv = f.write("ts,value\n1,2\n");
        Path existing = Files.writeString(dir.resolve("in-existing.tsp"), "keep");
        assertThatThrownBy(() -> CsvImporter.importFile(csv, existing, options().build()))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readString(existing)).isEqualTo("keep");
        byte[] gzip = Files.readAllBytes(f.writeGzip("ts,value\n" + "1,2\n".repeat(10_000)));
        Path cut = f.write(java.util.Arrays.copyOf(gzip, gzip.length / 2));
        assertThat(f.failure(cut, options()).getMessage()).contains("gzip data is damaged or cut short")
                .contains("the file ends at byte").doesNotContain("null");
    }

    @Test
    void bytesAfterTheLastGzipMemberAreAnErrorButAnotherMemberIsRead() throws Exception {
        CsvFiles f = files();
        byte[] gzip = Files.readAllBytes(f.writeGzip("ts,value\n" + "1,2\n".repeat(10_000)));
        for (byte[] tail : new byte[][] {{'\n'}, {0, 0, 0, 0}, {0x1F}, "garbage after the data\n".repeat(5000).getBytes(StandardCharsets.US_ASCII)}) {
            byte[] file = java.util.Arrays.copyOf(gzip, gzip.length + tail.length);
            System.arraycopy(tail, 0, file, gzip.length, tail.length);
            assertThat(f.failure(f.write(file), options()).getMessage()).as("%d bytes appended", tail.length)
                    .contains("gzip data is damaged or cut short").contains("byte " + gzip.length);
        }
        byte[] second = Files.readAllBytes(f.writeGzip("3,4\n"));
        byte[] twoMembers = java.util.Arrays.copyOf(gzip, gzip.length + second.length);
        System.arraycopy(second, 0, twoMembers, gzip.length, second.length);
        ImportResult result = CsvImporter.importFile(f.write(twoMembers), f.target(), options().build());
        assertThat(result.rows()).isEqualTo(10_001);
    }

    @Test
    void tooManySeriesIsAClearErrorBeforeAnythingIsWritten() throws Exception {
        StringBuilder csv = new StringBuilder("series,ts,value\n");
        for (int i = 0; i < 1000; i++) {
            csv.append("s").append(i).append(',').append(i).append(",1\n");
        }
        CsvFiles f = files();
        assertThat(f.failure(csv.toString(), options().maxSeries(999).chunkBytes(1000)).getMessage())
                .contains("more than 999 distinct series");
        assertThat(f.failure(csv.toString(), options().maxSeries(999).chunkBytes(1 << 20)).getMessage())
                .contains("more than 999 distinct series");
        assertThat(f.load(csv.toString(), options().maxSeries(1000)).dictionary()).hasSize(1000);
    }
}
