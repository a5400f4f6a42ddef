package dev.tsproc.ingest.csv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ChunkParser}'s fast path must read every line it accepts to the row the general path
 * reads, and leave every other line, with its error report, to the general path: parsing with
 * and without it must give the same rows, series, line count and errors, on random lines of
 * the common shape and near it (odd names, quotes, signs, long numbers, ISO variants, wrong
 * field counts, CR, stray bytes).
 */
class ChunkParserFastPathTest {
    private static final CsvLayout SERIES_TS_VALUE = new CsvLayout(3,
            new byte[] {CsvLayout.SERIES, CsvLayout.TS, CsvLayout.VALUE}, List.of("series", "ts", "value"));
    private static final CsvLayout TS_VALUE = new CsvLayout(2, new byte[] {CsvLayout.TS, CsvLayout.VALUE}, List.of("ts", "value"));
    private static final CsvLayout VALUE_SERIES_TS = new CsvLayout(3,
            new byte[] {CsvLayout.VALUE, CsvLayout.SERIES, CsvLayout.TS}, List.of("value", "series", "ts"));
    private static final List<CsvLayout> LAYOUTS = List.of(SERIES_TS_VALUE, TS_VALUE, VALUE_SERIES_TS);
    private static final List<TimestampFormat> FORMATS = List.of(TimestampFormat.epoch(1_000_000), TimestampFormat.epoch(1),
            TimestampFormat.epoch(1_000_000_000), TimestampFormat.AUTO, TimestampFormat.ISO);

    @Test
    void fastPathTakesLinesOfTheCommonShape() {
        String[] lines = {"sensor-042,1700000000123,-1359.29\n", "s,1700000000123,4999.99\r\n", ",0,0\n",
                "fifteen-bytes-n,1700000000123,-4999.99\n", "a,1700000000123,0.5\n"};
        for (String line : lines) {
            assertThat(fastLineEnd(SERIES_TS_VALUE, TimestampFormat.epoch(1_000_000), ',', line)).as(line)
                    .isEqualTo(line.length());
        }
        assertThat(fastLineEnd(SERIES_TS_VALUE, TimestampFormat.ISO, ';', "sensor-1;2023-11-14T22:13:20.123Z;12.5\n"))
                .isEqualTo(39);
        String nanos = "s,1700000000123456789,1.5\n"; // as tsproc export writes
        assertThat(fastLineEnd(SERIES_TS_VALUE, TimestampFormat.AUTO, ',', nanos)).isEqualTo(nanos.length());
    }

    @Test
    void fastPathLeavesUnusualLinesToTheGeneralPath() {
        String[] lines = {"\"quoted\",1700000000123,1.5\n", "sixteen-bytes-nm,1700000000123,1.5\n",
                "'=formula,1700000000123,1.5\n", "z\u00fcrich,1700000000123,1.5\n", "a,-1700000000123,1.5\n",
                "a,1700000000123.5,1.5\n", "a,1700000000123,12345.67\n", "a,1700000000123,1e5\n", "a,1700000000123,\n",
                "a,1700000000123,1.5,7\n", "a,1700000000123\n", "a,9223372036854775,1\n", "a,1700000000123,1.5\r\r\n",
                "\n", "a\tb,1,2\n"};
        for (String line : lines) {
            assertThat(fastLineEnd(SERIES_TS_VALUE, TimestampFormat.epoch(1_000_000), ',', line)).as(line).isEqualTo(-1);
        }
    }

