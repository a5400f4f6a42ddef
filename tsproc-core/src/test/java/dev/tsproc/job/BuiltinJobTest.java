package dev.tsproc.job;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.ReferenceStats;
import dev.tsproc.testkit.TestStores;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuiltinJobTest {
    @TempDir
    Path dir;

    private static QueryResult run(Path file, int workers, long batchRows) throws Exception {
        try (Store store = Store.open(file)) {
            return Tsproc.of(store).run(BuiltinJob.named("stats"),
                    RunOptions.defaults().withWorkers(workers).withBatchRows(batchRows)).result();
        }
    }

    private static void assertBits(double actual, double expected, String what) {
        assertThat(Double.doubleToRawLongBits(actual)).as(what + ": " + actual + " vs " + expected)
                .isEqualTo(Double.doubleToRawLongBits(expected));
    }

    private static void assertMatchesReference(QueryResult s, double[] v) {
        assertThat((long) s.get(Aggregate.COUNT)).isEqualTo(ReferenceStats.count(v));
        assertThat((long) s.get(Aggregate.MISSING)).isEqualTo(ReferenceStats.missing(v));
        assertBits(s.get(Aggregate.SUM), ReferenceStats.sum(v), "sum");
        assertBits(s.get(Aggregate.MEAN), ReferenceStats.mean(v), "mean");
        assertBits(s.get(Aggregate.MIN), ReferenceStats.min(v), "min");
        assertBits(s.get(Aggregate.MAX), ReferenceStats.max(v), "max");
    }

    @Test
    void emptyStoreGivesTheAnswersOfNoValues() throws Exception {
        QueryResult s = run(TestStores.write(dir.resolve("e.tsp"), new double[0]), 4, 10);
        assertThat((long) s.get(Aggregate.COUNT)).isZero();
        assertBits(s.get(Aggregate.SUM), 0.0, "sum");
        assertThat(s.get(Aggregate.MEAN)).isNaN();
        assertThat(s.get(Aggregate.MIN)).isNaN();
        assertThat(s.get(Aggregate.MAX)).isNaN();
        assertThat(s.get(Aggregate.STDDEV)).isNaN();
    }

    @Test
    void oneRowAndAllMissing() throws Exception {
        QueryResult one = run(TestStores.write(dir.resolve("one.tsp"), new double[] {-2.5}), 3, 7);
        assertThat((long) one.get(Aggregate.COUNT)).isEqualTo(1);
        assertThat(one.get(Aggregate.SUM)).isEqualTo(-2.5);
        assertThat(one.get(Aggregate.MEAN)).isEqualTo(-2.5);
        assertThat(one.get(Aggregate.MIN)).isEqualTo(-2.5);
        assertThat(one.get(Aggregate.STDDEV)).isNaN();
        QueryResult none = run(TestStores.write(dir.resolve("nan.tsp"), new double[] {Double.NaN, Double.NaN}), 2, 1);
        assertThat((long) none.get(Aggregate.MISSING)).isEqualTo(2);
        assertBits(none.get(Aggregate.SUM), 0.0, "sum");
        assertThat(none.get(Aggregate.MEAN)).isNaN();
    }

    @Test
    void theTalksWorkloadSumsItsOnes() throws Exception {
        double[] v = new double[100_003];
        SplittableRandom random = new SplittableRandom(7);
        long ones = 0;
        for (int i = 0; i < v.length; i++) {
            int pick = random.nextInt(3);
            v[i] = pick == 2 ? Double.NaN : pick;
            ones += pick == 1 ? 1 : 0;
        }
        QueryResult s = run(TestStores.write(dir.resolve("talk.tsp"), v), 2, 4096);
        assertThat(s.get(Aggregate.SUM)).isEqualTo((double) ones);
        assertMatchesReference(s, v);
        assertThat(s.get(Aggregate.STDDEV)).isCloseTo(ReferenceStats.stddev(v), org.assertj.core.data.Percentage.withPercentage(1e-12));
    }

    @Property(tries = 60)
    void matchesTheReferenceOnAwkwardData(@ForAll long seed, @ForAll @IntRange(max = 5000) int n,
                                          @ForAll @IntRange(min = 1, max = 700) int batchRows,
                                          @ForAll @IntRange(min = 1, max = 8) int workers) throws Exception {
        double[] v = TestStores.awkwardValues(seed, n, seed % 3 == 0);
        Path file = TestStores.writeTemp(v);
        try {
            assertMatchesReference(run(file, workers, batchRows), v);
        } finally {
            Files.delete(file);
        }
    }

    @Property(tries = 40)
    void stddevMatchesTheExactTwoPassReference(@ForAll long seed, @ForAll @IntRange(min = 2, max = 5000) int n)
            throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(10) == 0 ? Double.NaN : 1e9 + random.nextGaussian() * (random.nextBoolean() ? 1e-3 : 5);
        }
        Path file = TestStores.writeTemp(v);
        try {
            double expected = ReferenceStats.stddev(v);
            QueryResult s = run(file, 3, 333);
            if (Double.isNaN(expected)) {
                // Fewer than two values present (e.g. seed 2, n 2: one is missing).
                assertThat(s.get(Aggregate.STDDEV)).isNaN();
                return;
            }
            assertThat(Math.abs(s.get(Aggregate.STDDEV) - expected)).isLessThanOrEqualTo(Math.ulp(expected) * 2);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void answersAreBitIdenticalForEveryWorkerCountAndBatchSize() throws Exception {
        double[] v = TestStores.awkwardValues(11, 50_001, false);
        Path file = TestStores.write(dir.resolve("det.tsp"), v);
        QueryResult first = run(file, 1, 50_001);
        for (int workers = 1; workers <= 8; workers++) {
            for (long batchRows : new long[] {1, 7, 1000, 4099, 65_536, 100_000}) {
                QueryResult s = run(file, workers, batchRows);
                assertThat(s).as("workers=%d batchRows=%d", workers, batchRows).usingRecursiveComparison()
                        .withEqualsForType((a, b) -> Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b), Double.class)
                        .isEqualTo(first);
            }
        }
    }

    @Test
    void eachJobIsTheQueryOfItsOwnStatisticsTravellingByName() throws Exception {
        for (String name : BuiltinJob.NAMES) {
            QueryJob job = BuiltinJob.named(name.toUpperCase());
            assertThat(job.name()).isEqualTo(name);
            assertThat(job.spec()).isEqualTo(QuerySpec.of(name.equals("stats") ? Aggregate.STATS : List.of(Aggregate.parse(name))));
            try (JobRequest.Resolved resolved = JobRequest.builtin(name).resolve(null)) {
                assertThat(resolved.job().name()).isEqualTo(name);
                assertThat(((QueryJob) resolved.job()).spec()).isEqualTo(job.spec());
            }
        }
    }

    @Test
    void rejectsAnUnknownJobNamingTheKnownOnes() {
        assertThatThrownBy(() -> BuiltinJob.named("median"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown job 'median'").hasMessageContaining("stats, count");
    }
}
