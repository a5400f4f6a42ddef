package dev.tsproc.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Rows {@code [firstRow, firstRow + rowCount)} of a store, the columns {@code columns}, in
 * Spark partitions of consecutive rows.
 *
 * @param partitions how many partitions, or 0 for Spark's default parallelism
 */
record StoreScan(Path path, long fileSize, int headerCrc, StructType columns, long firstRow, long rowCount, int partitions)
        implements Scan, Batch {

    @Override
    public StructType readSchema() {
        return columns;
    }

    @Override
    public String description() {
        return "tsproc " + path + " rows [" + firstRow + ", " + (firstRow + rowCount) + ") " + Arrays.toString(columns.fieldNames());
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        long n = partitions > 0 ? partitions : SparkSession.active().sparkContext().defaultParallelism();
        n = Math.min(n, rowCount);
        List<String> names = List.of(columns.fieldNames());
        InputPartition[] ranges = new InputPartition[(int) n];
        for (int i = 0; i < n; i++) {
            long from = firstRow + rowCount * i / n;
            long to = firstRow + rowCount * (i + 1) / n;
            ranges[i] = new RowRange(path.toString(), fileSize, headerCrc, names, from, to - from);
        }
        return ranges;
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new StoreReader.Factory();
    }
}
