package dev.tsproc.ingest.csv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static dev.tsproc.ingest.csv.CsvFiles.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvImportOptionsTest {
    @TempDir
    Path dir;

    private CsvFiles files() {
        return new CsvFiles(dir);
    }

    @Test
    void readsTheDefaultColumnsByHeaderName() throws Exception {
        StoreRows rows = files().load("value,extra,ts,series\n1.5,x,10,b\n2,y,20,a\n", options());
        assertThat(rows.timestamps()).containsExactly(10L, 20L);
        assertThat(rows.values()).containsExactly(1.5, 2.0);
        assertThat(rows.seriesNames()).containsExactly("b", "a");
        assertThat(rows.dictionary()).containsExactly("a", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"timestamp", "time", "TS", "Timestamp"})
    void findsTheTimestampColumnUnderItsUsualNames(String name) throws Exception {
        StoreRows rows = files().load(name + ",value\n5,1\n", options());
        assertThat(rows.timestamps()).containsExactly(5L);
        assertThat(rows.hasSeries()).isFalse();
    }

    @Test
    void takesColumnsByNameOrPosition() throws Exception {
        String csv = "a,b,c,d\nx,1,7,0.5\ny,2,8,0.25\n";
        StoreRows byName = files().load(csv, options().tsColumn("c").valueColumn("d").seriesColumn("a"));
        StoreRows byPosition = files().load(csv, options().tsColumn("3").valueColumn("4").seriesColumn("1"));
        assertThat(byName).isEqualTo(byPosition);
        assertThat(byName.timestamps()).containsExactly(7L, 8L);
        assertThat(byName.values()).containsExactly(0.5, 0.25);
        assertThat(byName.seriesNames()).containsExactly("x", "y");
    }

    @Test
    void withoutAHeaderTwoFieldsAreTsValueAndThreeAreSeriesTsValue() throws Exception {
        assertThat(files().load("1,2\n3,4\n", options().header(false)).values()).containsExactly(2.0, 4.0);
        StoreRows three = files().load("s,1,2\nt,3,4\n", options().header(false));
        assertThat(three.seriesNames()).containsExactly("s", "t");
        assertThat(three.timestamps()).containsExactly(1L, 3L);
    }

    @Test
    void withoutAHeaderOtherWidthsNeedPositions() throws Exception {
        CsvFiles f = files();
        assertThatThrownBy(() -> f.load("1,2,3,4\n", options().header(false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--ts-col");
        assertThat(f.load("1,2,3,4\n", options().header(false).tsColumn("2").valueColumn("4")).values())
                .containsExactly(4.0);
        assertThatThrownBy(() -> f.load("1,2\n", options().header(false).tsColumn("ts")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no header");
    }

    @Test
    void namesAColumnThatIsNotThere() {
        assertThatThrownBy(() -> files().load("ts,value\n1,2\n", options().valueColumn("price")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'price' is not a column of the header [ts, value]");
        assertThatThrownBy(() -> files().load("ts,value\n1,2\n", options().valueColumn("3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a field position");
        assertThatThrownBy(() -> files().load("ts,v\n1,2\n", options()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--value-col");
        assertThatThrownBy(() -> files().load("ts,value\n1,2\n", options().valueColumn("ts")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be different");
    }

    @Test
    void noSeriesIgnoresASeriesColumn() throws Exception {
        assertThat(files().load("series,ts,value\na,1,2\n", options().noSeries(true)).hasSeries()).isFalse();
    }

    @Test
    void readsAnyOneCharacterDelimiter() throws Exception {
        for (char delimiter : new char[] {';', '\t', ' ', 'x', '|'}) {
            String d = String.valueOf(delimiter);
            String csv = String.join(d, "series", "ts", "value") + "\n" + String.join(d, "a", "1", "2.5") + "\n";
            StoreRows rows = files().load(csv, options().delimiter(delimiter));
            assertThat(rows.values()).as("delimiter '%s'", d).containsExactly(2.5);
            assertThat(rows.seriesNames()).containsExactly("a");
        }
    }

    @Test
    void rejectsImpossibleDelimiters() {
        for (char c : new char[] {'"', '\n', '\r', '\0', 'é'}) {
            assertThatThrownBy(() -> CsvOptions.builder().delimiter(c)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsEveryMissingValueSpelling() throws Exception {
        StoreRows rows = files().load("ts,value\n1,\n2,NaN\n3,nan\n4,null\n5,NULL\n6,NA\n7,N/A\n8,None\n9,\"\"\n10,3\n", options());
        assertThat(rows.values().subList(0, 9)).allMatch(v -> Double.isNaN(v));
        assertThat(rows.values().get(9)).isEqualTo(3.0);
    }

    @Test
    void missingSpellingsCanBeReplaced() throws Exception {
        CsvFiles f = files();
        assertThat(f.load("ts,value\n1,-\n2,\n", options().missing(List.of("-"))).values()).allMatch(v -> Double.isNaN(v));
        CsvFormatException e = f.failure("ts,value\n1,NaN\n", options().missing(List.of("-")));
        assertThat(e.errors().getFirst().reason()).isEqualTo(CsvError.Reason.BAD_NUMBER);
    }

    @Test
    void readsCrlfLineEndsAndALastLineWithoutOne() throws Exception {
        StoreRows rows = files().load("series,ts,value\r\na,1,2\r\nb,3,\r\nc,5,6", options());
        assertThat(rows.timestamps()).containsExactly(1L, 3L, 5L);
        assertThat(rows.seriesNames()).containsExactly("a", "b", "c");
        assertThat(rows.values().get(1)).isNaN();
        assertThat(rows.values().get(2)).isEqualTo(6.0);
    }

    @Test
    void skipsBlankLinesAndAByteOrderMark() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "ts,value\n\n1,2\r\n\n3,4\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(text, 0, all, 3, text.length);
        CsvFiles f = files();
        ImportResult result = CsvImporter.importFile(f.write(all), f.target(), options().build());
        assertThat(result.rows()).isEqualTo(2);
        assertThat(result.lines()).isEqualTo(6);
    }

    @Test
    void readsQuotedFieldsInEveryColumn() throws Exception {
        StoreRows rows = files().load("\"series\",\"ts\",\"value\"\n\"a,\"\"b\"\"\",\"7\",\"1.25\"\n\"\",8,\"\"\n", options());
        assertThat(rows.seriesNames()).containsExactly("a,\"b\"", "");
        assertThat(rows.timestamps()).containsExactly(7L, 8L);
        assertThat(rows.values().get(0)).isEqualTo(1.25);
        assertThat(rows.values().get(1)).isNaN();
    }

    @Test
    void removesTheFormulaEscapeThatExportAdds() throws Exception {
        StoreRows rows = files().load("series,ts,value\n'=SUM(A1),1,1\n'+x,2,2\n'-y,3,3\n'@z,4,4\n''=w,5,5\n'plain,6,6\n',7,7\n",
                options());
        assertThat(rows.seriesNames()).containsExactly("=SUM(A1)", "+x", "-y", "@z", "'=w", "'plain", "'");
    }

    @Test
    void readsGzipInputRecognisedByContent() throws Exception {
        CsvFiles f = files();
        StringBuilder csv = new StringBuilder("series,ts,value\n");
        for (int i = 0; i < 50_000; i++) {
            csv.append("s").append(i % 7).append(',').append(i).append(',').append(i * 0.5).append('\n');
        }
        StoreRows plain = f.load(csv.toString(), options());
        StoreRows gzip = f.load(f.writeGzip(csv.toString()), options().chunkBytes(64 << 10));
        assertThat(gzip).isEqualTo(plain);
        assertThat(gzip.rows()).hasSize(50_000);
    }

    @Test
    void sortsRowsOutOfTimeOrderStablyAndKeepsValuesWithTheirRows() throws Exception {
        StringBuilder csv = new StringBuilder("series,ts,value\n");
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            int ts = (i * 7919) % 1000; // many equal timestamps, scattered
            csv.append("s").append(i % 3).append(',').append(ts).append(',').append(i).append('\n');
        }
        for (long chunk : new long[] {0, 4096, 50_000}) {
            ImportResult result = CsvImporter.importFile(files().write(csv.toString()), dir.resolve("sorted-" + chunk + ".tsp"),
                    options().chunkBytes(chunk).build());
            assertThat(result.sorted()).isTrue();
            StoreRows rows = StoreRows.read(result.store());
            List<Long> ts = rows.timestamps();
            List<Double> values = rows.values();
            List<String> names = rows.seriesNames();
            for (int i = 1; i < n; i++) {
                assertThat(ts.get(i - 1) < ts.get(i) || (ts.get(i - 1).equals(ts.get(i)) && values.get(i - 1) < values.get(i)))
                        .as("row %d follows row %d in time, then file order", i, i - 1).isTrue();
            }
            for (int i = 0; i < n; i++) { // each value still has its own timestamp and series
                int original = (int) (double) values.get(i);
                assertThat(ts.get(i)).isEqualTo((long) ((original * 7919) % 1000));
                assertThat(names.get(i)).isEqualTo("s" + original % 3);
            }
        }
    }

    @Test
    void dictionaryIsSortedByUtf8BytesWhateverTheRowOrder() throws Exception {
        StoreRows rows = files().load("series,ts,value\nz,1,1\nä,2,2\nA,3,3\n\uD83D\uDE00,4,4\n\uFFFD,5,5\na,6,6\n", options());
        assertThat(rows.dictionary()).containsExactly("A", "a", "z", "ä", "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void sameStoreForAnyChunkSizeAndThreadCount() throws Exception {
        StringBuilder csv = new StringBuilder("series,ts,value\n");
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 5_000; i++) {
            csv.append("\"n").append(random.nextInt(50)).append("\",").append(random.nextInt(100_000)).append(',')
                    .append(random.nextInt(3) == 0 ? "" : Double.toString(random.nextGaussian())).append(i % 10 == 0 ? "\r\n" : "\n");
        }
        CsvFiles f = files();
        Path file = f.write(csv.toString());
        StoreRows reference = f.load(file, options().threads(1).chunkBytes(1L << 30));
        for (int threads : new int[] {1, 2, 4}) {
            for (long chunk : new long[] {1, 37, 1000, 4096, 20_000}) {
                assertThat(f.load(file, options().threads(threads).chunkBytes(chunk)))
                        .as("threads=%d chunkBytes=%d", threads, chunk).isEqualTo(reference);
            }
        }
    }
}
