package dev.tsproc.job;

import dev.tsproc.Tsproc;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesInventoryTest {
    @TempDir
    Path dir;

    /** Rows, missing values and times per series, for any batch size and worker count; a series without rows is listed too. */
    @Test
    void countsEverySeriesAcrossBatchBoundaries() throws Exception {
        int n = 5_000;
        long[] ts = new long[n];
        double[] values = new double[n];
        int[] series = new int[n];
        SplittableRandom random = new SplittableRandom(3);
        List<SeriesInventory.Series> expected = new ArrayList<>();
        long[][] perSeries = new long[4][4]; // rows, missing, first, last; series 3 has no rows
        for (int i = 0; i < n; i++) {
            ts[i] = 1_700_000_000_000_000_000L + i * 7L;
            series[i] = i < 100 ? 0 : random.nextInt(3); // series 0 alone at first, then mixed
            values[i] = random.nextInt(5) == 0 ? Double.NaN : random.nextGaussian();
            long[] s = perSeries[series[i]];
            s[2] = s[0]++ == 0 ? ts[i] : s[2];
            s[1] += Double.isNaN(values[i]) ? 1 : 0;
            s[3] = ts[i];
        }
        List<String> names = List.of("a", "b, \"c\"", "d", "unused");
        for (int s = 0; s < 4; s++) {
            expected.add(new SeriesInventory.Series(names.get(s), perSeries[s][0], perSeries[s][1], perSeries[s][2], perSeries[s][3]));
        }
        Path file = TestStores.write(dir.resolve("s.tsp"), ts, values, series, SeriesDictionary.of(names));
        try (Store store = Store.open(file); Tsproc tsproc = Tsproc.of(store)) {
            for (long batchRows : new long[] {1, 37, 1000, 1 << 20}) {
                for (int workers : new int[] {1, 3}) {
                    RunOptions options = RunOptions.defaults().withBatchRows(batchRows).withWorkers(workers);
                    assertThat(tsproc.run(new SeriesInventory(store.dictionary()), options).result())
                            .as("batches of %d on %d workers", batchRows, workers).isEqualTo(expected);
                }
            }
        }
        Path plain = TestStores.write(dir.resolve("plain.tsp"), ts, values, null, SeriesDictionary.empty());
        try (Store store = Store.open(plain); Tsproc tsproc = Tsproc.of(store)) {
            long missing = java.util.Arrays.stream(values).filter(Double::isNaN).count();
            assertThat(tsproc.run(new SeriesInventory(store.dictionary())))
                    .containsExactly(new SeriesInventory.Series(null, n, missing, ts[0], ts[n - 1]));
        }
    }
}
