package dev.tsproc.spark;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.parquet.ParquetColumns;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.store.StoreLayout;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.unix_date;

/**
 * Parquet files read by Spark's own (vectorised) reader as the rows of a tsproc run: the
 * import's columns ({@link ParquetColumns}, the same options and rules as
 * {@code tsproc import}), one series dictionary fixed on the driver, and every row in time order.
 *
 * <p><b>Time order.</b> tsproc's batches are in time order, and a query by time bucket, the
 * {@code first} and {@code last} aggregates and jobs of one's own rely on it. Parquet files need
 * not be: several files may interleave in time, and a file's rows may be out of order. So the
 * rows are put in the order {@code tsproc import} gives them — by time, rows of equal time in the
 * order of the files (path order) and of their rows — with Spark's range partitioning on that
 * key and a sort within each partition: partition {@code p} holds times before partition
 * {@code p + 1}'s. This costs a shuffle of the rows, but gives every job the order it gets on one
 * machine; refusing files out of order would refuse the usual dataset of files written by
 * several writers.
 *
 * <p><b>Series.</b> The driver lists the distinct series names (one aggregate over the files,
 * which also counts the rows) and sorts them by their UTF-8 bytes, as an import does, so a
 * series' id depends neither on the files' order nor on Spark's partitioning; executors get the
 * names as a broadcast variable.
 */
final class ParquetDataset {
    /** The columns of the rows executors read ({@link MapRows}), in this order. */
    static final List<String> COLUMNS = List.of("ts", "value", "series", "file", "row");

    private static final long NANOS_PER_DAY = 86_400_000_000_000L;
    private static final long NANOS_PER_MICRO = 1_000L;
    /** Reads Parquet's {@code TIMESTAMP(NANOS)} (as pyarrow writes by default) as integers; Spark refuses it otherwise. */
    static final String NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong";

    final List<Path> files;
    final ParquetColumns columns;
    /** The rows with the columns {@link #COLUMNS}, the timestamp in units of {@link #nanosPerUnit}. */
    final Dataset<Row> rows;
    final long nanosPerUnit;
    final SeriesDictionary dictionary;
    final long rowCount;

    private ParquetDataset(List<Path> files, ParquetColumns columns, Dataset<Row> rows, long nanosPerUnit,
                           SeriesDictionary dictionary, long rowCount) {
        this.files = files;
        this.columns = columns;
        this.rows = rows;
        this.nanosPerUnit = nanosPerUnit;
        this.dictionary = dictionary;
        this.rowCount = rowCount;
    }

    /**
     * Reads the columns of {@code files} (see {@link dev.tsproc.ingest.parquet.ParquetSources#resolve})
     * with Spark, lists their series and counts their rows: one Spark job. The session must read
     * {@link #NANOS_AS_LONG}.
     *
     * @throws BadInputException naming the file, if one lacks a column or has one tsproc cannot read
     */
    static ParquetDataset read(SparkSession spark, List<Path> files, ParquetOptions options) throws java.io.IOException {
        ParquetColumns columns = ParquetColumns.of(files, options);
        Dataset<Row> raw = spark.read().parquet(files.stream().map(f -> f.toAbsolutePath().toString()).toArray(String[]::new));
        Column ts = col(quoted(columns.ts()));
        DataType tsType = raw.schema().apply(columns.ts()).dataType();
        long nanosPerUnit;
        if (tsType.equals(DataTypes.TimestampType) || tsType.equals(DataTypes.TimestampNTZType)) {
            nanosPerUnit = NANOS_PER_MICRO; // Spark's timestamps are microseconds, whatever the file's unit
        } else if (tsType.equals(DataTypes.DateType)) {
            ts = unix_date(ts).cast(DataTypes.LongType);
            nanosPerUnit = NANOS_PER_DAY;
        } else if (tsType instanceof IntegralType) {
            ts = ts.cast(DataTypes.LongType);
            nanosPerUnit = columns.nanosPerUnit();
        } else {
            throw new BadInputException(files.getFirst(), "Spark reads column '" + columns.ts() + "' as " + tsType.sql()
                    + ", which is not a timestamp tsproc reads exactly; import the files with tsproc import first");
        }
        Column series = columns.series() == null ? lit("") : coalesce(col(quoted(columns.series())).cast(DataTypes.StringType), lit(""));
        Dataset<Row> selected = raw.select(ts.as("ts"), col(quoted(columns.value())).cast(DataTypes.DoubleType).as("value"),
                series.as("series"), col("_metadata.file_path").as("path"), col("_metadata.row_index").as("row"));

        List<Row> counts = selected.groupBy("path", "series").count().collectAsList();
        Map<String, Integer> fileIndex = new HashMap<>();
        TreeSet<byte[]> names = new TreeSet<>(Arrays::compareUnsigned);
        long rowCount = 0;
        for (Row count : counts) {
            String path = count.getString(0);
            fileIndex.computeIfAbsent(path, p -> indexOf(files, p));
            byte[] name = count.getString(1).getBytes(StandardCharsets.UTF_8);
            if (columns.series() != null && names.add(name)) {
                check(files.get(fileIndex.get(path)), count.getString(1), name);
            }
            rowCount += count.getLong(2);
        }
        List<String> sorted = new ArrayList<>(names.size());
        names.forEach(name -> sorted.add(new String(name, StandardCharsets.UTF_8)));
        List<Column> entries = new ArrayList<>();
        fileIndex.forEach((path, index) -> {
            entries.add(lit(path));
            entries.add(lit(index));
        });
        Column file = fileIndex.isEmpty() ? lit(0) : element_at(map(entries.toArray(Column[]::new)), col("path"));
        Dataset<Row> rows = selected.select(col("ts"), col("value"), col("series"), file.as("file"), col("row"));
        SeriesDictionary dictionary = columns.series() == null ? SeriesDictionary.empty() : SeriesDictionary.of(sorted);
        return new ParquetDataset(files, columns, rows, nanosPerUnit, dictionary, rowCount);
    }

    /** The rows in time order (ties in file and row order), range-partitioned into about {@code partitions} partitions. */
    Dataset<Row> inTimeOrder(int partitions) {
        Column[] key = {col("ts"), col("file"), col("row")};
        return rows.repartitionByRange(partitions, key).sortWithinPartitions(key);
    }

    /** The index in {@code files} of the file Spark names {@code path} (a URI). */
    private static int indexOf(List<Path> files, String path) {
        Path file = Path.of(URI.create(path)).toAbsolutePath().normalize();
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).toAbsolutePath().normalize().equals(file)) {
                return i;
            }
        }
        throw new IllegalStateException("Spark read " + path + ", which is none of the files given");
    }

    /** Refuses a series name a store cannot hold, as an import does. */
    private static void check(Path file, String name, byte[] utf8) throws BadInputException {
        if (utf8.length > StoreLayout.MAX_NAME_BYTES) {
            throw new BadInputException(file, "the series name is longer than " + StoreLayout.MAX_NAME_BYTES + " bytes");
        }
        if (name.indexOf('\0') >= 0) {
            throw new BadInputException(file, "the series name contains a NUL byte");
        }
    }

    /** {@code name} as a column reference Spark takes literally, dots and all. */
    private static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
