package dev.tsproc.ingest.csv;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimestampScannerTest {

    /** Stands for a scan that stopped before the end of the text, which the caller rejects. */
    static final long PARTIAL = -3;

    /**
     * The nanoseconds of {@code text} in {@code format}, or the scanner's failure code, or
     * {@link #PARTIAL}. Checks that bytes after the text change nothing, whether they lie past
     * the scan's limit (digits) or after a delimiter: the word-at-a-time paths read past the
     * field and only run when there are bytes to read.
     */
    static long scan(String format, String text) {
        long alone = scan(format, text, "", 0);
        assertThat(scan(format, text, "0123456789012345678901234567890123456789", 0)).as(text).isEqualTo(alone);
        assertThat(scan(format, text, ";0123456789012345678901234567890123456789", 1)).as(text).isEqualTo(alone);
        return alone;
    }

    /** Scans {@code text} followed by {@code after}, up to the end of the text plus {@code beyond} bytes. */
    private static long scan(String format, String text, String after, int beyond) {
        return scan(format, ';', text, after, beyond);
    }

    private static long scan(String format, char delimiter, String text, String after, int beyond) {
        byte[] bytes = (text + after).getBytes(StandardCharsets.UTF_8);
        int length = text.getBytes(StandardCharsets.UTF_8).length;
        TimestampScanner scanner = new TimestampScanner(TimestampFormat.parse(format), (byte) delimiter);
        long end = scanner.scan(MemorySegment.ofArray(bytes), 0, length + beyond);
        if (end < 0) {
            return end;
        }
        return end == length ? scanner.value : PARTIAL;
    }

    @ParameterizedTest
    @CsvSource({
            "epoch-s,  1700000000,            1700000000000000000",
            "epoch-s,  1700000000.25,         1700000000250000000",
            "epoch-s,  -1.5,                  -1500000000",
            "epoch-s,  1700000000.123456789,  1700000000123456789",
            "epoch-ms, 1700000000123,         1700000000123000000",
            "epoch-ms, 1700000000123.5,       1700000000123500000",
            "epoch-us, 1700000000123456,      1700000000123456000",
            "epoch-us, 1700000000123456.789,  1700000000123456789",
            "epoch-ns, 1700000000123456789,   1700000000123456789",
            "epoch-ns, -9223372036854775808,  -9223372036854775808",
            "auto,     1700000000123456789,   1700000000123456789",
            "auto,     2023-11-14T22:13:20Z,  1700000000000000000",
            "iso,      2023-11-14T22:13:20Z,  1700000000000000000",
            "iso,      2023-11-14 22:13:20,   1700000000000000000",
            "iso,      2023-11-14t22:13:20z,  1700000000000000000",
            "iso,      2023-11-14T22:13:20z,  1700000000000000000",
            "iso,      2023-11-14T22:13:20.5z, 1700000000500000000",
            "iso,      2023-11-14T22:13:20.5Z, 1700000000500000000",
            "iso,      2023-11-14T22:13:20.123456789Z, 1700000000123456789",
            "iso,      '2023-11-14T22:13:20,25', 1700000000250000000",
            "iso,      2023-11-14T23:13:20+01:00, 1700000000000000000",
            "iso,      2023-11-14T23:13:20+0100, 1700000000000000000",
            "iso,      2023-11-14T23:13:20+01, 1700000000000000000",
            "iso,      2023-11-14T21:13:20-01:00, 1700000000000000000",
            "iso,      2023-11-14T22:13,      1699999980000000000",
            "iso,      2023-11-14,            1699920000000000000",
            "iso,      1970-01-01T00:00:00Z,  0",
            "iso,      1969-12-31T23:59:59.999999999Z, -1",
            "iso,      2024-02-29T00:00:00Z,  1709164800000000000",
            "iso,      2262-04-11T23:47:16.854775807Z, 9223372036854775807",
            "iso,      1677-09-21T00:12:43.145224192Z, -9223372036854775808",
            "'pattern:dd/MM/yyyy HH:mm:ss', 14/11/2023 22:13:20, 1700000000000000000",
            "'pattern:yyyy-MM-dd HH:mm:ss.SSS XXX', 2023-11-14 23:13:20.000 +01:00, 1700000000000000000",
            "'pattern:yyyyMMdd', 20231114, 1699920000000000000",
    })
    void readsEveryFormat(String format, String text, long expected) {
        assertThat(scan(format, text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "epoch-ns, 9223372036854775808",
            "epoch-s,  9223372037",
            "epoch-ms, -9223372036855",
            "iso,      2262-04-11T23:47:16.854775808Z",
            "iso,      1677-09-21T00:12:43.145224191Z",
            "iso,      9999-12-31T00:00:00Z",
            "iso,      0000-01-01",
    })
    void reportsTimestampsOutsideTheNanosecondRange(String format, String text) {
        assertThat(scan(format, text)).isEqualTo(TimestampScanner.OUT_OF_RANGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "2023-11-14T24:00:00",
            "2023-11-14T12:60:00", "2023-11-14T12:00:60", "2023-11-14T12", "2023-11-14T", "2023-1-14", "23-11-14",
            "2023-11-14T12:00:00.Z", "2023-11-14T12:00:00+25:00", "2023/11/14", "x", ""})
    void rejectsMalformedIsoTimestamps(String text) {
        long result = scan("iso", text);
        assertThat(result).as(text).isIn(TimestampScanner.NO_TIMESTAMP, TimestampScanner.OUT_OF_RANGE, PARTIAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5e9", "0x10", " 1", "1 ", "1_000", "1.0000000001", "1.", "+"})
    void epochSecondsAreStrict(String text) {
        assertThat(scan("epoch-s", text)).as(text).isIn(TimestampScanner.NO_TIMESTAMP, PARTIAL);
    }

    @Property(tries = 3000)
    void isoAgreesWithJavaTime(@ForAll @LongRange(min = -9_223_372_036_854_775_807L, max = Long.MAX_VALUE) long nanos) {
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        String text = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.ofHours((int) (nanos & 7) - 3)));
        assertThat(scan("iso", text)).as(text).isEqualTo(nanos);
        assertThat(scan("auto", text)).as(text).isEqualTo(nanos);
    }

    @Test
    void aCommaThatIsTheDelimiterEndsTheSecondsInsteadOfStartingAFraction() {
        assertThat(scan("iso", ',', "2023-11-14T22:13:20,25", "", 0)).isEqualTo(PARTIAL);
        assertThat(scan("iso", ',', "2023-11-14 22:13:20", ",25", 3)).isEqualTo(1700000000000000000L);
        assertThat(scan("iso", ';', "2023-11-14T22:13:20,25", ";1", 2)).isEqualTo(1700000000250000000L);
    }

    @Test
    void namesTheAcceptedFormatsWhenGivenAnUnknownOne() {
        assertThatThrownBy(() -> TimestampFormat.parse("unix")).hasMessageContaining("auto, iso, epoch-s");
        assertThatThrownBy(() -> TimestampFormat.parse("pattern:yyyy-MM-dd'T")).hasMessageContaining("not valid");
        assertThat(TimestampFormat.parse("EPOCH-MS").nanosPerUnit()).isEqualTo(1_000_000L);
        assertThat(TimestampFormat.parse("epoch-us")).hasToString("epoch-us");
    }
}
