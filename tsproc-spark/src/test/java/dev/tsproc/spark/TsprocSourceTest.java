package dev.tsproc.spark;

import dev.tsproc.Tsproc;
import dev.tsproc.data.Column;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QueryResult;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.CorruptStoreException;
import dev.tsproc.store.Store;
import dev.tsproc.store.StoreChangedException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Spark SQL over a store through {@code spark.read.format("tsproc")}, in {@code local[2]}. */
@ExtendWith(SharedSpark.class)
@Order(1)
class TsprocSourceTest {

    private static Dataset<Row> read(SparkSession spark, Path store) {
        return spark.read().format("tsproc").option("partitions", "3").load(store.toString());
    }

    @Test
    void aggregatesBySeriesAreTsprocsAnswer() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Dataset<Row> walk = read(fixture.local(), fixture.walk());
        assertThat(walk.schema().fieldNames()).containsExactly("ts", "value", "series");

        List<Aggregate> aggregates = Aggregate.parseList("count,missing,sum,min,max");
        QueryResult expected;
        try (Tsproc ts = Tsproc.open(fixture.walk())) {
            expected = (QueryResult) ts.run(JobRequest.query(new QuerySpec(aggregates, true, 0, Long.MIN_VALUE, Long.MAX_VALUE,
                    List.of(), false)), RunOptions.defaults().withWorkers(2)).result();
        }
        walk.createOrReplaceTempView("walk");
        Map<String, Row> bySeries = fixture.local().sql("SELECT series, count(value), count(*) - count(value), sum(value),"
                        + " min(value), max(value) FROM walk GROUP BY series").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r));

        assertThat(bySeries).hasSize(expected.rows().size()).hasSizeGreaterThan(1);
        for (QueryResult.Row row : expected.rows()) {
            Row spark = bySeries.get(row.series());
            assertThat(spark.getLong(1)).as(row.series()).isEqualTo((long) expected.get(row, Aggregate.COUNT));
            assertThat(spark.getLong(2)).as(row.series()).isEqualTo((long) expected.get(row, aggregates.get(1))).isPositive();
            // Spark adds doubles in task order, rounding each time; tsproc's sum is exact, rounded once.
            assertThat(spark.getDouble(3)).as(row.series()).isCloseTo(expected.get(row, Aggregate.SUM),
                    within(1e-9 * (1 + Math.abs(expected.get(row, Aggregate.SUM)))));
            assertThat(spark.getDouble(4)).as(row.series()).isEqualTo(expected.get(row, Aggregate.MIN));
            assertThat(spark.getDouble(5)).as(row.series()).isEqualTo(expected.get(row, Aggregate.MAX));
        }
    }

    @Test
    void aStoreWithoutSeriesHasNoSeriesColumnAndMissingValuesAreNull() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Dataset<Row> talk = read(fixture.local(), fixture.talk());

        assertThat(talk.schema().fieldNames()).containsExactly("ts", "value");
        assertThat(talk.where("value IS NULL").count()).isEqualTo(countValues(fixture.talk(), Double::isNaN))
                .isPositive();
    }

    @Test
    void comparisonsOnTsReadOnlyTheirRows() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Dataset<Row> walk = read(fixture.local(), fixture.walk());
        long[] ts = new long[3];
        try (Store store = Store.open(fixture.walk())) {
            MemorySegment column = store.column(Column.TS);
            for (int i = 0; i < 3; i++) {
                ts[i] = column.getAtIndex(Column.TS_LAYOUT, (i + 1) * store.rowCount() / 4);
            }
        }
        Map<String, LongPredicate> filters = Map.of(
                "ts >= " + ts[0] + " AND ts < " + ts[2], t -> t >= ts[0] && t < ts[2],
                "ts > " + ts[1] + " AND ts <= " + ts[2], t -> t > ts[1] && t <= ts[2],
                "ts = " + ts[1], t -> t == ts[1],
                "ts < " + ts[0] + " AND value > 0", t -> t < ts[0]);

        for (var filter : filters.entrySet()) {
            Dataset<Row> rows = walk.where(filter.getKey()).select("ts");
            StoreScan scan = scan(rows);
            // The scan's row range is exactly the rows of the time comparisons; Spark applies the rest.
            assertThat(scan.rowCount()).as(filter.getKey())
                    .isEqualTo(countRows(fixture.walk(), Column.TS, filter.getValue()))
                    .isPositive().isLessThan(SharedSpark.ROWS);
            assertThat(scan.readSchema().fieldNames()).as("only the columns read")
                    .containsExactly(filter.getKey().contains("value") ? new String[] {"ts", "value"} : new String[] {"ts"});
            assertThat(rows.collectAsList()).allMatch(r -> filter.getValue().test(r.getLong(0)));
            assertConsecutive(scan);
        }
        assertThat(scan(walk.where("ts > 9223372036854775807")).rowCount()).isZero();
        assertThat(walk.where("ts > 9223372036854775807").count()).isZero();
    }

    @Test
    void aDamagedStoreFailsInOneSentence(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path damaged = Files.copy(fixture.walk(), work.resolve("damaged.tsp"));
        long at;
        try (Store store = Store.open(damaged)) {
            at = store.columns().stream().filter(c -> c.column() == Column.VALUE).findFirst().orElseThrow().byteOffset() + 8 * 1000;
        }
        flipByte(damaged, at);
        Dataset<Row> rows = read(fixture.local(), damaged);

        assertThat(rows.select("ts").count()).as("the damage is not in a column read").isEqualTo(SharedSpark.ROWS);
        assertThatThrownBy(() -> rows.selectExpr("sum(value)").collect())
                .rootCause().isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("value column's checksum does not match in rows 0..").hasMessageEndingWith("the data is damaged")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        // Another file, not this one truncated: a task the failure cancelled may still be reading it.
        Path notAStore = Files.write(work.resolve("not-a-store.tsp"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> read(fixture.local(), notAStore).count())
                .isInstanceOf(UncheckedIOException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(notAStore.toString()).doesNotContain("\n"));
    }

    @Test
    void aDamagedVersion1StoreIsRefusedBeforeAnyTask(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path damaged = damagedVersion1Store(work);

        assertThatThrownBy(() -> read(fixture.local(), damaged).selectExpr("sum(value)").collect())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("checksum")
                .satisfies(e -> assertThat(e.getMessage()).contains(damaged.toString()).doesNotContain("\n"));
    }

    @Test
    void aStoreReplacedAfterPlanningIsRefusedByTheTasks(@TempDir Path work) throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path store = Files.copy(fixture.talk(), work.resolve("store.tsp"));
        Dataset<Row> sum = read(fixture.local(), store).selectExpr("sum(value)");
        sum.queryExecution().executedPlan(); // planned: the scan holds the store's size and header checksum

        Files.move(Files.copy(fixture.walk(), work.resolve("other.tsp")), store, StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(sum::collect).rootCause().isInstanceOf(StoreChangedException.class)
                .hasMessageContaining("was replaced or changed");
    }

    /** A version-1 store (no block checksums) in {@code work} with a byte of its value column flipped. */
    static Path damagedVersion1Store(Path work) throws IOException {
        Path damaged = work.resolve("v1.tsp");
        try (var golden = Store.class.getResourceAsStream("small-v1.golden")) {
            Files.copy(golden, damaged);
        }
        try (Store store = Store.open(damaged)) {
            assertThat(store.checksBlocksAsRead()).isFalse();
            flipByte(damaged, store.columns().stream().filter(c -> c.column() == Column.VALUE).findFirst().orElseThrow().byteOffset());
        }
        return damaged;
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, at);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x10)}), at);
        }
    }

    /** The scan's partitions (3, as the tests ask) are consecutive row ranges covering its rows. */
    private static void assertConsecutive(StoreScan scan) {
        long next = scan.firstRow();
        InputPartition[] partitions = scan.planInputPartitions();
        assertThat(partitions).hasSize((int) Math.min(3, scan.rowCount()));
        for (InputPartition partition : partitions) {
            RowRange range = (RowRange) partition;
            assertThat(range.firstRow()).isEqualTo(next);
            assertThat(range.rowCount()).isPositive();
            next += range.rowCount();
        }
        assertThat(next).isEqualTo(scan.firstRow() + scan.rowCount());
    }

    /** The store scan of {@code rows}' plan. */
    private static StoreScan scan(Dataset<Row> rows) {
        SparkPlan plan = rows.queryExecution().sparkPlan();
        return scala.jdk.javaapi.CollectionConverters.asJava(plan.collectLeaves()).stream()
                .filter(BatchScanExec.class::isInstance).map(p -> (StoreScan) ((BatchScanExec) p).scan())
                .findFirst().orElseThrow();
    }

    /** The rows of {@code store} whose value satisfies {@code test}, counted from the file. */
    private static long countValues(Path store, DoublePredicate test) throws IOException {
        return countRows(store, Column.VALUE, bits -> test.test(Double.longBitsToDouble(bits)));
    }

    /** The rows of {@code store} whose {@code column}'s 64 bits (ts, or value's bits) satisfy {@code test}, counted from the file. */
    private static long countRows(Path store, Column column, LongPredicate test) throws IOException {
        try (Store s = Store.open(store)) {
            MemorySegment segment = s.column(column);
            long n = 0;
            for (long row = 0; row < s.rowCount(); row++) {
                if (test.test(segment.getAtIndex(Column.TS_LAYOUT, row))) {
                    n++;
                }
            }
            return n;
        }
    }
}
