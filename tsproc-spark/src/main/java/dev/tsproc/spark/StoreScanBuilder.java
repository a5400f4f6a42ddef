package dev.tsproc.spark;

import dev.tsproc.plan.Plan;
import dev.tsproc.plan.Planner;
import dev.tsproc.store.Store;
import dev.tsproc.store.VerifiedMarks;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.SupportsPushDownFilters;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the columns a query reads and its comparisons of {@code ts} with a constant, and turns
 * the comparisons into the time range {@code [fromNanos, toNanos)}, which {@link #build()} turns
 * into a row range by binary search ({@link Planner#between}). Spark checks every filter again
 * on the rows read: the row range is exactly the rows the comparisons keep, but a filter handed
 * back costs little and needs no proof that each kind of literal was understood. A version-1
 * store, which has no block checksums to check as it is read, is verified whole here first,
 * once per change of the file ({@link VerifiedMarks}), as {@code tsproc run} does.
 */
final class StoreScanBuilder implements SupportsPushDownRequiredColumns, SupportsPushDownFilters {
    private final Path path;
    private final int partitions;
    private StructType columns;
    private Filter[] pushed = new Filter[0];
    private long fromNanos = Long.MIN_VALUE;
    /** Exclusive; {@link Long#MAX_VALUE} means no upper bound, as in {@link Planner#between}. */
    private long toNanos = Long.MAX_VALUE;
    /** A comparison no timestamp satisfies ({@code ts > Long.MAX_VALUE}): no row is read. */
    private boolean none;

    StoreScanBuilder(Path path, StructType schema, int partitions) {
        this.path = path;
        this.columns = schema;
        this.partitions = partitions;
    }

    @Override
    public void pruneColumns(StructType required) {
        columns = required;
    }

    @Override
    public Filter[] pushFilters(Filter[] filters) {
        List<Filter> used = new ArrayList<>();
        for (Filter filter : filters) {
            if (narrow(filter)) {
                used.add(filter);
            }
        }
        pushed = used.toArray(Filter[]::new);
        return filters;
    }

    /** Narrows the time range by {@code filter} if it compares {@code ts} with a whole number; says whether it did. */
    private boolean narrow(Filter filter) {
        switch (filter) {
            case GreaterThan f when f.attribute().equals("ts") && f.value() instanceof Long v -> {
                if (v == Long.MAX_VALUE) {
                    none = true;
                } else {
                    fromNanos = Math.max(fromNanos, v + 1);
                }
            }
            case GreaterThanOrEqual f when f.attribute().equals("ts") && f.value() instanceof Long v ->
                    fromNanos = Math.max(fromNanos, v);
            case LessThan f when f.attribute().equals("ts") && f.value() instanceof Long v -> below(v);
            case LessThanOrEqual f when f.attribute().equals("ts") && f.value() instanceof Long v -> {
                if (v != Long.MAX_VALUE) {
                    below(v + 1);
                }
            }
            case EqualTo f when f.attribute().equals("ts") && f.value() instanceof Long v -> {
                fromNanos = Math.max(fromNanos, v);
                if (v != Long.MAX_VALUE) {
                    below(v + 1);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Keeps only times below {@code end}. */
    private void below(long end) {
        if (end == Long.MIN_VALUE) {
            none = true;
        } else {
            toNanos = Math.min(toNanos, end);
        }
    }

    @Override
    public Filter[] pushedFilters() {
        return pushed.clone();
    }

    @Override
    public Scan build() {
        try (Store store = Store.open(path)) {
            if (!store.checksBlocksAsRead()) {
                VerifiedMarks.ofUser().verifyOnce(store); // a version-1 store: a damaged store must never answer
            }
            Plan rows = Planner.between(store, fromNanos, toNanos, 1);
            return new StoreScan(path, store.identity().fileSize(), store.identity().headerCrc(), columns,
                    rows.firstRow(), none ? 0 : rows.rowCount(), partitions);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