    /** Where the fast path ends {@code line} (followed by padding), or -1. */
    private static long fastLineEnd(CsvLayout layout, TimestampFormat format, char delimiter, String line) {
        byte[] bytes = padded(line.getBytes(StandardCharsets.UTF_8));
        ChunkParser parser = new ChunkParser(layout, options(format, delimiter), 1);
        return parser.fastLine(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    @Property(tries = 3_000)
    void fastPathAgreesWithTheGeneralPath(@ForAll("lines") List<String> lines, @ForAll("layouts") CsvLayout layout,
                                          @ForAll("formats") TimestampFormat format, @ForAll("delimiters") char delimiter) {
        byte[] bytes = padded(String.join("", lines).replace(',', delimiter).getBytes(StandardCharsets.UTF_8));
        if (layout == TS_VALUE) { // drop the series field: "name,ts,value" -> "ts,value"
            bytes = padded(lines.stream().map(l -> l.substring(l.indexOf(',') + 1)).reduce("", String::concat)
                    .replace(',', delimiter).getBytes(StandardCharsets.UTF_8));
        } else if (layout == VALUE_SERIES_TS) {
            bytes = padded(lines.stream().map(ChunkParserFastPathTest::valueFirst).reduce("", String::concat)
                    .replace(',', delimiter).getBytes(StandardCharsets.UTF_8));
        }
        CsvOptions options = options(format, delimiter);
        assertThat(parse(layout, options, bytes, true)).isEqualTo(parse(layout, options, bytes, false));
    }

    /** "name,ts,value" + end as "value,name,ts" + end (lines without two commas stay as they are). */
    private static String valueFirst(String line) {
        int second = line.indexOf(',', line.indexOf(',') + 1);
        int end = line.endsWith("\r\n") ? line.length() - 2 : line.endsWith("\n") ? line.length() - 1 : line.length();
        return second < 0 || second > end ? line : line.substring(second + 1, end) + "," + line.substring(0, second)
                + line.substring(end);
    }

    private record Parsed(List<Long> ts, List<Long> valueBits, List<String> series, long lines, long errorCount,
                          boolean sorted, List<ParsedChunk.LocalError> errors) {}

    private static Parsed parse(CsvLayout layout, CsvOptions options, byte[] bytes, boolean fastPath) {
        try (ParsedChunk chunk = new ParsedChunk(0, new ColumnBuffers(4, layout.hasSeries()))) {
            new ChunkParser(layout, options, Integer.MAX_VALUE, fastPath)
                    .parse(chunk, MemorySegment.ofArray(bytes), 0, bytes.length, 0, false, () -> false);
            List<Long> ts = new ArrayList<>();
            List<Long> valueBits = new ArrayList<>();
            List<String> series = new ArrayList<>();
            for (long i = 0; i < chunk.rows.rowCount(); i++) {
                ts.add(chunk.rows.ts().getAtIndex(dev.tsproc.data.Column.TS_LAYOUT, i));
                valueBits.add(Double.doubleToRawLongBits(chunk.rows.values().getAtIndex(dev.tsproc.data.Column.VALUE_LAYOUT, i)));
                if (layout.hasSeries()) {
                    int id = chunk.rows.series().getAtIndex(dev.tsproc.data.Column.SERIES_LAYOUT, i);
                    series.add(new String(chunk.series.name(id), StandardCharsets.UTF_8));
                }
            }
            return new Parsed(ts, valueBits, series, chunk.lineCount, chunk.errorCount, chunk.sorted, List.copyOf(chunk.errors));
        }
    }

    private static CsvOptions options(TimestampFormat format, char delimiter) {
        return CsvOptions.builder().onError(CsvOptions.OnError.SKIP).timestampFormat(format).delimiter(delimiter).build();
    }

    /** The bytes and enough blank lines after them that every line starts far enough from the end for the fast path. */
    private static byte[] padded(byte[] bytes) {
        byte[] out = Arrays.copyOf(bytes, bytes.length + ChunkParser.FAST_LINE_BYTES + 1);
        Arrays.fill(out, bytes.length, out.length, (byte) '\n');
        return out;
    }

    @Provide
    Arbitrary<CsvLayout> layouts() {
        return Arbitraries.of(LAYOUTS);
    }

    @Provide
    Arbitrary<TimestampFormat> formats() {
        return Arbitraries.of(FORMATS);
    }

    @Provide
    Arbitrary<Character> delimiters() {
        return Arbitraries.of(',', ';', '\t', '|', ' ');
    }

    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> common = Combinators.combine(names(), timestamps(), values(), lineEnds())
                .as((name, ts, value, end) -> name + "," + ts + "," + value + end);
        Arbitrary<String> mutated = Combinators.combine(common, Arbitraries.integers().between(0, 60),
                Arbitraries.of("", ",", "\"", "\r", "\n", "\0", "\u00ff", "'", "-", ".", "e", "9", " ", "\t", "Z"))
                .as((line, at, insert) -> line.substring(0, Math.min(at, line.length())) + insert
                        + line.substring(Math.min(at, line.length())));
        return Arbitraries.frequencyOf(Tuple.of(6, common), Tuple.of(3, mutated)).list().ofMaxSize(12);
    }

    private static Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 999).map(i -> "sensor-" + i)),
                Tuple.of(4, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20)),
                Tuple.of(1, Arbitraries.of("", "'=x", "'x", "\"a,b\"", "z\u00fcrich", "a\tb", "a\rb", "a\u0000b",
                        "exactly-16-bytes", "fifteen-bytes-n", "seven-b", "eight-by", "nine-byte")));
    }

    private static Arbitrary<String> timestamps() {
        Arbitrary<String> epoch = Combinators.combine(Arbitraries.of("", "", "", "-", "+"),
                        Arbitraries.strings().withCharRange('0', '9').ofMinLength(0).ofMaxLength(20),
                        Arbitraries.of("", "", "", ".", ".5", ".123456789", ".1234567890"))
                .as((sign, digits, fraction) -> sign + digits + fraction);
        Arbitrary<String> iso = Combinators.combine(
                        Arbitraries.of("2023-11-14", "2024-02-29", "2023-02-29", "1677-09-21", "2262-04-11", "0000-01-01", "2023-1-14"),
                        Arbitraries.of("T", "T", "t", " ", ""),
                        Arbitraries.of("22:13:20", "00:00:00", "23:59:59", "24:00:00", "00:12:43", "23:47:16", "22:13", "22:60:00"),
                        Arbitraries.of("", ".1", ".123", ".145224191", ".854775807", ".1234567890", ".", ",5"),
                        Arbitraries.of("Z", "Z", "", "+01:00", "-0130", "+01", "z"))
                .as((date, t, time, fraction, zone) -> date + t + time + fraction + zone);
        return Arbitraries.frequencyOf(Tuple.of(4, epoch), Tuple.of(4, iso),
                Tuple.of(1, Arbitraries.of("", "NaN", "1700000000123", "9223372036854775807", "9999999999999999")));
    }

    private static Arbitrary<String> values() {
        Arbitrary<String> decimal = Combinators.combine(Arbitraries.of("", "", "-", "+"),
                        Arbitraries.strings().withCharRange('0', '9').ofMaxLength(9),
                        Arbitraries.of("", ".", "."),
                        Arbitraries.strings().withCharRange('0', '9').ofMaxLength(4),
                        Arbitraries.of("", "", "", "", "e5", "E-3", "f"))
                .as((sign, whole, point, fraction, exponent) -> sign + whole + point + fraction + exponent);
        return Arbitraries.frequencyOf(Tuple.of(8, decimal), Tuple.of(1, Arbitraries.of("", "NaN", "null", "inf", "-Infinity", "\"1.5\"")));
    }

    private static Arbitrary<String> lineEnds() {
        return Arbitraries.of("\n", "\n", "\n", "\r\n", "\r", "", ",", ",x\n");
    }
}
