package dev.tsproc.ingest.csv;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain file's rows go straight into the store at places reserved by line counts; when rows
 * are skipped or out of order they are copied into a second store. Every route must give the
 * same store, byte for byte, as a gzip file of the same text, whose rows always wait in memory.
 */
class CsvDirectWriteTest {
    @TempDir
    Path dir;

    /** A plain count of lines that hold at least one byte, LF-terminated or last. */
    private static long referenceMaxRows(byte[] text, int from, int to) {
        long count = 0;
        int lineStart = from;
        for (int i = from; i < to; i++) {
            if (text[i] == '\n') {
                count += i > lineStart ? 1 : 0;
                lineStart = i + 1;
            }
        }
        return count + (to > lineStart ? 1 : 0);
    }

    @Property(tries = 2000)
    void countsTheLinesThatCanHoldARow(@ForAll long seed, @ForAll @IntRange(max = 120) int length) {
        Random random = new Random(seed);
        byte[] alphabet = {'\n', '\n', '\n', 'a', ',', '\r'};
        byte[] text = new byte[length];
        for (int i = 0; i < length; i++) {
            text[i] = alphabet[random.nextInt(alphabet.length)];
        }
        // Any line start will do as a chunk's start.
        int from = 0;
        for (int i = 0; i < length; i++) {
            if (text[i] == '\n' && random.nextInt(4) == 0) {
                from = i + 1;
                break;
            }
        }
        assertThat(LineCounter.maxRows(MemorySegment.ofArray(text), from, length))
                .isEqualTo(referenceMaxRows(text, from, length));
    }

    @Test
    void rowsInOrderGoStraightIntoTheStore() throws Exception {
        assertSameAsGzip(lines(5_000, Blank.NONE, false, false), CsvOptions.OnError.FAIL);
    }

    @Test
    void emptyLinesAnywhereReserveNoRows() throws Exception {
        assertSameAsGzip(lines(5_000, Blank.LF, false, false) + "\n\n", CsvOptions.OnError.FAIL);
    }

    @Test
    void blankCrLfLinesAreClosedUpInASecondStore() throws Exception {
        assertSameAsGzip(lines(5_000, Blank.LF_AND_CRLF, false, false), CsvOptions.OnError.FAIL);
    }

    @Test
    void skippedLinesAreClosedUpInASecondStore() throws Exception {
        assertSameAsGzip(lines(5_000, Blank.NONE, true, false), CsvOptions.OnError.SKIP);
    }

    @Test
    void rowsOutOfOrderAreMergedFromTheFirstStore() throws Exception {
        assertSameAsGzip(lines(5_000, Blank.LF_AND_CRLF, true, true), CsvOptions.OnError.SKIP);
    }

    @Test
    void aChunkLongerThanAReadBufferIsReadInTheMapping() throws Exception {
        StringBuilder text = new StringBuilder("series,timestamp,value,note\n");
        for (int i = 0; i < 2_000; i++) {
            // Every 500th line is longer than a read buffer (the chunk size plus 64 KiB).
            text.append("s").append(i % 7).append(',').append(1_700_000_000_000L + i).append(',').append(i)
                    .append(',').append(i % 500 == 0 ? "x".repeat(100_000) : "note").append('\n');
        }
        CsvFiles files = new CsvFiles(dir);
        CsvOptions options = CsvOptions.builder().tsColumn("timestamp").valueColumn("value").seriesColumn("series")
                .timestampFormat(TimestampFormat.parse("epoch-ms")).maxLineBytes(200_000).threads(2).chunkBytes(4_096).build();
        Path fromPlain = dir.resolve("plain.tsp");
        Path fromGzip = dir.resolve("gzip.tsp");
        CsvImporter.importFile(files.write(text.toString()), fromPlain, options);
        CsvImporter.importFile(files.writeGzip(text.toString()), fromGzip, options);
        assertThat(StoreRows.read(fromPlain).rows()).hasSize(2_000);
        assertThat(Files.readAllBytes(fromPlain)).isEqualTo(Files.readAllBytes(fromGzip));
    }

    @Test
    void progressCountsEveryByteAndRowOfThePlainFile() throws Exception {
        CsvFiles files = new CsvFiles(dir);
        Path csv = files.write(lines(5_000, Blank.LF, false, false));
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong lastRows = new java.util.concurrent.atomic.AtomicLong();
        ImportResult result = CsvImporter.importFile(csv, dir.resolve("out.tsp"), CsvOptions.builder().tsColumn("timestamp")
                .valueColumn("value").seriesColumn("series").timestampFormat(TimestampFormat.parse("epoch-ms")).threads(2)
                .chunkBytes(4_096).build(), (bytes, rows) -> {
                    last.accumulateAndGet(bytes, Math::max);
                    lastRows.accumulateAndGet(rows, Math::max);
                });
        assertThat(last.get()).isEqualTo(Files.size(csv));
        assertThat(lastRows.get()).isEqualTo(result.rows()).isPositive();
    }

