package dev.tsproc.ingest;

import dev.tsproc.data.Batch;
import dev.tsproc.data.Column;
import dev.tsproc.store.Store;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GeneratorTest {
    /** Three full blocks and a partial one, so every test crosses block boundaries. */
    private static final long ROWS = 3L * Generator.BLOCK_ROWS + 1234;

    @TempDir
    Path dir;

    static Stream<Arguments> distributionsAndSeries() {
        return Arrays.stream(Distribution.values()).flatMap(d -> Stream.of(Arguments.of(d, 0), Arguments.of(d, 1000)));
    }

    @ParameterizedTest
    @MethodSource("distributionsAndSeries")
    void writesTheSameBytesWhateverTheThreadCount(Distribution distribution, int series) throws Exception {
        GeneratorSpec spec = new GeneratorSpec(ROWS, series, 0.2, distribution, 7);
        Path single = generate(spec, "single.tsp", 1);

        for (int threads : new int[] {2, 3, 8}) {
            Path parallel = generate(spec, threads + ".tsp", threads);
            assertThat(Files.mismatch(single, parallel)).as("first differing byte with %d threads", threads).isEqualTo(-1);
            assertThat(columnCrcs(parallel)).isEqualTo(columnCrcs(single));
        }
        try (Store store = Store.open(single)) {
            store.verifyChecksums();
            assertThat(store.hasSeries()).isEqualTo(series > 0);
        }
    }

    @Property(tries = 15)
    void anyThreadCountMatchesOneThread(@ForAll @LongRange(max = 3L * Generator.BLOCK_ROWS) long rows,
                                        @ForAll @IntRange(min = 2, max = 9) int threads,
                                        @ForAll Distribution distribution,
                                        @ForAll @IntRange(max = 50) int series,
                                        @ForAll long seed) throws Exception {
        Path tempDir = Files.createTempDirectory("generator");
        try {
            GeneratorSpec spec = new GeneratorSpec(rows, series, 0.5, distribution, seed);
            Path single = tempDir.resolve("single.tsp");
            Path parallel = tempDir.resolve("parallel.tsp");
            Generator.generate(spec, single, 1);
            Generator.generate(spec, parallel, threads);
            assertThat(Files.mismatch(single, parallel)).isEqualTo(-1);
        } finally {
            try (Stream<Path> files = Files.walk(tempDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("distributionsAndSeries")
    void differentSeedsGiveDifferentData(Distribution distribution, int series) throws Exception {
        List<Integer> a = columnCrcs(generate(new GeneratorSpec(ROWS, series, 0.2, distribution, 1), "a.tsp", 2));
        List<Integer> b = columnCrcs(generate(new GeneratorSpec(ROWS, series, 0.2, distribution, 2), "b.tsp", 2));

        assertThat(a.get(0)).as("ts").isEqualTo(b.get(0));
        for (int column = 1; column < a.size(); column++) {
            assertThat(a.get(column)).as("column %d", column).isNotEqualTo(b.get(column));
        }
    }

    @Test
    void timestampsStartAtStartAndStepExactly() throws Exception {
        try (Store store = Store.open(generate(GeneratorSpec.talk(ROWS), "talk.tsp", 3))) {
            MemorySegment ts = store.column(Column.TS);
            for (long i = 0; i < ROWS; i++) {
                assertThat(ts.getAtIndex(Column.TS_LAYOUT, i))
                        .isEqualTo(GeneratorSpec.START_NANOS + i * GeneratorSpec.STEP_NANOS);
            }
        }
    }

    @Test
    void talkValuesAreZeroOneOrMissingInTheRequestedShares() throws Exception {
        long rows = 1_000_000;
        try (Store store = Store.open(generate(GeneratorSpec.talk(rows), "talk.tsp", 2))) {
            assertThat(store.hasSeries()).isFalse();
            long[] counts = new long[3]; // zeros, ones, missing
            MemorySegment values = store.column(Column.VALUE);
            for (long i = 0; i < rows; i++) {
                double v = values.getAtIndex(Column.VALUE_LAYOUT, i);
                assertThat(v).isIn(0.0, 1.0, Double.NaN);
                counts[Double.isNaN(v) ? 2 : (int) v]++;
            }
            assertThat(counts[2] / (double) rows).isCloseTo(GeneratorSpec.TALK_MISSING, within(0.005));
            assertThat(counts[1] / (double) (counts[0] + counts[1])).isCloseTo(0.5, within(0.005));
        }
    }

    @Test
    void missingZeroAndOneAreExact() throws Exception {
        for (Distribution distribution : Distribution.values()) {
            long none = countMissing(generate(new GeneratorSpec(ROWS, 3, 0, distribution, 5), distribution + "-0.tsp", 2));
            long all = countMissing(generate(new GeneratorSpec(ROWS, 3, 1, distribution, 5), distribution + "-1.tsp", 2));
            assertThat(none).as("%s with missing=0", distribution).isZero();
            assertThat(all).as("%s with missing=1", distribution).isEqualTo(ROWS);
        }
    }

    @Test
    void gaussValuesAreStandardNormal() throws Exception {
        long rows = 1_000_000;
        try (Store store = Store.open(generate(new GeneratorSpec(rows, 0, 0.1, Distribution.GAUSS, 3), "gauss.tsp", 2))) {
            MemorySegment values = store.column(Column.VALUE);
            long present = 0;
            double sum = 0;
            double sumOfSquares = 0;
            for (long i = 0; i < rows; i++) {
                double v = values.getAtIndex(Column.VALUE_LAYOUT, i);
                if (!Double.isNaN(v)) {
                    present++;
                    sum += v;
                    sumOfSquares += v * v;
                }
            }
            double mean = sum / present;
            assertThat(1 - present / (double) rows).isCloseTo(0.1, within(0.005));
            assertThat(mean).isCloseTo(0, within(0.01));
            assertThat(Math.sqrt(sumOfSquares / present - mean * mean)).isCloseTo(1, within(0.01));
        }
    }

    @Test
    void seriesIdsAreUniformOverTheDictionary() throws Exception {
        long rows = 1_000_000;
        int series = 1000;
        try (Store store = Store.open(generate(new GeneratorSpec(rows, series, 0.33, Distribution.TALK, 9), "s.tsp", 2))) {
            assertThat(store.dictionary().size()).isEqualTo(series);
            assertThat(store.dictionary().name(0)).isEqualTo("s000");
            assertThat(store.dictionary().name(999)).isEqualTo("s999");
            long[] counts = new long[series];
            MemorySegment ids = store.column(Column.SERIES);
            for (long i = 0; i < rows; i++) {
                int id = ids.getAtIndex(Column.SERIES_LAYOUT, i);
                assertThat(id).isBetween(0, series - 1);
                counts[id]++;
            }
            // Each count is binomial with mean 1000 and standard deviation about 32.
            assertThat(Arrays.stream(counts).min().orElseThrow()).isGreaterThan(800);
            assertThat(Arrays.stream(counts).max().orElseThrow()).isLessThan(1200);
        }
    }

    @Test
    void seriesNamesArePaddedToOneWidth() {
        assertThat(Generator.dictionary(new GeneratorSpec(1, 2, 0, Distribution.TALK, 1)).names()).containsExactly("s0", "s1");
        assertThat(Generator.dictionary(new GeneratorSpec(1, 11, 0, Distribution.TALK, 1)).names())
                .startsWith("s00", "s01").endsWith("s10");
        assertThat(Generator.dictionary(new GeneratorSpec(1, 1, 0, Distribution.TALK, 1)).size()).isZero();
    }

    /**
     * Between two present values of a series that are k steps apart the walk moves by a normal
     * amount of standard deviation 0.01·√k; with few series, a walk that restarted at a block
     * edge would jump by about 0.01·√(rows per series per block), far more.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 10})
    void walksAreContinuousAcrossBlocks(int series) throws Exception {
        long rows = 6L * Generator.BLOCK_ROWS;
        GeneratorSpec spec = new GeneratorSpec(rows, series, 0.33, Distribution.WALK, 11);
        try (Store store = Store.open(generate(spec, "walk.tsp", 3))) {
            int walks = Math.max(1, series);
            double[] last = new double[walks];
            long[] stepsSince = new long[walks];
            double sumOfSquaredSteps = 0;
            long steps = 0;
            MemorySegment values = store.column(Column.VALUE);
            for (long i = 0; i < rows; i++) {
                int s = store.hasSeries() ? store.column(Column.SERIES).getAtIndex(Column.SERIES_LAYOUT, i) : 0;
                stepsSince[s]++;
                double v = values.getAtIndex(Column.VALUE_LAYOUT, i);
                if (Double.isNaN(v)) {
                    continue;
                }
                double move = v - last[s];
                assertThat(Math.abs(move)).as("row %d, series %d", i, s)
                        .isLessThan(6 * Generator.WALK_STEP * Math.sqrt(stepsSince[s]));
                sumOfSquaredSteps += move * move;
                steps += stepsSince[s];
                last[s] = v;
                stepsSince[s] = 0;
            }
            assertThat(Math.sqrt(sumOfSquaredSteps / steps)).isCloseTo(Generator.WALK_STEP, within(0.0002));
        }
    }

    @Test
    void writesEmptyAndSingleRowStores() throws Exception {
        for (Distribution distribution : Distribution.values()) {
            try (Store empty = Store.open(generate(new GeneratorSpec(0, 5, 0, distribution, 1), distribution + "-0.tsp", 4))) {
                assertThat(empty.rowCount()).isZero();
                assertThat(empty.dictionary().size()).isEqualTo(5);
            }
            try (Store one = Store.open(generate(new GeneratorSpec(1, 0, 0, distribution, 1), distribution + "-1.tsp", 4))) {
                assertThat(one.rowCount()).isOne();
                assertThat(one.view(new Batch(0, 0, 1)).ts(0)).isEqualTo(GeneratorSpec.START_NANOS);
                assertThat(one.view(new Batch(0, 0, 1)).value(0)).isNotNaN();
            }
        }
    }

    @Test
    void reportsIncreasingProgressEndingAtTheRowCount() throws Exception {
        List<Long> reports = new ArrayList<>();
        Generator.generate(new GeneratorSpec(ROWS, 0, 0.1, Distribution.WALK, 1), dir.resolve("p.tsp"), 3, reports::add);

        assertThat(reports).hasSize(4).isSorted().last().isEqualTo(ROWS);
    }

    @Test
    void rejectsThreadCountBelowOne() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Generator.generate(GeneratorSpec.talk(1), dir.resolve("x.tsp"), 0))
                .withMessage("threads=0 must be at least 1");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void failsInADirectoryThatDoesNotExist() {
        assertThatThrownBy(() -> Generator.generate(GeneratorSpec.talk(10), dir.resolve("absent/x.tsp"), 2))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not exist");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void leavesAnExistingTargetAlone() throws Exception {
        Path target = Files.writeString(dir.resolve("x.tsp"), "mine");

        assertThatThrownBy(() -> Generator.generate(GeneratorSpec.talk(10), target, 2))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(target).hasContent("mine");
        assertThat(listing()).containsExactly(target);
    }

    @Test
    @Timeout(30)
    void rethrowsAWorkersFailureAndLeavesNothing() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> Generator.generate(GeneratorSpec.talk(1L << 32), dir.resolve("x.tsp"), 2, rowsDone -> {
            throw boom;
        })).isSameAs(boom);
        assertThat(dir).isEmptyDirectory();
    }

    /** 2^32 rows would take minutes and 64 GiB: only a prompt stop ends this test in time. */
    @Test
    @Timeout(30)
    void stopsPromptlyWhenInterruptedAndLeavesNothing() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                Generator.generate(GeneratorSpec.talk(1L << 32), dir.resolve("x.tsp"), 2, rowsDone -> started.countDown());
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        started.await(); // a block is written, so the partial file exists
        assertThat(listing()).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).startsWith(".x.tsp.partial"));

        caller.interrupt();
        caller.join();
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(dir).isEmptyDirectory();
    }

    /** The interrupt lands while the caller joins the last worker or commits; either way it stops the commit. */
    @Test
    @Timeout(30)
    void anInterruptAfterTheLastBlockStillLeavesNothing() {
        Thread caller = Thread.currentThread();
        try {
            assertThatThrownBy(() -> Generator.generate(GeneratorSpec.talk(ROWS), dir.resolve("x.tsp"), 1, rowsDone -> {
                if (rowsDone == ROWS) {
                    caller.interrupt();
                }
            })).isInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        } finally {
            Thread.interrupted();
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void throwsAtOnceWhenAlreadyInterrupted() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Generator.generate(GeneratorSpec.talk(1L << 32), dir.resolve("x.tsp"), 2))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(dir).isEmptyDirectory();
    }

    private Path generate(GeneratorSpec spec, String name, int threads) throws IOException, InterruptedException {
        Path target = dir.resolve(name);
        Generator.generate(spec, target, threads);
        return target;
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static List<Integer> columnCrcs(Path path) throws IOException {
        try (Store store = Store.open(path)) {
            return store.columns().stream().map(Store.ColumnInfo::crc32c).toList();
        }
    }

    private static long countMissing(Path path) throws IOException {
        try (Store store = Store.open(path)) {
            MemorySegment values = store.column(Column.VALUE);
            long missing = 0;
            for (long i = 0; i < store.rowCount(); i++) {
                if (Double.isNaN(values.getAtIndex(Column.VALUE_LAYOUT, i))) {
                    missing++;
                }
            }
            return missing;
        }
    }
}
