package dev.tsproc.ingest.parquet;

import dev.hardwood.HardwoodContext;
import dev.hardwood.InputFile;
import dev.hardwood.metadata.ColumnChunk;
import dev.hardwood.metadata.FileMetaData;
import dev.hardwood.metadata.RowGroup;
import dev.hardwood.reader.ColumnReader;
import dev.hardwood.reader.ColumnReaders;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowGroupPredicate;
import dev.hardwood.schema.ColumnProjection;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.ColumnarImport;
import dev.tsproc.ingest.csv.ColumnBuffers;
import dev.tsproc.ingest.csv.SeriesTable;
import dev.tsproc.ingest.csv.TimestampFormat;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Imports Parquet files into a store, in parallel over files and row groups, with hardwood
 * (pure Java, no Hadoop).
 *
 * {@snippet :
 * ParquetImporter.Result result = ParquetImporter.importFiles(Path.of("data"), ParquetSources.resolve("data"),
 *         Path.of("data.tsp"), ParquetOptions.defaults(), bytes -> {});
 * }
 *
 * <p>Every file's footer is read first, on the calling thread: its schema gives the columns and
 * how each is read ({@link ParquetLayout}), so a missing column or an unreadable type fails
 * before any row is read, and its row groups' row counts give each row group its place in the
 * store. Then each row group is a {@link ColumnarImport.Part}: a thread reads its three columns
 * in batches with hardwood's column readers, restricted to that row group by its byte midpoint,
 * and converts them ({@link RowGroupReader}); {@link ColumnarImport} does the rest — time order,
 * one sorted dictionary, files whose times interleave merged.
 *
 * <p><b>Failure.</b> A file that is not Parquet, is cut short, has a damaged page or lacks a
 * column; a null timestamp; an I/O error; an interrupt: a {@link BadInputException} (or the
 * I/O or interrupt) naming the file, and the row group and row where known, and nothing is left
 * at the target nor beside it.
 */
public final class ParquetImporter {
    /**
     * What an import did.
     *
     * @param rowGroups   row groups read (those holding rows)
     * @param inputBytes  bytes of the Parquet files
     * @param sorted      whether rows had to be put into time order
     * @param unitGuessed whether plain integer timestamps were read as nanoseconds by {@code auto}
     * @param unitsTold   the files whose plain integer timestamps {@code auto} read in another epoch
     *                    unit, as their magnitude tells, with that unit, in file order
     */
    public record Result(Path store, long rows, int series, int files, int rowGroups, long inputBytes,
                         boolean sorted, boolean unitGuessed, Map<Path, TimestampFormat> unitsTold, long elapsedNanos) {}

    private final ParquetOptions options;
    private final LongConsumer progress;
    private final AtomicLong bytesRead = new AtomicLong();
    private final List<RowGroupPart> parts = new ArrayList<>();
    private final HardwoodContext context;
    private final Map<Path, TimestampFormat> unitsTold = new LinkedHashMap<>();
    /** Whether the store has a series column: as the first file has. */
    private Boolean withSeries;
    /** The first row group left out for the time range, read if every one is: a store cannot be empty. */
    private RowGroupPart firstSkipped;

    private ParquetImporter(ParquetOptions options, LongConsumer progress, HardwoodContext context) {
        this.options = options;
        this.progress = progress;
        this.context = context;
    }

