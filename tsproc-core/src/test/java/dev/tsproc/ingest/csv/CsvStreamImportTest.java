package dev.tsproc.ingest.csv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static dev.tsproc.ingest.csv.CsvFiles.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Issue 14.6: CSV text read from a stream (stdin, a pipe), plain or gzip, gives what the same file gives. */
class CsvStreamImportTest {
    @TempDir
    Path dir;

    /** Out-of-order rows, names, blank and CRLF lines, and bad lines at random places. */
    private static String randomCsv(long seed, int lines) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder("series,ts,value\n");
        for (int line = 2; line <= lines; line++) {
            switch (random.nextInt(40)) {
                case 0 -> text.append('\n');
                case 1 -> text.append("s").append(line % 7).append(',').append(line).append(",oops\n");
                case 2 -> text.append("s1,").append(line).append(",2.5\r\n");
                default -> text.append("s").append(random.nextInt(9)).append(',')
                        .append(1_700_000_000_000L + random.nextInt(100_000)).append(',').append(line * 0.25).append('\n');
            }
        }
        return text.toString();
    }

    private static byte[] gzip(byte[] text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text);
        }
        return bytes.toByteArray();
    }

    @Test
    void aStreamGivesTheStoreAndTheBadLinesTheFileGives() throws Exception {
        CsvFiles f = new CsvFiles(dir);
        for (long seed = 1; seed <= 4; seed++) {
            byte[] text = randomCsv(seed, 1_200).getBytes(StandardCharsets.UTF_8);
            int threads = 1 + (int) (seed % 3);
            int chunkBytes = 200 + (int) (seed * 997 % 2_000); // chunks end at the last line end within chunkBytes
            Path file = f.write(text);
            Path expected = f.target();
            ImportResult fromFile = CsvImporter.importFile(file, expected, options().onError(CsvOptions.OnError.SKIP).build());
            for (byte[] input : new byte[][] {text, gzip(text)}) {
                Path target = f.target();
                ImportResult fromStream = CsvImporter.importStream(new ByteArrayInputStream(input), Path.of("stdin"), target,
                        options().onError(CsvOptions.OnError.SKIP).threads(threads).chunkBytes(chunkBytes).maxLineBytes(48).build(),
                        (bytes, rows) -> {});
                assertThat(StoreRows.read(target)).as("seed %d", seed).isEqualTo(StoreRows.read(expected));
                assertThat(fromStream.firstErrors()).isEqualTo(fromFile.firstErrors());
                assertThat(fromStream.badLines()).isPositive().isEqualTo(fromFile.badLines());
                assertThat(fromStream.inputBytes()).isEqualTo(text.length);
                CsvFormatException failed = catchThrowableOfType(CsvFormatException.class, () -> CsvImporter.importStream(
                        new ByteArrayInputStream(input), Path.of("stdin"), f.target(),
                        options().threads(threads).chunkBytes(chunkBytes).maxLineBytes(48).build(), (bytes, rows) -> {}));
                assertThat(failed.errors()).as("seed %d", seed).containsExactly(fromFile.firstErrors().getFirst());
                assertThat(failed).hasMessageStartingWith("stdin: line " + fromFile.firstErrors().getFirst().lineNumber() + " ");
            }
        }
        f.assertNothingLeftBehind();
    }

    @Test
    void emptyCutShortColumnarAndFailingInputIsOneSentenceAndLeavesNothing() throws Exception {
        CsvFiles f = new CsvFiles(dir);
        byte[] gzip = gzip("ts,value\n1,2\n2,3\n".repeat(50).getBytes(StandardCharsets.UTF_8));
        record Case(byte[] input, String message) {}
        Case[] cases = {
                new Case(new byte[0], "stdin: the input is empty; there is nothing to import"),
                new Case(Arrays.copyOf(gzip, gzip.length - 5), "stdin: the gzip data is damaged or cut short"),
                new Case("PAR1\0\0".getBytes(StandardCharsets.ISO_8859_1), "stdin: it is Parquet or Arrow, which is read from a file"),
                new Case("ARROW1\0\0".getBytes(StandardCharsets.ISO_8859_1), "stdin: it is Parquet or Arrow, which is read from a file")};
        for (Case c : cases) {
            Path target = f.target();
            CsvFormatException e = catchThrowableOfType(CsvFormatException.class, () -> CsvImporter.importStream(
                    new ByteArrayInputStream(c.input()), Path.of("stdin"), target, options().build(), (bytes, rows) -> {}));
            assertThat(e).isNotNull().hasMessageStartingWith(c.message());
            assertThat(target).doesNotExist();
        }
        Path target = f.target();
        InputStream broken = new InputStream() { // a pipe whose reading fails after a few lines
            private final InputStream head = new ByteArrayInputStream("ts,value\n1,2\n".getBytes(StandardCharsets.UTF_8));

            @Override
            public int read() throws IOException {
                int b = head.read();
                if (b < 0) {
                    throw new IOException("Input/output error");
                }
                return b;
            }
        };
        IOException e = catchThrowableOfType(IOException.class,
                () -> CsvImporter.importStream(broken, Path.of("stdin"), target, options().build(), (bytes, rows) -> {}));
        assertThat(e).hasMessage("Input/output error");
        assertThat(target).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
