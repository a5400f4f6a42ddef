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
import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.csv.ColumnBuffers;
import dev.tsproc.ingest.csv.SeriesTable;
import dev.tsproc.ingest.csv.TimeOrder;
import dev.tsproc.store.StoreWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p><b>Pipeline.</b> Every file's footer is read first, on the calling thread: its schema
 * gives the columns and how each is read ({@link ParquetLayout}), so a missing column or an
 * unreadable type fails before any row is read, and its row groups' row counts give each row
 * group its place in the store. Then threads take row groups in file order, read each one's
 * three columns into a buffer the thread reuses ({@link RowGroupReader}: timestamps to epoch
 * nanoseconds, nulls to NaN, series to ids in a table of the row group's own), sort it by time
 * if it is not in order, and write it at its place. The row groups' series tables are merged
 * into one dictionary sorted by the names' UTF-8 bytes, so ids do not depend on file or row
 * order, and each row group's ids are rewritten in the store. If every row group starts no
 * earlier than the one before it ends — files of consecutive days, say — the store is then
 * complete; otherwise (files whose times interleave) the row groups are merged by time into a
 * second store ({@link TimeOrder}; rows with equal timestamps keep file order), which needs
 * room for both stores until the first is deleted.
 *
 * <p><b>Memory.</b> One buffer per thread of about 20 bytes a row of the largest row group
 * (16 without series); hardwood's decoded batches besides.
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
     * @param rowGroups    row groups read (those holding rows)
     * @param inputBytes   bytes of the Parquet files
     * @param sorted       whether rows had to be put into time order
     * @param unitGuessed  whether plain integer timestamps were read as nanoseconds by {@code auto}
     */
    public record Result(Path store, long rows, int series, int files, int rowGroups, long inputBytes,
                         boolean sorted, boolean unitGuessed, long elapsedNanos) {}

    /** One file: its path, size and layout. */
    private record Source(Path path, long bytes, ParquetLayout layout) {}

    /** One row group to read, and what reading it found. */
    private static final class Part {
        final int source;
        final int index;
        final long firstRow;
        final long rowCount;
        /** The row group's midpoint as hardwood's byte-range split counts it: selects it alone. */
        final long midpoint;
        final long bytes;
        SeriesTable series;
        boolean sorted;
        long firstTs;
        long lastTs;

        Part(int source, int index, long firstRow, long rowCount, long midpoint, long bytes) {
            this.source = source;
            this.index = index;
            this.firstRow = firstRow;
            this.rowCount = rowCount;
            this.midpoint = midpoint;
            this.bytes = bytes;
        }
    }

    private final Path target;
    private final ParquetOptions options;
    private final LongConsumer progress;
    private final AtomicLong bytesRead = new AtomicLong();
    private final List<Source> sources = new ArrayList<>();
    private final List<Part> parts = new ArrayList<>();
    private final ConcurrentLinkedQueue<ColumnBuffers> buffers = new ConcurrentLinkedQueue<>();
    private HardwoodContext context;
    private boolean withSeries;

    private ParquetImporter(Path target, ParquetOptions options, LongConsumer progress) {
        this.target = target;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Imports {@code files} (see {@link ParquetSources#resolve}) into a new store at {@code target},
     * telling {@code progress} the bytes of row groups read so far, from reader threads.
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
        Path directory = target.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new NoSuchFileException(String.valueOf(directory), null, "the directory for the store does not exist");
        }
        ParquetImporter importer = new ParquetImporter(target, options, progress);
        try (HardwoodContext context = HardwoodContext.create(options.threads())) {
            importer.context = context;
            return importer.run(source, files, start);
        } catch (ClosedByInterruptException e) {
            // An interrupt during a read or write closed a channel: the interrupt is what happened.
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException("interrupted while importing " + source);
            interrupted.initCause(e);
            throw interrupted;
        } finally {
            for (ColumnBuffers rows; (rows = importer.buffers.poll()) != null; ) {
                rows.close();
            }
        }
    }

    private Result run(Path source, List<Path> files, long start) throws IOException, InterruptedException {
        long rows = 0;
        long inputBytes = 0;
        boolean unitGuessed = false;
        for (Path file : files) {
            rows = readFooter(file, rows);
        }
        for (Source s : sources) {
            inputBytes += s.bytes;
            unitGuessed |= s.layout.unitGuessed();
        }
        if (rows == 0) {
            throw new BadInputException(source, (files.size() == 1 ? "the file holds" : "the files hold")
                    + " no rows");
        }
        try (StoreWriter first = StoreWriter.create(target, rows, withSeries)) {
            each(parts.size(), k -> readPart(parts.get((int) k), first));
            SeriesDictionary dictionary = SeriesDictionary.empty();
            if (withSeries) {
                SeriesTable.Merged merged = SeriesTable.merge(parts.stream().map(p -> p.series).toList(),
                        SeriesDictionary.MAX_SERIES);
                if (merged == null) {
                    throw new BadInputException(source, String.format(Locale.ROOT,
                            "there are more than %,d distinct series, the most a store can hold", SeriesDictionary.MAX_SERIES));
                }
                dictionary = merged.dictionary();
                each(parts.size(), k -> toGlobalIds(parts.get((int) k), merged.globalIds().get((int) k), first));
            }
            boolean inOrder = true;
            boolean sorted = false;
            long previousLast = Long.MIN_VALUE;
            for (Part part : parts) {
                inOrder &= part.firstTs >= previousLast;
                sorted |= !part.sorted;
                previousLast = part.lastTs;
            }
            if (inOrder) {
                first.commit(dictionary);
            } else {
                merge(first, rows, dictionary);
            }
            progress.accept(inputBytes);
            return new Result(target, rows, dictionary.size(), files.size(), parts.size(), inputBytes,
                    sorted || !inOrder, unitGuessed, System.nanoTime() - start);
        }
    }

    /**
     * Reads {@code file}'s footer: its layout, and its row groups placed from {@code firstRow};
     * returns the row after its last.
     */
    private long readFooter(Path file, long firstRow) throws IOException {
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
            layout = ParquetLayout.of(file, reader.getFileSchema(), options, sources.isEmpty() ? null : withSeries);
        } catch (BadInputException | NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file, "it is not a Parquet file, or it is damaged or cut short (" + e.getMessage() + ")", e);
        }
        if (sources.isEmpty()) {
            withSeries = layout.series() != null;
        }
        sources.add(new Source(file, Files.size(file), layout));
        long row = firstRow;
        List<RowGroup> rowGroups = metadata.rowGroups();
        for (int g = 0; g < rowGroups.size(); g++) {
            RowGroup group = rowGroups.get(g);
            if (group.numRows() == 0 || group.columns().isEmpty()) {
                continue;
            }
            long compressed = 0;
            for (ColumnChunk chunk : group.columns()) {
                compressed += chunk.metaData().totalCompressedSize();
            }
            long midpoint = group.columns().getFirst().chunkStartOffset() + compressed / 2;
            parts.add(new Part(sources.size() - 1, g, row, group.numRows(), midpoint, compressed));
            row += group.numRows();
        }
        return row;
    }

    /** Reads one row group, sorts it by time if needed, and writes it at its place in {@code store}. */
    private void readPart(Part part, StoreWriter store) throws IOException, InterruptedException {
        Source source = sources.get(part.source);
        ParquetLayout layout = source.layout;
        ColumnBuffers rows = buffers.poll();
        if (rows == null) {
            rows = new ColumnBuffers(part.rowCount, withSeries);
        }
        try {
            rows.reset();
            RowGroupReader reader = new RowGroupReader(source.path, part.index, layout, options.timestampFormat());
            long done = 0;
            try (ParquetFileReader parquet = ParquetFileReader.open(InputFile.of(source.path), context);
                 ColumnReaders columns = parquet.buildColumnReaders(
                                 ColumnProjection.columns(layout.columnNames().toArray(String[]::new)))
                         .filter(RowGroupPredicate.byteRange(part.midpoint, part.midpoint + 1)).build()) {
                ColumnReader ts = columns.getColumnReader(layout.ts().column().name());
                ColumnReader value = columns.getColumnReader(layout.value().column().name());
                ColumnReader series = layout.series() == null ? null : columns.getColumnReader(layout.series().column().name());
                while (columns.nextBatch()) {
                    int n = columns.getRecordCount();
                    if (done + n > part.rowCount) {
                        break; // reported below
                    }
                    reader.append(n, ts, value, series, rows);
                    progress.accept(bytesRead.addAndGet(part.bytes * (done + n) / part.rowCount - part.bytes * done / part.rowCount));
                    done += n;
                }
            } catch (BadInputException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("interrupted while reading " + source.path);
                }
                throw new BadInputException(source.path, "row group " + part.index + " cannot be read, the file is damaged ("
                        + e.getMessage() + ")", e);
            }
            if (rows.rowCount() != part.rowCount) {
                throw new BadInputException(source.path, "row group " + part.index + " holds " + rows.rowCount()
                        + " rows, not the " + part.rowCount + " its footer says; the file is damaged");
            }
            part.sorted = inTimeOrder(rows.ts());
            if (!part.sorted) {
                TimeOrder.sortChunk(rows);
            }
            part.firstTs = rows.ts().getAtIndex(Column.TS_LAYOUT, 0);
            part.lastTs = rows.ts().getAtIndex(Column.TS_LAYOUT, part.rowCount - 1);
            part.series = reader.series;
            for (Column column : store.columns()) {
                store.write(column, part.firstRow, rows.column(column));
            }
        } finally {
            buffers.add(rows);
        }
    }

    private static boolean inTimeOrder(MemorySegment ts) {
        long previous = Long.MIN_VALUE;
        for (long i = 0, n = ts.byteSize() / Long.BYTES; i < n; i++) {
            long t = ts.getAtIndex(Column.TS_LAYOUT, i);
            if (t < previous) {
                return false;
            }
            previous = t;
        }
        return true;
    }

    /** Rewrites a row group's series ids, as written, to the dictionary's. */
    private void toGlobalIds(Part part, int[] global, StoreWriter store) throws IOException {
        boolean identity = true;
        for (int i = 0; i < global.length && identity; i++) {
            identity = global[i] == i;
        }
        if (identity) {
            return;
        }
        ColumnBuffers buffer = buffers.poll();
        if (buffer == null) {
            buffer = new ColumnBuffers(part.rowCount, true);
        }
        try {
            MemorySegment ids = buffer.scratch(Column.SERIES, part.rowCount);
            store.read(Column.SERIES, part.firstRow, ids);
            for (long i = 0; i < part.rowCount; i++) {
                ids.setAtIndex(Column.SERIES_LAYOUT, i, global[ids.getAtIndex(Column.SERIES_LAYOUT, i)]);
            }
            store.overwrite(Column.SERIES, part.firstRow, ids);
        } finally {
            buffers.add(buffer);
        }
    }

    /** Merges the row groups of {@code first}, each in time order, by time into a new store at the target. */
    private void merge(StoreWriter first, long rows, SeriesDictionary dictionary) throws IOException, InterruptedException {
        try (Arena arena = Arena.ofShared(); StoreWriter second = StoreWriter.create(target, rows, dictionary)) {
            MemorySegment ts = first.mapWritten(Column.TS, arena);
            MemorySegment values = first.mapWritten(Column.VALUE, arena);
            MemorySegment series = withSeries ? first.mapWritten(Column.SERIES, arena) : MemorySegment.NULL;
            List<TimeOrder.Run> runs = new ArrayList<>();
            for (Part part : parts) {
                runs.add(new TimeOrder.Run(slice(ts, Column.TS, part), slice(values, Column.VALUE, part),
                        withSeries ? slice(series, Column.SERIES, part) : series, part.rowCount));
            }
            TimeOrder.merge(runs, second, options.threads());
            second.commit();
        }
    }

    private static MemorySegment slice(MemorySegment column, Column type, Part part) {
        return column.asSlice(type.byteSize(part.firstRow), type.byteSize(part.rowCount));
    }

    /** Runs {@code item} for {@code 0 .. count-1} on the import's threads, in one task group. */
    private void each(int count, TaskGroup.Item item) throws IOException, InterruptedException {
        try {
            TaskGroup.runEach("tsproc-import", options.threads(), count, item);
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
    }
}
