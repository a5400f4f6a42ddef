package dev.tsproc.spark;

import dev.tsproc.store.Store;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code tsproc} format of {@code spark.read}: a store as a table of {@code ts},
 * {@code value} and (if the store has a series column) {@code series}.
 *
 * <p>{@code ts} is a LONG of epoch nanoseconds, as stored, rather than a TIMESTAMP: Spark's
 * timestamps are microseconds, and truncating would merge distinct times and make a filter on
 * {@code ts} answer for other rows than the store's. {@code timestamp_micros(ts div 1000)} gives
 * Spark's type where a query wants it.
 */
public final class TsprocSource implements TableProvider, DataSourceRegister {
    /** The option naming how many Spark partitions a scan is cut into (default: Spark's default parallelism). */
    static final String PARTITIONS = "partitions";

    @Override
    public String shortName() {
        return "tsproc";
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        try (Store store = Store.open(path(options))) {
            return schema(store.hasSeries());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        return new StoreTable(path(new CaseInsensitiveStringMap(properties)), schema);
    }

    static StructType schema(boolean hasSeries) {
        StructType schema = new StructType()
                .add("ts", DataTypes.LongType, false)
                .add("value", DataTypes.DoubleType, true);
        return hasSeries ? schema.add("series", DataTypes.StringType, false) : schema;
    }

    private static Path path(CaseInsensitiveStringMap options) {
        String path = options.get("path");
        if (path == null) {
            throw new IllegalArgumentException("the tsproc format needs a store's path: spark.read.format(\"tsproc\").load(path)");
        }
        return Path.of(path).toAbsolutePath();
    }
}
