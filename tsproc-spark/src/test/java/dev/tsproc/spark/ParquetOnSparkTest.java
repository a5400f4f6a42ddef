package dev.tsproc.spark;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.ProcessExecutor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.job.QueryResult;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.spark.RunCommandOnSparkTest.Cli;
import dev.tsproc.testkit.JobJars;
import dev.tsproc.testkit.Python;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parquet files written by pyarrow, read by Spark itself, in {@code local[2]}: the answers of
 * {@code tsproc run FILES --executor threads} bit for bit.
 */
@ExtendWith(SharedSpark.class)
@Order(1)
class ParquetOnSparkTest {
    /**
     * Writes {@code ns/}: three files whose times interleave, with equal times across files,
     * one file's rows out of time order, nulls in the value and the series, the series
     * dictionary-encoded, timestamps in nanoseconds; and {@code us/}: two files of
     * microsecond UTC timestamps, float32 values and integer series; {@code sorted/}: three files
     * in time order across files and row groups, each starting at the time the one before ends;
     * {@code liar/}: a file whose row groups' statistics are in time order but whose rows inside
     * them are not.
     */
    private static final String WRITE = """
            import pyarrow as pa, pyarrow.parquet as pq, random, os
            random.seed(11)
            start = 1_700_000_000_000_000_000
            os.makedirs('ns', exist_ok=True); os.makedirs('us', exist_ok=True)
            for f in range(3):
                n = 4000 + 1000 * f
                ts = sorted(start + random.randrange(0, 600) * 1_000_000_000 + f for _ in range(n))
                ts = [t - f for t in ts] if f == 1 else ts   # file 1 repeats file 0's times exactly
                if f == 2:
                    random.shuffle(ts)                        # and file 2 is out of time order
                values = [None if random.random() < 0.05 else random.gauss(0, 1e6) for _ in range(n)]
                series = [None if random.random() < 0.02 else random.choice(['pump', 'boiler, north', 'é', 'a']) for _ in range(n)]
                t = pa.table({'ts': pa.array(ts, pa.timestamp('ns')), 'value': pa.array(values, pa.float64()),
                              'series': pa.array(series, pa.string()).dictionary_encode()})
                pq.write_table(t, f'ns/part-{f}.parquet', row_group_size=1500)
            for f in range(2):
                n = 3000
                ts = sorted(start // 1000 + random.randrange(0, 10**9) for _ in range(n))
                t = pa.table({'time': pa.array(ts, pa.timestamp('us', tz='UTC')),
                              'reading': pa.array([None if random.random() < 0.05 else random.uniform(-5, 5) for _ in range(n)], pa.float32()),
                              'sensor': pa.array([random.randrange(-3, 40) for _ in range(n)], pa.int64())})
                pq.write_table(t, f'us/{f}.parquet')
            os.makedirs('sorted', exist_ok=True); os.makedirs('liar', exist_ok=True)
            first = start
            for f in range(3):                        # in time order across files, each file starting at the last one's last time
                ts = [first] + sorted(first + random.randrange(0, 300) * 1_000_000_000 for _ in range(1999))
                first = ts[-1]
                t = pa.table({'ts': pa.array(ts, pa.timestamp('ns')),
                              'value': [None if random.random() < 0.05 else random.gauss(0, 1e6) for _ in ts],
                              'series': [random.choice(['pump', 'boiler', 'é']) for _ in ts]})
                pq.write_table(t, f'sorted/day-{f}.parquet', row_group_size=700)
            ts = sorted(start + random.randrange(0, 10**12) for _ in range(2000))
            ts = [t for g in range(0, 2000, 500) for t in reversed(ts[g:g + 500])]  # row groups in order, their rows not
            pq.write_table(pa.table({'ts': pa.array(ts, pa.timestamp('ns')), 'value': [random.gauss(0, 1) for _ in ts],
                                     'series': [random.choice(['pump', 'boiler']) for _ in ts]}),
                           'liar/day.parquet', row_group_size=500)
            os.makedirs('null-ts', exist_ok=True)
            pq.write_table(pa.table({'ts': pa.array([start, None, start + 2], pa.timestamp('ns')), 'value': [1.0, 2.0, 3.0]}),
                           'null-ts/gap.parquet')
            """;

