package dev.tsproc.job;

import dev.tsproc.data.Batch;
import dev.tsproc.Tsproc;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A query crosses a process boundary twice: as a {@link JobRequest} a worker rebuilds the job from
 * (its encoding is tested in {@code JobRequestTest}), and as partials the coordinator decodes. Both must give the coordinator exactly what it would
 * have computed itself, and forged bytes must be refused.
 */
class QueryCodecTest {
    @TempDir
    Path dir;

    static byte[] encode(QueryJob job, QueryPartial p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            job.writePartial(p, new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static QueryPartial decode(QueryJob job, byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        QueryPartial p = job.readPartial(in);
        assertThat(in.available()).as("bytes left after the partial").isZero();
        return p;
    }

    /**
     * What a worker process does, in one JVM: rebuild the job from its spec, map, encode; the
     * coordinator decodes. Must give the same bits as running the job directly.
     */
    @Property(tries = 120)
    void partialsRebuiltFromTheSpecAndDecodedGiveTheSameBits(@ForAll long seed, @ForAll @IntRange(max = 3000) int n,
                                                             @ForAll @IntRange(min = 1, max = 700) int batchRows)
            throws Exception {
        QueryJobTest.Data data = QueryJobTest.randomData(seed, n);
        QuerySpec spec = QueryJobTest.randomSpec(seed, data, seed % 3 == 0);
        // jqwik properties get no @TempDir: a file of their own in the temporary directory
        Path file = data.write(Path.of(System.getProperty("java.io.tmpdir"), "tsproc-codec-" + System.nanoTime() + ".tsp"));
        try (Store store = Store.open(file)) {
            QueryJob job = QueryJob.on(store, spec);
            JobRequest shipped = JobRequest.decode(ByteBuffer.wrap(JobRequest.query(spec).encode()));
            QueryJob rebuilt;
            try (JobRequest.Resolved loaded = shipped.resolve(store)) {
                rebuilt = (QueryJob) loaded.job();
            }
            assertThat(rebuilt.spec()).isEqualTo(spec);
            Job<QueryPartial, QueryResult> viaBytes = Job.of("via-bytes", job::empty,
                    batch -> {
                        try {
                            return decode(job, encode(rebuilt, rebuilt.map(batch)));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    job::combine, job::finish);
            RunOptions options = RunOptions.defaults().withWorkers(2).withBatchRows(batchRows);
            QueryResult direct = Tsproc.of(store).run(job, shipped, options).result();
            QueryResult shippedResult = Tsproc.of(store).run(viaBytes, shipped, options).result();
            assertThat(QueryJobTest.bits(shippedResult)).isEqualTo(QueryJobTest.bits(direct));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A partial of two groups in one bucket, with exact sums and a sketch, from a real batch. */
    private QueryJob forgeryJob;

    private byte[] goodPartial() throws IOException {
        long[] ts = {0, 1, 2, 3};
        double[] values = {1.5, 1e300, 2, Double.NaN};
        int[] series = {0, 1, 0, 1};
        Path file = dev.tsproc.testkit.TestStores.write(dir.resolve("forge.tsp"), ts, values, series,
                SeriesDictionary.of(List.of("a", "b")));
        try (Store store = Store.open(file)) {
            forgeryJob = QueryJob.on(store, new QuerySpec(List.of(Aggregate.SUM, Aggregate.STDDEV, Aggregate.P50), true, 0,
                    Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false));
            return encode(forgeryJob, forgeryJob.map(store.view(new Batch(0, 0, 4))));
        }
    }

    @Test
    void refusesForgedPartials() throws IOException {
        byte[] good = goodPartial();
        assertThat(decode(forgeryJob, good).size()).isEqualTo(2);
        // the version byte, the group count, then group 0 from byte 5: bucket i64, series i32, rows i64,
        // missing i64, then six doubles and the flags
        byte[] version = good.clone();
        version[0] = 3; // the layout before exact sums travelled as their chunks that matter
        assertThatThrownBy(() -> decode(forgeryJob, version)).hasMessage("query partial version=3 is not 4, the version"
                + " of this build: coordinator and workers must run the same tsproc");
        assertThatThrownBy(() -> decode(forgeryJob, putInt(good, 1, -1))).hasMessage("query partial groups=-1 is negative");
        assertThatThrownBy(() -> decode(forgeryJob, putInt(good, 13, -2))).hasMessage("query partial group[0] series=-2 is negative");
        assertThatThrownBy(() -> decode(forgeryJob, putLong(good, 25, 9))).hasMessage("query partial group[0] rows=2 missing=9 are inconsistent");
        assertThatThrownBy(() -> decode(forgeryJob, putLong(good, 33, Double.doubleToRawLongBits(0.5))))
                .hasMessage("query partial group[0] sum=0.5 is not an integer of magnitude at most 2^53");
        byte[] flags = good.clone();
        flags[81] = 4;
        assertThatThrownBy(() -> decode(forgeryJob, flags)).hasMessage("query partial group[0] flags=4 has unknown bits");
        assertThatThrownBy(() -> decode(forgeryJob, Arrays.copyOf(good, good.length - 1))).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> decode(forgeryJob, putInt(good, 1, Integer.MAX_VALUE))).isInstanceOf(EOFException.class);
    }

    /** A built-in job's partial: one group whose sums are exact sums, written after the flags. */
    @Test
    void refusesForgedExactSums() throws IOException {
        QueryJob stats = BuiltinJob.named("stats");
        byte[] good = encode(stats, stats.map(view(new double[] {1, 2, Double.NaN})));
        int flags = 81;
        assertThat(good[flags]).as("flags: both exact sums follow").isEqualTo((byte) 3);
        int sum = flags + 1; // top i32, low u8, high u8, the chunks from low to high as u32
        byte[] outside = good.clone();
        outside[sum + 5] = (byte) ExactSum.CHUNKS;
        assertThatThrownBy(() -> decode(stats, outside)).hasMessageContaining("exact sum chunks low=" + good[sum + 4]
                + " high=" + ExactSum.CHUNKS + " are not a range below the top chunk, " + (ExactSum.CHUNKS - 1));
        byte[] reversed = good.clone();
        reversed[sum + 4] = (byte) (good[sum + 5] + 1);
        assertThatThrownBy(() -> decode(stats, reversed)).hasMessageContaining("are not a range below the top chunk");
        int counts = sum + 6 + 4 * (good[sum + 5] - good[sum + 4]);
        assertThatThrownBy(() -> decode(stats, putLong(good, counts, -1L))).hasMessageContaining("positiveInfinities=-1");
        byte[] zeroFlag = good.clone();
        zeroFlag[counts + 24] = 7;
        assertThatThrownBy(() -> decode(stats, zeroFlag)).hasMessageContaining("sawNonNegativeZero=7");
    }

    /**
     * Built-in jobs travel to worker processes by name; the job a worker creates from that name
     * maps partials that, through their bytes, combine and finish to the same bits as the
     * coordinator's own, wherever the rows were cut.
     */
    @Property(tries = 200)
    void builtinJobsTravelByNameAndTheirPartialsSurviveTheirBytes(@ForAll long seed, @ForAll @IntRange(max = 3000) int n,
                                                                 @ForAll @IntRange(max = 3000) int cut,
                                                                 @ForAll boolean infinities) throws IOException {
        double[] v = dev.tsproc.testkit.TestStores.awkwardValues(seed, n, infinities);
        int at = Math.min(cut, n);
        for (String name : BuiltinJob.NAMES) {
            QueryJob job = BuiltinJob.named(name);
            QueryJob worker;
            try (JobRequest.Resolved loaded = JobRequest.decode(ByteBuffer.wrap(JobRequest.builtin(name).encode())).resolve(null)) {
                worker = (QueryJob) loaded.job();
            }
            QueryPartial head = worker.map(view(Arrays.copyOfRange(v, 0, at)));
            QueryPartial tail = worker.map(view(Arrays.copyOfRange(v, at, n)));
            QueryResult viaBytes = job.finish(job.combine(decode(job, encode(worker, head)), decode(job, encode(worker, tail))));
            QueryResult direct = job.finish(job.combine(job.map(view(Arrays.copyOfRange(v, 0, at))),
                    job.map(view(Arrays.copyOfRange(v, at, n)))));
            assertThat(QueryJobTest.bits(viaBytes)).as(name).isEqualTo(QueryJobTest.bits(direct));
        }
    }

    @Test
    void anEmptyPartialRoundTripsAndEveryBuiltinJobHasACodec() throws IOException {
        for (String name : BuiltinJob.NAMES) {
            QueryJob job = BuiltinJob.named(name);
            assertThat(PartialCodec.of(job)).isSameAs(job);
            assertThat(QueryJobTest.bits(job.finish(decode(job, encode(job, job.empty())))))
                    .isEqualTo(QueryJobTest.bits(job.finish(job.empty())));
        }
        Job<long[], Long> lambda = Job.of("x", () -> new long[1], b -> new long[1], (a, b) -> a, p -> p[0]);
        assertThatThrownBy(() -> PartialCodec.of(lambda)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot run in worker processes");
    }

    /** A batch of {@code values}, 1 ms apart, on the heap. */
    private static BatchView view(double[] values) {
        long[] ts = new long[values.length];
        Arrays.setAll(ts, i -> i * 1_000_000L);
        return new BatchView(new Batch(0, 0, values.length), MemorySegment.ofArray(ts), MemorySegment.ofArray(values),
                MemorySegment.NULL, SeriesDictionary.empty());
    }

    @Test
    void refusesForgedSketches() throws IOException {
        Percentiles p = new Percentiles(0);
        for (double v : new double[] {-3.5, 0, 0, 2.25, 1e10, Double.POSITIVE_INFINITY, 5}) {
            p.accept(v);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p.writeTo(new DataOutputStream(bytes));
        byte[] good = bytes.toByteArray();
        double[] qs = {0, 0.25, 0.5, 0.75, 1};
        assertThat(readSketch(good).valuesAt(qs, -3.5, Double.POSITIVE_INFINITY))
                .containsExactly(p.valuesAt(qs, -3.5, Double.POSITIVE_INFINITY));
        int bins = 8 * Percentiles.SMALL_SLOTS + 4; // small counts, -1 (sketched), then the bins
        assertThatThrownBy(() -> readSketch(putLong(good, 0, -1))).hasMessage("percentile small[0]=-1 is negative");
        assertThatThrownBy(() -> readSketch(putInt(good, 8 * Percentiles.SMALL_SLOTS, Percentiles.EXACT_LIMIT + 1)))
                .hasMessage("percentile values count=" + (Percentiles.EXACT_LIMIT + 1) + " is outside [-1, " + Percentiles.EXACT_LIMIT + "]");
        assertThatThrownBy(() -> readSketch(putInt(good, bins, -1))).hasMessageContaining("sketch bins count=-1 is outside");
        assertThatThrownBy(() -> readSketch(putInt(good, bins + 4, Integer.MIN_VALUE)))
                .hasMessageContaining("sketch bin[0] index=-2147483648 is out of order or outside");
        assertThatThrownBy(() -> readSketch(putInt(good, bins + 4 + 12, LogLinearSketch.index(-3.5))))
                .hasMessageContaining("sketch bin[1] index=" + LogLinearSketch.index(-3.5) + " is out of order");
        assertThatThrownBy(() -> readSketch(putInt(good, bins + 4, LogLinearSketch.MAX_INDEX + 1)))
                .hasMessageContaining("sketch bin[0] index=" + (LogLinearSketch.MAX_INDEX + 1) + " is out of order or outside");
        assertThatThrownBy(() -> readSketch(putLong(good, bins + 8, 0))).hasMessageStartingWith("sketch bin[0] count=0 is outside [1, 2^53]");
    }

    private static Percentiles readSketch(byte[] bytes) throws IOException {
        return Percentiles.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)), false);
    }

    private static byte[] putInt(byte[] bytes, int offset, int value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putInt(offset, value);
        return copy;
    }

    private static byte[] putLong(byte[] bytes, int offset, long value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putLong(offset, value);
        return copy;
    }
}
