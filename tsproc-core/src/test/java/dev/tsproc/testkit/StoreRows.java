package dev.tsproc.testkit;

import dev.tsproc.data.Column;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A store's rows as text that a Python script can print too, one {@code series<TAB>ts<TAB>value}
 * line a row, the value as Python's {@code float.hex()} or {@code nan}: so that interop tests
 * compare every bit of every row with what pyarrow, Polars or DuckDB wrote or read.
 */
public final class StoreRows {
    /** Python: {@code expect(rows)} prints (series, ts_ns, value) rows stably sorted by time, as a store holds them. */
    public static final String PRINT = """
            import math, sys
            def line(s, t, v):
                return f"{s}\\t{t}\\t{'nan' if v is None or math.isnan(v) else float(v).hex()}"
            def expect(rows):
                for s, t, v in sorted(rows, key=lambda r: r[1]):
                    print(line(s, t, v))
            """;

    private StoreRows() {}

    /** The rows of the store at {@code path}, after verifying it. */
    public static List<String> of(Path path) throws IOException {
        try (Store store = Store.open(path)) {
            store.verify();
            List<String> rows = new ArrayList<>();
            for (long i = 0; i < store.rowCount(); i++) {
                double v = store.column(Column.VALUE).getAtIndex(Column.VALUE_LAYOUT, i);
                String series = store.hasSeries()
                        ? store.dictionary().name(store.column(Column.SERIES).getAtIndex(Column.SERIES_LAYOUT, i)) : "";
                rows.add(series + "\t" + store.column(Column.TS).getAtIndex(Column.TS_LAYOUT, i) + "\t"
                        + (Double.isNaN(v) ? "nan" : pythonHex(v)));
            }
            return rows;
        }
    }

    /** {@code float.hex()} of Python: {@code 0x1.8000000000000p+1}, {@code -0x0.0p+0}, {@code -inf}. */
    static String pythonHex(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return (1 / v < 0 ? "-" : "") + "0x0.0p+0";
        }
        String java = Double.toHexString(v); // 0x1.8p1
        int p = java.indexOf('p');
        String mantissa = java.substring(0, p);
        int dot = mantissa.indexOf('.');
        String fraction = (mantissa.substring(dot + 1) + "0000000000000").substring(0, 13);
        String exponent = java.substring(p + 1);
        return mantissa.substring(0, dot + 1) + fraction + "p" + (exponent.startsWith("-") ? exponent : "+" + exponent);
    }
}
