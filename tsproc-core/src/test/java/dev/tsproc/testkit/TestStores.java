package dev.tsproc.testkit;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.StoreWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small stores written from heap arrays, for tests. */
public final class TestStores {
    private TestStores() {}

    /** Writes {@code values} with timestamps 1 ms apart and no series column. */
    public static Path write(Path file, double[] values) {
        try (Arena arena = Arena.ofConfined();
             StoreWriter writer = StoreWriter.create(file, values.length, SeriesDictionary.empty())) {
            MemorySegment ts = arena.allocate(Column.TS.byteSize(values.length), 64);
            for (int i = 0; i < values.length; i++) {
                ts.setAtIndex(Column.TS_LAYOUT, i, 1_700_000_000_000_000_000L + i * 1_000_000L);
            }
            MemorySegment vs = arena.allocate(Column.VALUE.byteSize(values.length), 64);
            MemorySegment.copy(values, 0, vs, Column.VALUE_LAYOUT, 0, values.length);
            writer.write(Column.TS, 0, ts);
            writer.write(Column.VALUE, 0, vs);
            writer.commit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the given columns; {@code series} may be {@code null} for a store without a series column. */
    public static Path write(Path file, long[] ts, double[] values, int[] series, SeriesDictionary dictionary) {
        try (Arena arena = Arena.ofConfined();
             StoreWriter writer = StoreWriter.create(file, values.length, series == null ? SeriesDictionary.empty() : dictionary)) {
            MemorySegment t = arena.allocate(Column.TS.byteSize(values.length), 64);
            MemorySegment.copy(ts, 0, t, Column.TS_LAYOUT, 0, ts.length);
            MemorySegment vs = arena.allocate(Column.VALUE.byteSize(values.length), 64);
            MemorySegment.copy(values, 0, vs, Column.VALUE_LAYOUT, 0, values.length);
            writer.write(Column.TS, 0, t);
            writer.write(Column.VALUE, 0, vs);
            if (series != null) {
                MemorySegment ss = arena.allocate(Column.SERIES.byteSize(values.length), 64);
                MemorySegment.copy(series, 0, ss, Column.SERIES_LAYOUT, 0, series.length);
                writer.write(Column.SERIES, 0, ss);
            }
            writer.commit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code values} to a fresh file in the system temp directory, for jqwik properties
     * (which get no JUnit {@code @TempDir}); the caller deletes it.
     */
    public static Path writeTemp(double[] values) {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        return write(dir.resolve("tsproc-test-" + System.nanoTime() + "-" + Thread.currentThread().threadId() + ".tsp"), values);
    }

    /**
     * Random values mixing ordinary numbers with the cases that break naive code: NaN (missing),
     * ±Infinity (when {@code withInfinities}), -0.0, subnormals, huge and tiny magnitudes, small
     * integers.
     */
    public static double[] awkwardValues(long seed, int n, boolean withInfinities) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (random.nextInt(withInfinities ? 12 : 10)) {
                case 0 -> Double.NaN;
                case 1 -> -0.0;
                case 2 -> random.nextInt(-3, 4);
                case 3 -> Double.MIN_VALUE * random.nextInt(1, 1000);
                case 4 -> Math.scalb(random.nextDouble(-1, 1), random.nextInt(900, 1000));
                case 5 -> Math.scalb(random.nextDouble(-1, 1), random.nextInt(-1000, -900));
                case 6 -> random.nextBoolean() ? 0.1 : -0.3;
                case 10 -> Double.POSITIVE_INFINITY;
                case 11 -> Double.NEGATIVE_INFINITY;
                default -> random.nextGaussian() * 1e6;
            };
        }
        return v;
    }
}
