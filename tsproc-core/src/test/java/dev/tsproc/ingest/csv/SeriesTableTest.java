package dev.tsproc.ingest.csv;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SeriesTable}: one id per distinct name, whatever the lengths, shared prefixes and growth. */
class SeriesTableTest {
    @Test
    void givesEachDistinctNameOneIdInOrderOfFirstAppearance() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3000; i++) { // many rehashes
            names.add("sensor-" + i);
        }
        // Same first 16 bytes, lengths 16 and 17; lengths across the word boundaries; empty.
        names.addAll(List.of("exactly-16-bytes", "exactly-16-bytesX", "exactly-16-bytesY", "", "a", "abcdefgh", "abcdefghi",
                "a-name-longer-than-sixteen-bytes-1", "a-name-longer-than-sixteen-bytes-2", "z\u00fcrich"));
        SeriesTable table = new SeriesTable();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < names.size(); i++) {
                assertThat(idOf(table, names.get(i))).as(names.get(i)).isEqualTo(i);
            }
        }
        assertThat(table.size()).isEqualTo(names.size());
        for (int i = 0; i < names.size(); i++) {
            assertThat(new String(table.name(i), StandardCharsets.UTF_8)).isEqualTo(names.get(i));
        }
    }

    @Test
    void keyWordsLookUpWhatTheBytesLookUp() {
        SeriesTable table = new SeriesTable();
        int byBytes = idOf(table, "nine-byte");
        byte[] utf8 = "nine-byte".getBytes(StandardCharsets.US_ASCII);
        long first = 0;
        for (int i = 0; i < 8; i++) {
            first |= (long) utf8[i] << (8 * i);
        }
        assertThat(table.idOf(first, utf8[8], 9, MemorySegment.ofArray(utf8), 0)).isEqualTo(byBytes);
    }

    /** Looks the name up in the middle of a larger segment, as the parser does. */
    private static int idOf(SeriesTable table, String name) {
        byte[] utf8 = ("," + name + ",1,2\n").getBytes(StandardCharsets.UTF_8);
        return table.idOf(MemorySegment.ofArray(utf8), 1, utf8.length - 6);
    }
}
