package dev.tsproc.spark;

import org.apache.spark.sql.connector.catalog.Column;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/** A store, readable in batch by Spark SQL; {@code rowType} is {@link TsprocSource#schema}'s. */
record StoreTable(Path path, StructType rowType) implements SupportsRead {
    @Override
    public String name() {
        return "tsproc:" + path;
    }

    @Override
    public Column[] columns() {
        return Arrays.stream(rowType.fields()).map(f -> Column.create(f.name(), f.dataType(), f.nullable())).toArray(Column[]::new);
    }

    @Override
    public Set<TableCapability> capabilities() {
        return Set.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        return new StoreScanBuilder(path, rowType, options.getInt(TsprocSource.PARTITIONS, 0));
    }
}
