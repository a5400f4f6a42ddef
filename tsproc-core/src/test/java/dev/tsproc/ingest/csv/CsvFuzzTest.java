package dev.tsproc.ingest.csv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the line parser and the importer with CSV-like bytes: only documented outcomes may
 * come out (rows, {@link CsvError}s with one of the documented reasons, {@link CsvFormatException},
 * or {@link IllegalArgumentException} for a header that does not fit the options), never another
 * exception; and cutting the input into chunks at any line end changes nothing. Sized to run for
 * about half a minute.
 */
class CsvFuzzTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final CsvLayout LAYOUT = new CsvLayout(3, new byte[] {CsvLayout.SERIES, CsvLayout.TS, CsvLayout.VALUE},
            List.of("series", "ts", "value"));
    private Path dir;

    @BeforeProperty
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("tsproc-fuzz");
    }

    @AfterProperty
    void deleteDirectory() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Provide
    Arbitrary<byte[]> csvBytes() {
        Arbitrary<String> token = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(20)),
                net.jqwik.api.Tuple.of(10, Arbitraries.of(",", ",", ",", "\n", "\n", "\r\n", "\r", "\"", "\"\"", ".", "-", "+",
                        "e", "E", "T", ":", "Z", " ", "\t", "'", "=", "NaN", "null", "inf", "2023-11-14T22:13:20.5Z",
                        "2023-02-30", "+01:00", "1e400", "9223372036854775808", "\0", "\u00ff", "\u00c3\u00a4", "\u00e0\u0080")),
                net.jqwik.api.Tuple.of(5, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(6)),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(4)));
        return token.list().ofMaxSize(60).map(parts -> String.join("", parts).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Property(tries = 160_000)
    void lineParserGivesRowsOrDocumentedErrorsWhateverTheBytes(@ForAll("csvBytes") byte[] bytes, @ForAll boolean iso,
                                                                @ForAll @IntRange(min = 0, max = 300) int cut) {
        CsvOptions options = CsvOptions.builder().onError(CsvOptions.OnError.SKIP).maxLineBytes(200)
                .timestampFormat(iso ? TimestampFormat.ISO : TimestampFormat.AUTO).build();
        MemorySegment s = MemorySegment.ofArray(bytes);
        Parsed whole = parse(options, s, 0, bytes.length);
        assertThat(whole.rows + whole.errors.size()).isLessThanOrEqualTo(whole.lines);
        for (ParsedChunk.LocalError e : whole.errors) {
            assertThat(e.detail()).isNotBlank();
            assertThat(e.lineInChunk()).isBetween(0L, whole.lines - 1);
            assertThat(e.byteOffset()).isBetween(0L, (long) bytes.length);
        }
        // Cut at the first line end at or after `cut`: two chunks must give what one gave.
        int at = Math.min(cut, bytes.length);
        while (at < bytes.length && (at == 0 || bytes[at - 1] != '\n')) {
            at++;
        }
        Parsed first = parse(options, s, 0, at);
        Parsed second = parse(options, s, at, bytes.length);
        assertThat(first.rows + second.rows).isEqualTo(whole.rows);
        assertThat(first.lines + second.lines).isEqualTo(whole.lines);
        assertThat(first.errors.size() + second.errors.size()).isEqualTo(whole.errors.size());
    }

    private record Parsed(long rows, long lines, List<ParsedChunk.LocalError> errors) {}

    private static Parsed parse(CsvOptions options, MemorySegment s, long from, long to) {
        try (ParsedChunk chunk = new ParsedChunk(0, new ColumnBuffers(4, true))) {
            new ChunkParser(LAYOUT, options, Integer.MAX_VALUE).parse(chunk, s, from, to, 0, false, () -> false);
            return new Parsed(chunk.rows.rowCount(), chunk.lineCount, List.copyOf(chunk.errors));
        }
    }

    @Property(tries = 10_000)
    void importerGivesAStoreOrADocumentedError(@ForAll("csvBytes") byte[] body, @ForAll boolean header,
                                              @ForAll boolean skip, @ForAll boolean gzip,
                                              @ForAll @IntRange(min = 0, max = 64) int chunkBytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (header) {
            out.writeBytes("series,ts,value\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(body);
        byte[] bytes = out.toByteArray();
        int n = COUNTER.incrementAndGet();
        Path csv = dir.resolve("f" + n + ".csv");
        if (gzip) {
            try (var z = new java.util.zip.GZIPOutputStream(Files.newOutputStream(csv))) {
                z.write(bytes);
            }
        } else {
            Files.write(csv, bytes);
        }
        Path target = dir.resolve("f" + n + ".tsp");
        CsvOptions options = CsvOptions.builder().header(header).threads(2).chunkBytes(chunkBytes).maxLineBytes(200)
                .onError(skip ? CsvOptions.OnError.SKIP : CsvOptions.OnError.FAIL).build();
        try {
            ImportResult result = CsvImporter.importFile(csv, target, options);
            assertThat(StoreRows.read(target).rows()).hasSize((int) result.rows());
            Files.delete(target);
        } catch (CsvFormatException | IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            assertThat(target).doesNotExist();
        }
        Files.delete(csv);
    }
}
