package dev.tsproc.job;

import dev.tsproc.data.Column;
import dev.tsproc.ingest.ExportTable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A query's answer as a table the Arrow and Parquet writers write, one row per group, columns
 * as {@code tsproc run} prints them: {@code series} (dictionary strings) when grouped by series,
 * {@code bucket} (the bucket's start, a UTC timestamp) when grouped by time, then each
 * aggregate under its {@linkplain QueryResult#label label} ({@code p99~} when sketched) —
 * counts as int64, every other aggregate as a double whose NaN (no value: the mean of no values)
 * is written as null, as JSON prints it.
 */
public final class ResultTable {
    private static final ValueLayout.OfLong INT64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ResultTable() {}

    /** {@code result}'s rows as columns in memory of their own, freed when no longer reachable. */
    public static ExportTable of(QueryResult result) {
        List<QueryResult.Row> rows = result.rows();
        int n = rows.size();
        Arena arena = Arena.ofAuto();
        List<ExportTable.Field> fields = new ArrayList<>();
        if (result.bySeries()) {
            MemorySegment ids = arena.allocate(Column.SERIES.byteSize(n), 8);
            List<String> names = new ArrayList<>();
            Map<String, Integer> idOf = new HashMap<>();
            for (int r = 0; r < n; r++) {
                String name = rows.get(r).series();
                int id = idOf.computeIfAbsent(name, k -> {
                    names.add(k);
                    return names.size() - 1;
                });
                ids.setAtIndex(Column.SERIES_LAYOUT, r, id);
            }
            fields.add(new ExportTable.Field("series", ExportTable.Type.DICTIONARY_STRING, ids, names));
        }
        if (result.byTime()) {
            MemorySegment starts = arena.allocate(Column.TS.byteSize(n), 8);
            for (int r = 0; r < n; r++) {
                starts.setAtIndex(Column.TS_LAYOUT, r, rows.get(r).bucketStartNanos());
            }
            fields.add(new ExportTable.Field("bucket", ExportTable.Type.TIMESTAMP, starts));
        }
        for (int k = 0; k < result.aggregates().size(); k++) {
            Aggregate a = result.aggregates().get(k);
            MemorySegment values = arena.allocate(8L * n, 8);
            for (int r = 0; r < n; r++) {
                double v = rows.get(r).values().get(k);
                if (a.isCount()) {
                    values.setAtIndex(INT64, r, (long) v);
                } else {
                    values.setAtIndex(Column.VALUE_LAYOUT, r, v);
                }
            }
            fields.add(new ExportTable.Field(result.label(a), a.isCount() ? ExportTable.Type.INT64 : ExportTable.Type.DOUBLE, values));
        }
        return new ExportTable(n, fields);
    }
}