    private static Path dir;

    @BeforeAll
    static void write() throws Exception {
        dir = write(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "parquet-on-spark-"));
    }

    /** Writes the test's files into {@code dir} (skips the test where pyarrow cannot be had); returns {@code dir}. */
    static Path write(Path dir) throws IOException, InterruptedException {
        Python.run(dir, WRITE);
        return dir;
    }

    @AfterAll
    static void remove() throws IOException {
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** What {@code tsproc run FILES --executor threads} answers: the files loaded, the tests' batches. */
    static Object onThreads(String files, ParquetOptions columns, JobRequest request) throws Exception {
        try (Tsproc ts = Tsproc.load(Path.of(files), columns, ProcessExecutor.Config.defaults())) {
            return ts.run(request, RunOptions.defaults().withWorkers(2).withBatchRows(SharedSpark.BATCH_ROWS / 7)).result();
        }
    }

    private static SparkRunOptions options(int partitions) {
        return SparkRunOptions.defaults().withBatchRows(SharedSpark.BATCH_ROWS / 4).withPartitions(partitions);
    }

    @Test
    void interleavedFilesWithNullsGiveTheThreadsAnswersBitForBit() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        String files = dir.resolve("ns").toString();
        ParquetOptions columns = ParquetOptions.defaults();
        JobRequest query = TsprocSparkLocalTest.groupedQuery();
        Object expected = onThreads(files, columns, query);
        assertThat(((QueryResult) expected).rows()).hasSizeGreaterThan(20);

        for (int partitions : new int[] {1, 5}) {
            assertThat(TsprocSpark.run(fixture.local(), files, columns, query, options(partitions)).result())
                    .as("%d partitions", partitions).isEqualTo(expected);
        }
        JobRequest stats = JobRequest.builtin("stats");
        RunResult<?> run = TsprocSpark.run(fixture.local(), files + "/*.parquet", columns, stats, options(3));
        assertThat(run.result()).isEqualTo(onThreads(files, columns, stats));
        // The timeline numbers the batches cut on the executors in combine order, their rows consecutive.
        List<BatchTimes> batches = run.timeline().batches();
        assertThat(batches).hasSize((int) run.batches());
        for (int i = 0; i < batches.size(); i++) {
            assertThat(batches.get(i).batch().index()).isEqualTo(i);
            assertThat(batches.get(i).batch().rowOffset())
                    .isEqualTo(i == 0 ? 0 : batches.get(i - 1).batch().rowOffset() + batches.get(i - 1).batch().rowCount());
        }
        assertThat(batches.getLast().batch().rowEnd()).isEqualTo(run.rows());
    }

    @Test
    void filesInTimeOrderAreReadWithoutAShuffleOthersSortedAndRowsOutOfOrderInsideARowGroupSortedAfterAll() throws Exception {
        JobRequest query = TsprocSparkLocalTest.groupedQuery();
        ParquetOptions columns = ParquetOptions.defaults();
        for (String files : new String[] {"sorted", "ns", "liar"}) {
            String path = dir.resolve(files).toString();
            LongAdder shuffled = new LongAdder();
            SparkListener listener = new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskMetrics() != null) {
                        shuffled.add(end.taskMetrics().shuffleWriteMetrics().recordsWritten());
                    }
                }
            };
            SparkContext sc = SharedSpark.get().local().sparkContext();
            sc.addSparkListener(listener);
            PrintStream err = System.err;
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            RunResult<?> run;
            try {
                run = TsprocSpark.run(SharedSpark.get().local(), path, columns, query, options(0));
                sc.listenerBus().waitUntilEmpty();
            } finally {
                System.setErr(err);
                sc.removeSparkListener(listener);
            }
            assertThat(said.toString(StandardCharsets.UTF_8).contains("reading the files again sorted by time"))
                    .as(files).isEqualTo(files.equals("liar"));
            assertThat(run.result()).as(files).isEqualTo(onThreads(path, columns, query));
            // Listing the series shuffles a count per file and series; sorting the rows shuffles every row.
            if (files.equals("sorted")) {
                assertThat(shuffled.sum()).as(files).isLessThan(run.rows() / 10);
            } else {
                assertThat(shuffled.sum()).as(files).isGreaterThanOrEqualTo(run.rows());
            }
        }
    }

    @Test
    void microsecondTimestampsFloatValuesAndIntegerSeriesByTheImportsColumnOptions() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        String files = dir.resolve("us").toString();
        ParquetOptions columns = new ParquetOptions("time", "reading", "sensor", false,
                dev.tsproc.ingest.csv.TimestampFormat.AUTO, 2);
        JobRequest query = TsprocSparkLocalTest.groupedQuery();

        assertThat(TsprocSpark.run(fixture.local(), files, columns, query, options(0)).result())
                .isEqualTo(onThreads(files, columns, query));
    }

    @Test
    void aCustomJobFromItsJarGivesTheThreadsAnswer() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        Path jar = JobJars.compile(dir, "example.AboveJob", JobJars.ABOVE_JOB, dir.resolve("above.jar"));
        JobRequest above = JobRequest.custom("example.AboveJob", Map.of("threshold", "0.25"), List.of(jar));
        String files = dir.resolve("ns").toString();

        assertThat(TsprocSpark.run(fixture.local(), files, ParquetOptions.defaults(), above, options(2)).result())
                .isEqualTo(onThreads(files, ParquetOptions.defaults(), above)).isNotEqualTo(0L);
    }

    @Test
    void aMissingColumnOrACorruptFileIsRefusedInOneSentenceNamingTheFile() throws Exception {
        SharedSpark fixture = SharedSpark.get();
        String files = dir.resolve("us").toString();
        assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), files, ParquetOptions.defaults(), JobRequest.builtin("sum"),
                options(0)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("0.parquet: it has no column named value; name the column with --value-col");

        Path corrupt = Files.writeString(dir.resolve("corrupt.parquet"), "PAR1 not really");
        assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), corrupt.toString(), ParquetOptions.defaults(),
                JobRequest.builtin("sum"), options(0)))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(corrupt + ": it is not a Parquet file");
    }

    @Test
    void aNullTimestampFailsTheJobNamingTheFileAndTheRow() {
        SharedSpark fixture = SharedSpark.get();
        Path file = dir.resolve("null-ts/gap.parquet");

        assertThatThrownBy(() -> TsprocSpark.run(fixture.local(), file.toString(), ParquetOptions.defaults(),
                JobRequest.builtin("sum"), options(0)))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": row 1: the timestamp is null");
    }

    @Test
    void theCommandLineRunsParquetOnSparkWithTheImportsColumnOptions() throws Exception {
        SharedSpark.get().local(); // the session the CLI's run uses, as it would under spark-submit
        String files = dir.resolve("us").toString();
        String[] query = {"--ts-col", "time", "--value-col", "reading", "--series-col", "sensor", "--agg", "count,sum,first,p99",
                "--by", "series", "--every", "1m", "--format", "csv"};

        Cli spark = Cli.run(concat(new String[] {"run", files, "--executor", "spark", "--master", "local[2]"}, query));
        Cli threads = Cli.run(concat(new String[] {"run", files}, query));

        assertThat(spark.exitCode()).as(spark.err()).isZero();
        assertThat(spark.out()).isEqualTo(threads.out()).startsWith("series,bucket,count,sum,first,p99\n");
        assertThat(spark.err()).containsPattern("query over 6,000 rows in \\d+\\.\\d{3} s: \\d+ groups, \\d+ batches on 1 Spark executor");

        Cli missing = Cli.run("run", files, "--executor", "spark", "--agg", "sum", "--quiet");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip()).contains("0.parquet: it has no column named value; name the column with --value-col"
                + " (columns: time, reading, sensor)").doesNotContain("\n");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
