package dev.tsproc.ingest.csv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.tsproc.ingest.csv.CsvFiles.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 14.4: {@code auto} tells an epoch unit from the first data line's magnitude, and only where it can. */
class EpochUnitTest {
    private static final long NANOS = 1_700_000_000_000_000_000L; // 2023-11-14T22:13:20Z

    @TempDir
    Path dir;

    @Test
    void eachUnitHasItsRangeAndTheGapsBetweenThemTellNone() {
        assertThat(TimestampFormat.epochUnitOf("100000000")).hasToString("epoch-s"); // 1973-03-03
        assertThat(TimestampFormat.epochUnitOf("9999999999")).hasToString("epoch-s");
        assertThat(TimestampFormat.epochUnitOf("1700000000.25")).hasToString("epoch-s");
        assertThat(TimestampFormat.epochUnitOf("100000000000")).hasToString("epoch-ms");
        assertThat(TimestampFormat.epochUnitOf("1700000000000")).hasToString("epoch-ms");
        assertThat(TimestampFormat.epochUnitOf("1700000000000000")).hasToString("epoch-us");
        for (String none : new String[] {"1", "99999999", "17000000000", "17000000000000", "17000000000000000",
                String.valueOf(NANOS), "-1700000000", "2023-11-14", "1e9", "", " 1700000000"}) {
            assertThat(TimestampFormat.epochUnitOf(none)).as(none).isNull();
            assertThat(TimestampFormat.epochUnitUnclear(none)).as(none).isEqualTo(none.matches("1700+") && none.length() % 3 == 2); // 11, 14, 17 digits
        }
        assertThat(TimestampFormat.epochUnitUnclear("99999999999.5")).isTrue();
        assertThat(TimestampFormat.epochUnitUnclear("10000000000")).isTrue(); // 2286-11-20 in s, 1970-04-26 in ms
    }

    @Test
    void aFileInEachUnitImportsAtTheSameInstantsAsInNanoseconds() throws Exception {
        CsvFiles f = new CsvFiles(dir);
        String[] units = {"1700000000", "1700000000000", "1700000000000000", String.valueOf(NANOS)};
        long[] step = {1_000_000_000L, 1_000_000L, 1_000L, 1L};
        for (int u = 0; u < units.length; u++) {
            long first = Long.parseLong(units[u]);
            String csv = "series,ts,value\n" + "a," + first + ",1\n" + "b,\"" + (first + 2) + "\",2\n" + "a," + (first + 1) + (u < 3 ? ".5" : "") + ",3\n";
            for (Path file : new Path[] {f.write(csv), f.writeGzip(csv)}) {
                Path target = f.target();
                ImportResult result = CsvImporter.importFile(file, target, options().build());
                assertThat(StoreRows.read(target).timestamps()).as(units[u])
                        .containsExactly(NANOS, NANOS + step[u] + step[u] / 2, NANOS + 2 * step[u]);
                assertThat(result.timestampFormat()).hasToString(u < 3 ? "epoch-" + new String[] {"s", "ms", "us"}[u] : "auto");
            }
        }
        for (String unclear : new String[] {"17000000000", "17000000000000", "17000000000000000"}) {
            assertThatThrownBy(() -> CsvImporter.importFile(f.write("ts,value\n" + unclear + ",1\n"), f.target(), options().build()))
                    .isInstanceOf(CsvFormatException.class).hasMessageContaining("--ts-format epoch-s, epoch-ms");
        }
        ImportResult counters = CsvImporter.importFile(f.write("ts,value\n1,1\n2,2\n"), f.target(), options().build());
        assertThat(counters.timestampFormat()).isEqualTo(TimestampFormat.AUTO);
        ImportResult asked = CsvImporter.importFile(f.write("ts,value\n1700000000,1\n"), f.target(),
                options().timestampFormat(TimestampFormat.epoch(1L)).build());
        assertThat(asked.timestampFormat()).hasToString("epoch-ns");
    }
}
