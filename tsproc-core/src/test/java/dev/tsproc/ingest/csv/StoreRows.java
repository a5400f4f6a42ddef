package dev.tsproc.ingest.csv;

import dev.tsproc.data.Column;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A store's rows as heap records, for comparing small stores in tests. */
record StoreRows(List<String> dictionary, boolean hasSeries, List<Row> rows) {
    record Row(long ts, long valueBits, int series) {
        @Override
        public String toString() {
            return ts + "," + Double.longBitsToDouble(valueBits) + "," + series;
        }
    }

    static StoreRows read(Path path) throws IOException {
        try (Store store = Store.open(path)) {
            store.verifyChecksums();
            List<Row> rows = new ArrayList<>();
            for (long i = 0; i < store.rowCount(); i++) {
                double v = store.column(Column.VALUE).getAtIndex(Column.VALUE_LAYOUT, i);
                rows.add(new Row(store.column(Column.TS).getAtIndex(Column.TS_LAYOUT, i),
                        Double.isNaN(v) ? Double.doubleToLongBits(Double.NaN) : Double.doubleToRawLongBits(v),
                        store.hasSeries() ? store.column(Column.SERIES).getAtIndex(Column.SERIES_LAYOUT, i) : -1));
            }
            return new StoreRows(store.dictionary().names(), store.hasSeries(), rows);
        }
    }

    /** Series name of each row, or null without series. */
    List<String> seriesNames() {
        return rows.stream().map(r -> hasSeries ? dictionary.get(r.series) : null).toList();
    }

    List<Long> timestamps() {
        return rows.stream().map(Row::ts).toList();
    }

    List<Double> values() {
        return rows.stream().map(r -> Double.longBitsToDouble(r.valueBits)).toList();
    }
}
