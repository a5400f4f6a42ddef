package dev.tsproc.spark;

import org.apache.spark.sql.connector.read.InputPartition;

import java.util.List;

/**
 * What one Spark task reads: rows {@code [firstRow, firstRow + rowCount)} of the columns
 * {@code columns} of the store at {@code path}, which must still be the file the driver
 * planned (its size and header checksum).
 */
record RowRange(String path, long fileSize, int headerCrc, List<String> columns, long firstRow, long rowCount)
        implements InputPartition {
    private static final long serialVersionUID = 1L;
}