    @Test
    void aFileCutShortWhileImportedFailsInOneSentenceAndLeavesNothing() throws IOException {
        CsvFiles files = new CsvFiles(dir);
        Path csv = files.write(lines(20_000, Blank.NONE, false, false));
        Path target = dir.resolve("out.tsp");
        CsvOptions options = CsvOptions.builder().tsColumn("timestamp").valueColumn("value").seriesColumn("series")
                .timestampFormat(TimestampFormat.parse("epoch-ms")).threads(1).chunkBytes(4_096).build();
        // After the first chunk is parsed, another program truncates the file to half.
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> CsvImporter.importFile(csv, target, options,
                (bytes, rows) -> {
                    if (cut.compareAndSet(false, true)) {
                        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(csv,
                                java.nio.file.StandardOpenOption.WRITE)) {
                            f.truncate(f.size() / 2);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }));
        assertThat(failure).isInstanceOf(IOException.class)
                .hasMessage(csv + " became shorter while it was being imported; import it again once nothing writes to it");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactly(csv);
        }
    }

    /** Blank lines to put between rows: none, empty ones (which reserve no row), or also CRLF ones (which do). */
    private enum Blank { NONE, LF, LF_AND_CRLF }

    /**
     * {@code rows} lines of {@code series,timestamp,value} in 1 ms steps after a header,
     * optionally with blank lines, bad lines, and some stretches of lines in reverse order.
     */
    private static String lines(int rows, Blank blank, boolean bad, boolean shuffled) {
        Random random = new Random(rows);
        String[] out = new String[rows];
        for (int i = 0; i < rows; i++) {
            String line = "s" + random.nextInt(40) + "," + (1_700_000_000_000L + i) + "," + (random.nextInt(2000) - 1000) / 8.0;
            if (bad && random.nextInt(50) == 0) {
                line = "s1,not a time," + i;
            }
            boolean blankAfter = blank != Blank.NONE && random.nextInt(30) == 0;
            out[i] = line + (blankAfter ? (blank == Blank.LF || random.nextBoolean() ? "\n" : "\n\r") : "") + "\n";
        }
        if (shuffled) {
            for (int at = 0; at + 300 < rows; at += 1_000) {
                java.util.Collections.reverse(java.util.Arrays.asList(out).subList(at, at + 300));
            }
        }
        return "series,timestamp,value\n" + String.join("", out);
    }

    private void assertSameAsGzip(String text, CsvOptions.OnError onError) throws Exception {
        CsvFiles files = new CsvFiles(dir);
        Path plain = files.write(text);
        Path gzip = files.writeGzip(text);
        for (int threads : new int[] {1, 3}) {
            CsvOptions options = CsvOptions.builder().tsColumn("timestamp").valueColumn("value").seriesColumn("series")
                    .timestampFormat(TimestampFormat.parse("epoch-ms")).onError(onError).threads(threads)
                    .chunkBytes(4_096).build();
            Path fromPlain = dir.resolve("plain-" + threads + ".tsp");
            Path fromGzip = dir.resolve("gzip-" + threads + ".tsp");
            ImportResult a = CsvImporter.importFile(plain, fromPlain, options);
            ImportResult b = CsvImporter.importFile(gzip, fromGzip, options);
            assertThat(a.rows()).isEqualTo(b.rows()).isPositive();
            assertThat(a.badLines()).isEqualTo(b.badLines());
            assertThat(a.sorted()).isEqualTo(b.sorted());
            assertThat(Files.readAllBytes(fromPlain)).as("the store from the plain file, %d threads", threads)
                    .isEqualTo(Files.readAllBytes(fromGzip));
            StoreRows rows = StoreRows.read(fromPlain);
            assertThat(rows.timestamps()).isSorted();
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("no partial stores left beside the stores").allMatch(name -> !name.startsWith("."));
        }
    }

    @Test
    void aFailedImportLeavesNeitherStore() throws IOException {
        CsvFiles files = new CsvFiles(dir);
        String text = lines(3_000, Blank.NONE, true, true);
        CsvOptions options = CsvOptions.builder().tsColumn("timestamp").valueColumn("value").seriesColumn("series")
                .timestampFormat(TimestampFormat.parse("epoch-ms")).chunkBytes(4_096).build();
        Path csv = files.write(text.getBytes(StandardCharsets.UTF_8));
        Path target = dir.resolve("out.tsp");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> CsvImporter.importFile(csv, target, options)))
                .isInstanceOf(CsvFormatException.class);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactly(csv);
        }
    }
}
