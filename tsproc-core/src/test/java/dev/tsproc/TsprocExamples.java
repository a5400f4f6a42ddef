package dev.tsproc;

import dev.tsproc.data.BatchView;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.job.QueryResult;
import dev.tsproc.plan.JobRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples of the Javadoc and docs/EXAMPLES.md, compiled and run. */
class TsprocExamples {
    @TempDir
    Path dir;

    /** Hours in nanoseconds. */
    static final long HOUR = Duration.ofHours(1).toNanos();

    // @start region=custom-job
    /**
     * Per hour (epoch hour index), how many values exceed a threshold; missing values never do.
     * A public class with a constructor taking its parameters as text and a {@link PartialCodec},
     * so worker processes can create it from a {@link JobRequest} and it runs there as well as on
     * threads.
     */
    public static final class AboveThresholdPerHour
            implements Job<TreeMap<Long, Long>, TreeMap<Long, Long>>, PartialCodec<TreeMap<Long, Long>> {
        private final double threshold;

        public AboveThresholdPerHour(double threshold) {
            this.threshold = threshold;
        }

        /** How worker processes create the job: from the parameters of its {@link JobRequest}. */
        public AboveThresholdPerHour(Map<String, String> parameters) {
            this(Double.parseDouble(parameters.getOrDefault("threshold", "0.5")));
        }

        @Override public String name() { return "above-" + threshold + "-per-hour"; }

        @Override public TreeMap<Long, Long> empty() { return new TreeMap<>(); }

        @Override
        public TreeMap<Long, Long> map(BatchView batch) {
            // Rows are in time order: count the current hour in a local, flush when it changes.
            TreeMap<Long, Long> counts = new TreeMap<>();
            long hour = Long.MIN_VALUE;
            long n = 0;
            for (long i = 0; i < batch.rowCount(); i++) {
                long h = Math.floorDiv(batch.ts(i), HOUR);
                if (h != hour) {
                    if (n > 0) {
                        counts.merge(hour, n, Long::sum);
                    }
                    hour = h;
                    n = 0;
                }
                n += batch.value(i) > threshold ? 1 : 0; // NaN > x is false
            }
            if (n > 0) {
                counts.merge(hour, n, Long::sum);
            }
            return counts;
        }

        @Override
        public TreeMap<Long, Long> combine(TreeMap<Long, Long> earlier, TreeMap<Long, Long> later) {
            later.forEach((h, n) -> earlier.merge(h, n, Long::sum));
            return earlier;
        }

        @Override public TreeMap<Long, Long> finish(TreeMap<Long, Long> counts) { return counts; }

        @Override
        public void writePartial(TreeMap<Long, Long> counts, DataOutput out) throws IOException {
            out.writeInt(counts.size());
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                out.writeLong(e.getKey());
                out.writeLong(e.getValue());
            }
        }

        @Override
        public TreeMap<Long, Long> readPartial(DataInput in) throws IOException {
            int size = in.readInt();
            if (size < 0) {
                throw new IOException("hours=" + size + " is negative");
            }
            TreeMap<Long, Long> counts = new TreeMap<>();
            for (int i = 0; i < size; i++) {
                long hour = in.readLong();
                long n = in.readLong();
                if (n <= 0) {
                    throw new IOException("count=" + n + " of hour " + hour + " is not positive");
                }
                counts.put(hour, n);
            }
            return counts;
        }
    }
    // @end

    @Test
    void queryExample() throws Exception {
        Path path = dir.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(3_000_000, 4, 0.1, Distribution.WALK, 7), path, 2);
        // @start region=query
        try (Tsproc ts = Tsproc.open(path)) {
            QueryResult result = ts.query()
                    .agg(Aggregate.COUNT, Aggregate.MEAN, Aggregate.P99)
                    .bySeries()
                    .every(Duration.ofMinutes(10))
                    .from(Instant.parse("2023-11-14T22:20:00Z"))
                    .to(Instant.parse("2023-11-14T23:00:00Z"))
                    .workers(4)
                    .run();
            for (QueryResult.Row row : result.rows()) {
                System.out.printf("%s %s count=%d mean=%.3f p99=%.3f%n", row.series(), row.bucketStart(),
                        result.value(row, Aggregate.COUNT), result.get(row, Aggregate.MEAN), result.get(row, Aggregate.P99));
            }
        }
        // @end
        try (Tsproc ts = Tsproc.open(path)) {
            QueryResult r = ts.query().agg("count").bySeries().every(Duration.ofMinutes(10))
                    .from(Instant.parse("2023-11-14T22:20:00Z")).to(Instant.parse("2023-11-14T23:00:00Z")).run();
            assertThat(r.rows()).hasSize(4 * 4);
            assertThat(r.rows().getFirst().series()).isEqualTo(ts.store().dictionary().name(0));
        }
    }

    @Test
    void customJobRunsOnThreadsWithTheSameAnswerForAnyWorkerCount() throws Exception {
        Path path = dir.resolve("talk.tsp");
        Generator.generate(GeneratorSpec.talk(2_000_000), path, 2);
        try (Tsproc ts = Tsproc.open(path)) {
            // @start region=custom-job-run
            TreeMap<Long, Long> perHour = ts.run(new AboveThresholdPerHour(0.5), RunOptions.defaults().withWorkers(4)).result();
            // @end
            TreeMap<Long, Long> oneWorker = ts.run(new AboveThresholdPerHour(0.5),
                    RunOptions.defaults().withWorkers(1).withBatchRows(12_345)).result();
            assertThat(perHour).isEqualTo(oneWorker).hasSize(1);
            long ones = ts.query().agg(Aggregate.SUM).run().rows().getFirst().values().getFirst().longValue();
            assertThat(perHour.firstEntry().getValue()).isEqualTo(ones);
        }
    }

    @Test
    void customJobRunsOnWorkerProcessesWithTheAnswerOfThreads() throws Exception {
        Path path = dir.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(2_000_000, 4, 0.1, Distribution.WALK, 3), path, 2);
        try (Tsproc ts = Tsproc.open(path)) {
            // @start region=custom-job-processes
            JobRequest request = JobRequest.custom(AboveThresholdPerHour.class.getName(), Map.of("threshold", "0.5"), List.of());
            RunResult<?> run = ts.run(request, RunOptions.defaults().withWorkers(2).withExecutor(Executor.Kind.PROCESSES));
            @SuppressWarnings("unchecked") TreeMap<Long, Long> perHour = (TreeMap<Long, Long>) run.result();
            // @end
            TreeMap<Long, Long> onThreads = ts.run(new AboveThresholdPerHour(0.5), RunOptions.defaults().withWorkers(2)).result();
            assertThat(perHour).isEqualTo(onThreads).isNotEmpty();
        }
    }
}