    /**
     * Imports {@code files} (see {@link ParquetSources#resolve}) into a new store at {@code target},
     * telling {@code progress} the compressed bytes of row groups read so far, from reader threads.
     *
     * @param source what the user named, for messages about the files as a whole
     * @throws BadInputException          if a file cannot be imported; nothing is left behind
     * @throws NoSuchFileException        if a file does not exist
     * @throws FileAlreadyExistsException if {@code target} exists
     * @throws IOException                on an I/O error; nothing is left behind
     * @throws InterruptedException       if interrupted; nothing is left behind
     */
    public static Result importFiles(Path source, List<Path> files, Path target, ParquetOptions options,
                                     LongConsumer progress) throws IOException, InterruptedException {
        Objects.requireNonNull(target, "target");
        long start = System.nanoTime();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "already exists");
        }
        try (HardwoodContext context = HardwoodContext.create(options.threads())) {
            ParquetImporter importer = new ParquetImporter(options, progress, context);
            long inputBytes = 0;
            boolean unitGuessed = false;
            for (Path file : files) {
                ParquetLayout layout = importer.readFooter(file);
                inputBytes += Files.size(file);
                unitGuessed |= layout.unitGuessed();
            }
            if (importer.parts.isEmpty() && importer.firstSkipped != null) {
                importer.parts.add(importer.firstSkipped); // the query then finds no rows in its range, as it would in all
            }
            ColumnarImport.Result written = ColumnarImport.write(source, importer.parts, importer.withSeries, target,
                    options.threads());
            progress.accept(inputBytes);
            return new Result(target, written.rows(), written.series(), files.size(), importer.parts.size(), inputBytes,
                    written.sorted(), unitGuessed, Collections.unmodifiableMap(importer.unitsTold), System.nanoTime() - start);
        } catch (ClosedByInterruptException e) {
            // An interrupt during a read or write closed a channel: the interrupt is what happened.
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException("interrupted while importing " + source);
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    /** Reads {@code file}'s footer: its layout, and its row groups as parts. */
    private ParquetLayout readFooter(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file, "it is a directory, not a Parquet file");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        FileMetaData metadata;
        ParquetLayout layout;
        try (ParquetFileReader reader = ParquetFileReader.open(InputFile.of(file), context)) {
            metadata = reader.getFileMetaData();
            layout = ParquetLayout.of(file, reader, options, withSeries);
        } catch (BadInputException | NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file, "it is not a Parquet file, or it is damaged or cut short (" + e.getMessage() + ")", e);
        }
        if (withSeries == null) {
            withSeries = layout.series() != null && options.readSeries();
        }
        if (!withSeries) {
            layout = layout.withoutSeries();
        }
        if (layout.unitTold() != null) {
            unitsTold.put(file, layout.unitTold());
        }
        List<RowGroup> rowGroups = metadata.rowGroups();
        for (int g = 0; g < rowGroups.size(); g++) {
            RowGroup group = rowGroups.get(g);
            if (group.numRows() == 0 || group.columns().isEmpty()) {
                continue;
            }
            if (outsideRange(layout.ts(), group)) {
                if (firstSkipped == null) {
                    firstSkipped = new RowGroupPart(file, layout, g, group.numRows(), midpoint(group), compressed(group));
                }
                continue;
            }
            parts.add(new RowGroupPart(file, layout, g, group.numRows(), midpoint(group), compressed(group)));
        }
        return layout;
    }

    static long compressed(RowGroup group) {
        long compressed = 0;
        for (ColumnChunk chunk : group.columns()) {
            compressed += chunk.metaData().totalCompressedSize();
        }
        return compressed;
    }

    /** The midpoint as hardwood's byte-range split counts it: it selects this row group alone. */
    static long midpoint(RowGroup group) {
        return group.columns().getFirst().chunkStartOffset() + compressed(group) / 2;
    }

    /**
     * Whether the statistics of {@code group}'s timestamps say it holds no time in the options'
     * range. Only signed integer timestamps with current (not deprecated) statistics are judged;
     * any doubt reads the row group.
     */
    private boolean outsideRange(ParquetLayout.Timestamps ts, RowGroup group) {
        if (options.fromNanos() == Long.MIN_VALUE && options.toNanos() == Long.MAX_VALUE
                || ts.kind() != ParquetLayout.TimestampKind.INTEGER || ts.unsigned()) {
            return false;
        }
        Long min = ts.statistic(group, true);
        Long max = ts.statistic(group, false);
        if (min == null || max == null) {
            return false;
        }
        // A bound beyond int64 nanoseconds widens to the type's end: the read then reports the time as an error.
        return scaled(max, ts.nanosPerUnit(), Long.MAX_VALUE) < options.fromNanos()
                || scaled(min, ts.nanosPerUnit(), Long.MIN_VALUE) >= options.toNanos();
    }

    /** {@code raw × unit}, or {@code overflow} if the product does not fit in a long. */
    private static long scaled(long raw, long unit, long overflow) {
        long low = raw * unit;
        return Math.multiplyHigh(raw, unit) == low >> 63 ? low : overflow;
    }

    /** One row group of one file. */
    private final class RowGroupPart implements ColumnarImport.Part {
        private final Path file;
        private final ParquetLayout layout;
        private final int index;
        private final long rowCount;
        private final long midpoint;
        private final long bytes;

        RowGroupPart(Path file, ParquetLayout layout, int index, long rowCount, long midpoint, long bytes) {
            this.file = file;
            this.layout = layout;
            this.index = index;
            this.rowCount = rowCount;
            this.midpoint = midpoint;
            this.bytes = bytes;
        }

        @Override
        public long rowCount() {
            return rowCount;
        }

        @Override
        public String describe() {
            return file + ": row group " + index;
        }

        @Override
        public void read(ColumnBuffers rows, SeriesTable series) throws IOException, InterruptedException {
            RowGroupReader reader = new RowGroupReader(file, index, layout, options.timestampFormat(), series);
            long done = 0;
            try (ParquetFileReader parquet = ParquetFileReader.open(InputFile.of(file), context);
                 ColumnReaders columns = parquet.buildColumnReaders(
                                 ColumnProjection.columns(layout.columnNames().toArray(String[]::new)))
                         .filter(RowGroupPredicate.byteRange(midpoint, midpoint + 1)).build()) {
                ColumnReader ts = columns.getColumnReader(layout.ts().column().name());
                ColumnReader value = columns.getColumnReader(layout.value().column().name());
                ColumnReader seriesColumn = layout.series() == null ? null : columns.getColumnReader(layout.series().column().name());
                while (columns.nextBatch() && done < rowCount) {
                    int n = columns.getRecordCount();
                    reader.append(n, ts, value, seriesColumn, rows);
                    progress.accept(bytesRead.addAndGet(bytes * (done + n) / rowCount - bytes * done / rowCount));
                    done += n;
                }
            } catch (BadInputException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("interrupted while reading " + file);
                }
                throw new BadInputException(describe(), "it cannot be read, the file is damaged (" + e.getMessage() + ")", e);
            }
        }
    }
}
