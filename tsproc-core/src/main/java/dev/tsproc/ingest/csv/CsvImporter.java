package dev.tsproc.ingest.csv;

import dev.tsproc.concurrent.TaskGroup;
import dev.tsproc.concurrent.TaskGroupException;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.FileKind;
import dev.tsproc.store.StoreLayout;
import dev.tsproc.store.StoreWriter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipException;

/**
 * Imports a CSV file (plain or gzip) into a store, in parallel, without a {@code String} per
 * line.
 *
 * {@snippet :
 * ImportResult result = CsvImporter.importFile(Path.of("prices.csv"), Path.of("prices.tsp"),
 *         CsvOptions.builder().tsColumn("timestamp").timestampFormat(TimestampFormat.ISO).build());
 * }
 *
 * <p><b>Pipeline.</b> A plain file is memory-mapped and cut into chunks of a few MiB at line
 * ends (never inside a line: a quoted field cannot hold a line break, so every LF ends a line).
 * Threads first count each chunk's lines ({@link LineCounter}), which bounds its rows and so
 * reserves its rows' place in the store; then they take chunks in file order, parse each into
 * a reused buffer and a chunk-local series table ({@link ChunkParser}), and write its rows
 * straight into the store. Both passes read a chunk with {@code read} into a buffer the thread
 * reuses rather than through the mapping, whose first touches cost more ({@code withChunk}).
 * A gzip file streams through one decompressor on the calling thread, which cuts its output
 * into chunks at line ends and hands them to the parser threads through a bounded queue; its
 * chunks keep their rows until the row count is known. The chunks' line counts put their bad
 * lines in order with exact line numbers ({@link ErrorLog}). Then the chunk-local series tables
 * are merged into one dictionary, sorted by the names' UTF-8 bytes (so a store's ids do not
 * depend on the order of its rows, and {@code import(export(s))} gives back {@code s}'s ids),
 * and every chunk's ids are rewritten and written. A {@link StoreWriter} only renames the store into place once it is complete.
 *
 * <p><b>When rows are not where they were reserved.</b> As is usual, every chunk of a plain
 * file is in time order, starts no earlier than the previous one ends, and fills the place its
 * line count reserved; then the store is complete as written. Otherwise — rows out of order, or
 * lines skipped as bad — the rows are copied from that first store into a second one, merged
 * into time order where needed ({@link TimeOrder}), and the first is deleted; gzip input always
 * takes this route.
 *
 * <p><b>Memory.</b> A plain file needs two buffers per thread, one its chunks are read into (the
 * chunk size, at most 16 MiB, and 64 KiB) and one they are parsed into (20 bytes a row of a
 * chunk); when its rows must be copied, the first store needs room beside the second until
 * then. A gzip file's parsed columns stay off-heap until the row count is known, about 20 bytes
 * a row (16 without series): 2 GB per 100 million rows.
 *
 * <p><b>Failure.</b> Whatever fails — a bad line under {@link CsvOptions.OnError#FAIL}, a
 * file with no good line, too many series, an I/O error, an interrupt — nothing is left at
 * the target, and no partial file beside it.
 *
 * <p><b>Cancellation.</b> Each parallel step runs in a {@link TaskGroup}, whose contract says
 * how it ends: interrupting the calling thread, or the first failure, stops every thread (a
 * parser within a few thousand lines), and {@code importFile} throws only after they have all
 * ended.
 */
public final class CsvImporter {
    /** Bad lines reported in a result or exception; {@code --errors-out} gets them all. */
    public static final int REPORTED_ERRORS = 20;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final long MIN_CHUNK_BYTES = 1 << 20;
    private static final long MAX_CHUNK_BYTES = 16 << 20;
    private static final int GZIP_CHUNK_BYTES = 8 << 20;
    /** Room in a read buffer beyond the chunk size for the line a cut runs on to. */
    private static final long READ_SLACK_BYTES = 64 << 10;

    private final Path source;
    /** The text to read instead of {@link #source}'s file (a pipe, stdin), or null: then {@code source} is read. */
    private final InputStream stream;
    private final Path target;
    /**
     * As given, except that {@code auto} becomes the epoch unit the first data line tells, if
     * any, and the delimiter the one the header shows ({@link #delimiterOf}).
     */
    private CsvOptions options;
    private final boolean failFast;
    private final AtomicInteger firstFailedChunk = new AtomicInteger(Integer.MAX_VALUE);
    private final List<ParsedChunk> chunks = new ArrayList<>(); // guarded by itself
    private CsvLayout layout;
    private ErrorLog errorLog;
    private long inputBytes;
    private ThreadLocal<ChunkParser> parsers;
    /** For a plain file: the store its rows are written into as they are parsed, at the places its line counts reserve. */
    private StoreWriter direct;
    /** For a plain file: parse buffers, each used by one thread at a time and reused chunk after chunk. */
    private final ConcurrentLinkedQueue<ColumnBuffers> buffers = new ConcurrentLinkedQueue<>();
    /** For a plain file: buffers its chunks are read into, each used by one thread at a time. */
    private final ConcurrentLinkedQueue<MemorySegment> readBuffers = new ConcurrentLinkedQueue<>();

    /** Told, from parser threads, how much of the input has been parsed: its text's bytes and the rows read from them. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param bytes bytes of CSV text parsed so far (decompressed, for gzip), the header included
         * @param rows  rows read so far, without bad lines
         */
        void parsed(long bytes, long rows);
    }

    private final Progress progress;
    private final AtomicLong parsedBytes = new AtomicLong();
    private final AtomicLong parsedRows = new AtomicLong();

    private CsvImporter(Path source, InputStream stream, Path target, CsvOptions options, Progress progress) {
        this.progress = progress;
        this.source = source;
        this.stream = stream;
        this.target = target;
        this.options = options;
        this.failFast = options.onError() == CsvOptions.OnError.FAIL;
    }

    /**
     * Imports {@code source} into a new store at {@code target}.
     *
     * @throws CsvFormatException        if the file's content cannot be imported (bad lines with
     *                                   {@code FAIL}, no good line, a directory, too many series)
     * @throws NoSuchFileException       if {@code source} does not exist
     * @throws FileAlreadyExistsException if {@code target} exists, or appeared while importing
     * @throws java.nio.file.FileSystemException if another process is writing {@code target}
     * @throws IllegalArgumentException  if the options do not fit the file (a column not in the header)
     * @throws IOException               on an I/O error; nothing is left behind
     * @throws InterruptedException      if interrupted; nothing is left behind
     */
    public static ImportResult importFile(Path source, Path target, CsvOptions options)
            throws IOException, InterruptedException {
        return importFile(source, target, options, (bytes, rows) -> {});
    }

    /**
     * As {@link #importFile(Path, Path, CsvOptions)}, telling {@code progress} how much is parsed.
     */
    public static ImportResult importFile(Path source, Path target, CsvOptions options, Progress progress)
            throws IOException, InterruptedException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        String kind = FileKind.ifNotRegular(source); // or NoSuchFileException
        if (kind != null) {
            throw new CsvFormatException(source, "it is " + kind + ", not a CSV file", List.of(), 0);
        }
        return new CsvImporter(source, null, target, options, progress).importAll(start);
    }

    /**
     * Imports CSV text, plain or gzip (told by its first two bytes), read from {@code in} — a
     * pipe, stdin — as it comes, into a new store at {@code target}. As the text's size is not
     * known beforehand, it takes the route of a gzip file: parsed in chunks of a few MiB as they
     * are read, rows kept off-heap (about 20 bytes a row) until the end. Plain text cut short at
     * a line end cannot be told from shorter text; gzip can, and is refused.
     *
     * @param name what messages call the input, such as {@code stdin}
     * @param progress told how much is parsed
     * @throws CsvFormatException as {@link #importFile}, and if the text is empty, or Parquet or Arrow
     * @throws IOException        as {@link #importFile}; reading {@code in} is not retried
     * @throws InterruptedException if interrupted; a thread blocked reading {@code in} wakes only
     *                              if {@code in} reads an interruptible channel
     */
    public static ImportResult importStream(InputStream in, Path name, Path target, CsvOptions options,
                                            Progress progress) throws IOException, InterruptedException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        return new CsvImporter(name, in, target, options, progress).importAll(System.nanoTime());
    }

    private ImportResult importAll(long start) throws IOException, InterruptedException {
        AtomicFile.requireAbsent(target); // also fails if another import is writing it
        Path directory = target.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new NoSuchFileException(String.valueOf(directory), null, "the directory for the store does not exist");
        }
        ImportResult result;
        try {
            result = run(start);
        } catch (ClosedByInterruptException e) {
            // An interrupt during a read or write of this thread closed its channel: the interrupt is what happened.
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException("interrupted while importing " + source);
            interrupted.initCause(e);
            throw releaseAfter(interrupted);
        } catch (Throwable t) {
            releaseAfter(t);
            throw t;
        }
        release();
        return result;
    }

    private ImportResult run(long start) throws IOException, InterruptedException {
        if (stream != null) {
            readStream();
            errorLog.publish();
            return write(start);
        }
        try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ); Arena arena = Arena.ofShared()) {
            long size = channel.size();
            if (size == 0) {
                throw new CsvFormatException(source, "the file is empty; there is nothing to import", List.of(), 0);
            }
            if (isGzip(channel, size)) {
                try {
                    parseStream(new StrictGzipInputStream(Channels.newInputStream(channel)));
                } catch (ZipException | java.io.EOFException e) {
                    throw damagedGzip(e);
                }
            } else {
                parsePlain(channel, channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), arena);
            }
            errorLog.publish(); // the bad lines, also when they are too many to import; after a failure, release() deletes them
        }
        return write(start);
    }

    /** Runs {@code item} for chunks {@code 0 .. count-1} on the import's threads, in one task group. */
    private void eachChunk(long count, TaskGroup.Item item) throws IOException, InterruptedException {
        try {
            TaskGroup.runEach("tsproc-import", options.threads(), count, item);
        } catch (TaskGroupException e) {
            throw e.rethrowFirst(IOException.class);
        }
    }

    // ---- parsing a plain file -------------------------------------------------------------

    /** A step that reads {@code s[from, to)}, whose byte 0 is at {@code byteBase} in the file. */
    private interface ChunkStep {
        void run(MemorySegment s, long from, long to, long byteBase) throws Exception;
    }

    /**
     * Runs {@code step} on the file's bytes {@code [from, to)}, read into a reused buffer, or in
     * the mapping {@code data} if they do not fit one (a chunk cut after a very long line).
     * Reading costs less than the mapping: on the benchmark machine a first touch of a mapped
     * page-cache page cost about 1.6 µs, five times what {@code read} takes to copy the page
     * (docs/BENCHMARKS.md).
     */
    private void withChunk(FileChannel channel, MemorySegment data, Arena arena, long bufferBytes, long from, long to,
                           ChunkStep step) throws Exception {
        if (to - from > bufferBytes) {
            step.run(data, from, to, 0);
            return;
        }
        MemorySegment buffer = readBuffers.poll();
        if (buffer == null) {
            buffer = arena.allocate(bufferBytes, StoreLayout.ALIGNMENT);
        }
        try {
            MemorySegment bytes = buffer.asSlice(0, to - from);
            ByteBuffer view = bytes.asByteBuffer();
            while (view.hasRemaining()) {
                if (channel.read(view, from + view.position()) < 0) {
                    throw new IOException(source + " became shorter while it was being imported;"
                            + " import it again once nothing writes to it");
                }
            }
            step.run(bytes, 0, to - from, from);
        } finally {
            readBuffers.add(buffer);
        }
    }

    private void parsePlain(FileChannel channel, MemorySegment data, Arena arena) throws IOException, InterruptedException {
        long size = data.byteSize();
        long begin = hasBom(data, 0, size) ? 3 : 0;
        long dataStart = readLayout(data, begin, size);
        parsedBytes.set(dataStart); // the header counts as read, so that progress ends at the file's size
        long chunkBytes = options.chunkBytes() > 0 ? options.chunkBytes()
                : Math.clamp((size - dataStart) / (options.threads() * 8L), MIN_CHUNK_BYTES, MAX_CHUNK_BYTES);
        List<Long> bounds = new ArrayList<>();
        bounds.add(dataStart);
        for (long previous = dataStart; previous + chunkBytes < size; ) {
            long cut = previous + chunkBytes;
            while (cut < size && data.get(BYTE, cut - 1) != '\n') {
                cut++;
            }
            if (cut >= size) {
                break;
            }
            bounds.add(cut);
            previous = cut;
        }
        bounds.add(size);
        int count = bounds.size() - 1;
        inputBytes = size;
        long bufferBytes = chunkBytes + READ_SLACK_BYTES;
        long[] firstRow = new long[count + 1];
        eachChunk(count, index -> {
            int k = (int) index;
            withChunk(channel, data, arena, bufferBytes, bounds.get(k), bounds.get(k + 1),
                    (s, from, to, byteBase) -> firstRow[k + 1] = LineCounter.maxRows(s, from, to));
        });
        for (int k = 0; k < count; k++) {
            firstRow[k + 1] += firstRow[k];
        }
        direct = StoreWriter.create(target, firstRow[count], layout.hasSeries());
        synchronized (chunks) {
            for (int k = 0; k < count; k++) {
                chunks.add(null);
            }
        }
        eachChunk(count, index -> {
            int k = (int) index;
            if (failFast && k > firstFailedChunk.get()) {
                return;
            }
            ColumnBuffers rows = pooledBuffer(firstRow[k + 1] - firstRow[k]);
            rows.reset();
            try {
                withChunk(channel, data, arena, bufferBytes, bounds.get(k), bounds.get(k + 1), (s, from, to, byteBase) -> {
                    ParsedChunk chunk = parseChunk(k, rows, s, from, to, byteBase, false);
                    if (chunk != null) {
                        writeParsed(chunk, rows, firstRow[k]);
                    }
                });
            } finally {
                buffers.add(rows);
            }
        });
    }

    /**
     * Writes a plain file's chunk, just parsed into {@code rows}, into the store from
     * {@code firstRow}, sorted by time if it is not.
     */
    private void writeParsed(ParsedChunk chunk, ColumnBuffers rows, long firstRow) throws IOException {
        chunk.rows = null; // the buffer goes back to the pool: the chunk must not close it
        if (rows.rowCount() == 0) {
            return;
        }
        if (!chunk.sorted) {
            TimeOrder.sortChunk(rows);
        }
        direct.write(Column.TS, firstRow, rows.ts());
        direct.write(Column.VALUE, firstRow, rows.values());
        if (rows.withSeries()) {
            direct.write(Column.SERIES, firstRow, rows.series()); // chunk-local ids until prepare rewrites them
        }
        chunk.firstRow = firstRow;
    }

    /** Average line length near the start, to size the chunks' column buffers. */
    private static double bytesPerLine(MemorySegment data, long from, long to) {
        long end = Math.min(to, from + (64 << 10));
        long lines = 0;
        for (long p = from; p < end; p++) {
            if (data.get(BYTE, p) == '\n') {
                lines++;
            }
        }
        return Math.max(4.0, (double) (end - from) / Math.max(1, lines));
    }

    /**
     * Parses chunk {@code k} into {@code rows}; returns it if every line was read and its rows
     * are wanted, or null if parsing stopped early or the import will fail.
     */
    private ParsedChunk parseChunk(int k, ColumnBuffers rows, MemorySegment data, long from, long to, long byteBase,
                                   boolean truncatedTail) throws CsvFormatException {
        ParsedChunk chunk = null;
        try {
            chunk = parseChunkBody(k, rows, data, from, to, byteBase, truncatedTail);
            return chunk;
        } finally {
            long rowCount = chunk == null ? parsedRows.get() : parsedRows.addAndGet(chunk.rowCount);
            progress.parsed(parsedBytes.addAndGet(to - from), rowCount);
        }
    }

    private ParsedChunk parseChunkBody(int k, ColumnBuffers rows, MemorySegment data, long from, long to, long byteBase,
                                       boolean truncatedTail) throws CsvFormatException {
        ParsedChunk chunk = new ParsedChunk(k, rows);
        synchronized (chunks) {
            while (chunks.size() <= k) {
                chunks.add(null);
            }
            chunks.set(k, chunk);
        }
        boolean complete = parsers.get().parse(chunk, data, from, to, byteBase, truncatedTail,
                () -> Thread.currentThread().isInterrupted() || (failFast && k > firstFailedChunk.get()));
        if (chunk.series.size() > options.maxSeries()) {
            throw tooManySeries();
        }
        if (chunk.errorCount > 0 && failFast) {
            firstFailedChunk.accumulateAndGet(k, Math::min);
        }
        if (complete || chunk.errorCount > 0) {
            errorLog.chunkDone(chunk, complete);
        }
        return complete && !(failFast && chunk.errorCount > 0) ? chunk : null;
    }

    /** Reads the header (or counts the first line's fields), fixes the layout; returns where data starts. */
    private long readLayout(MemorySegment data, long begin, long end) throws IOException {
        long lineEnd = begin;
        long limit = Math.min(end, begin + options.maxLineBytes());
        while (lineEnd < limit && data.get(BYTE, lineEnd) != '\n') {
            lineEnd++;
        }
        if (lineEnd == limit && limit < end) {
            throw lineOneError(CsvError.Reason.LINE_TOO_LONG, begin,
                    "the line is longer than the limit of " + options.maxLineBytes() + " bytes");
        }
        long contentEnd = lineEnd > begin && data.get(BYTE, lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        byte delimiter = delimiterOf(data, begin, contentEnd);
        if (delimiter != options.delimiter()) {
            options = options.toBuilder().delimiter((char) delimiter).build();
        }
        List<String> fields = HeaderLine.split(data, begin, contentEnd, options.delimiter(),
                (reason, offset, detail) -> lineOneError(reason, offset, detail));
        if (contentEnd == begin) {
            throw new CsvFormatException(source, "line 1" + (options.header() ? ", the header," : "")
                    + " is empty; nothing was imported", List.of(), 0);
        }
        layout = CsvLayout.resolve(options, options.header() ? fields : null, fields.size());
        long dataStart = options.header() ? Math.min(end, lineEnd + 1) : begin;
        long firstLine = options.header() ? 2 : 1;
        if (options.timestampFormat() == TimestampFormat.AUTO) {
            String timestamp = firstTimestamp(data, dataStart, Math.min(end, dataStart + options.maxLineBytes()));
            if (timestamp != null && TimestampFormat.epochUnitUnclear(timestamp)) {
                throw new CsvFormatException(source, "line " + firstLine + ": "
                        + TimestampFormat.noEpochUnit(timestamp, timestamp.split("\\.")[0].length()) + "; nothing was imported",
                        List.of(), 0);
            }
            TimestampFormat unit = timestamp == null ? null : TimestampFormat.epochUnitOf(timestamp);
            if (unit != null) {
                options = options.toBuilder().timestampFormat(unit).build();
            }
        }
        errorLog = new ErrorLog(layout, firstLine, options.errorsOut());
        int kept = failFast ? 1 : options.errorsOut() != null ? Integer.MAX_VALUE : REPORTED_ERRORS;
        CsvLayout fixed = layout;
        CsvOptions told = options;
        parsers = ThreadLocal.withInitial(() -> new ChunkParser(fixed, told, kept));
        return dataStart;
    }

    /** Delimiters {@link #delimiterOf} looks for, as DuckDB's and Python's CSV sniffers do. */
    private static final byte[] SNIFFED_DELIMITERS = {',', ';', '\t', '|'};

    /**
     * The delimiter of the first line {@code s[from, to)}: the one asked for if the line holds it
     * outside quotes, else the only one of {@link #SNIFFED_DELIMITERS} that it holds (issue 14.5).
     * Without its delimiter a line is one field, which no import can use, so this changes only
     * files that would fail.
     */
    private byte delimiterOf(MemorySegment s, long from, long to) {
        int[] counts = new int[SNIFFED_DELIMITERS.length];
        boolean quoted = false;
        boolean asked = false;
        for (long p = from; p < to; p++) {
            byte b = s.get(BYTE, p);
            if (b == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                asked |= b == options.delimiter();
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += b == SNIFFED_DELIMITERS[i] ? 1 : 0;
                }
            }
        }
        byte found = options.delimiter();
        int kinds = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                found = SNIFFED_DELIMITERS[i];
                kinds++;
            }
        }
        return asked || kinds != 1 ? options.delimiter() : found;
    }

    /**
     * The timestamp field of the line at {@code from}, for {@link TimestampFormat#epochUnitOf},
     * or null if the line is not whole in {@code [from, end)} or not well formed (its parser
     * reports it).
     */
    private String firstTimestamp(MemorySegment data, long from, long end) {
        long lineEnd = from;
        while (lineEnd < end && data.get(BYTE, lineEnd) != '\n') {
            lineEnd++;
        }
        long contentEnd = lineEnd > from && data.get(BYTE, lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        try {
            List<String> fields = HeaderLine.split(data, from, contentEnd, options.delimiter(),
                    (reason, offset, detail) -> new CsvFormatException(source, detail, List.of(), 0));
            for (int i = 0; i < fields.size() && i < layout.fieldCount(); i++) {
                if (layout.roles()[i] == CsvLayout.TS) {
                    return fields.get(i);
                }
            }
        } catch (CsvFormatException notWellFormed) {
            // the parser reports the line with its number
        }
        return null;
    }

    private CsvFormatException lineOneError(CsvError.Reason reason, long offset, String detail) {
        CsvError error = new CsvError(1, offset, 0, "", reason, detail);
        return new CsvFormatException(source, error.message() + "; nothing was imported", List.of(error), 1);
    }

    // ---- parsing a gzip file --------------------------------------------------------------

    private record Work(int index, byte[] buffer, int from, int to, long byteBase, boolean truncatedTail) {}

    private static final Work END = new Work(-1, null, 0, 0, 0, false);

    /** Reads {@link #stream}: plain text, or gzip as its first two bytes tell; refuses columnar formats. */
    private void readStream() throws IOException, InterruptedException {
        byte[] head = stream.readNBytes(ARROW_MAGIC.length);
        if (head.length == 0) {
            throw new CsvFormatException(source, "the input is empty; there is nothing to import", List.of(), 0);
        }
        if (Arrays.equals(head, ARROW_MAGIC) || Arrays.equals(Arrays.copyOf(head, PARQUET_MAGIC.length), PARQUET_MAGIC)) {
            throw new CsvFormatException(source, "it is Parquet or Arrow, which is read from a file, not a pipe"
                    + " (the file's end says where its rows are); save it to a file and import that", List.of(), 0);
        }
        InputStream text = new SequenceInputStream(new ByteArrayInputStream(head), stream);
        boolean gzip = head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        try {
            parseStream(gzip ? new StrictGzipInputStream(text) : text);
        } catch (ZipException | java.io.EOFException e) {
            throw damagedGzip(e);
        }
    }

    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
    private static final byte[] ARROW_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

    /**
     * Parses text whose size is not known beforehand (gzip, a pipe): one thread reads it and cuts
     * it at line ends into chunks for the parser threads; the chunks keep their rows.
     */
    private void parseStream(InputStream stream) throws IOException, InterruptedException {
        int bufferBytes = (int) Math.max(options.chunkBytes() > 0 ? options.chunkBytes() : GZIP_CHUNK_BYTES,
                options.maxLineBytes() + 1L);
        int threads = options.threads();
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(threads + 2);
        BlockingQueue<Work> work = new ArrayBlockingQueue<>(threads + 1);
        try (InputStream in = stream) {
            byte[] buffer = new byte[bufferBytes];
            int filled = readFully(in, buffer, 0);
            MemorySegment first = MemorySegment.ofArray(buffer);
            int begin = hasBom(first, 0, filled) ? 3 : 0;
            int dataStart = (int) readLayout(first, begin, filled);
            double bytesPerLine = bytesPerLine(first, dataStart, filled);
            for (int i = 0; i < threads + 1; i++) {
                free.add(new byte[bufferBytes]);
            }
            try (TaskGroup group = new TaskGroup("tsproc-import", TaskGroup.Policy.CANCEL, Thread.ofPlatform().factory())) {
                for (int i = 0; i < threads; i++) {
                    group.fork("tsproc-import-" + i, () -> {
                        for (Work w; (w = work.take()) != END; ) {
                            if (!(failFast && w.index > firstFailedChunk.get())) {
                                ColumnBuffers rows = new ColumnBuffers((long) ((w.to - w.from) / bytesPerLine * 1.1) + 16,
                                        layout.hasSeries());
                                parseChunk(w.index, rows, MemorySegment.ofArray(w.buffer), w.from, w.to, w.byteBase,
                                        w.truncatedTail);
                            }
                            free.add(w.buffer);
                        }
                        return null;
                    });
                }
                byte[] head = buffer;
                group.fork("tsproc-import-gunzip", () -> {
                    try {
                        readChunks(in, head, filled, dataStart, free, work);
                    } catch (ZipException | java.io.EOFException e) {
                        throw damagedGzip(e);
                    }
                    for (int i = 0; i < threads; i++) {
                        work.put(END);
                    }
                    return null;
                });
                group.join();
            } catch (TaskGroupException e) {
                throw e.rethrowFirst(IOException.class);
            }
        }
    }

    private CsvFormatException damagedGzip(IOException e) {
        return new CsvFormatException(source, "the gzip data is damaged or cut short (" + e.getMessage()
                + "); nothing was imported", List.of(), 0);
    }

    /** The decompressing loop: cuts the stream at line ends into chunks for the parser threads. */
    private void readChunks(InputStream in, byte[] buffer, int filled, int from, BlockingQueue<byte[]> free,
                            BlockingQueue<Work> work) throws IOException, InterruptedException {
        long base = 0;
        int index = 0;
        boolean eof = filled < buffer.length;
        while (filled > from && !(failFast && firstFailedChunk.get() < Integer.MAX_VALUE)) {
            int cut = filled;
            boolean truncated = false;
            if (!eof) {
                cut = lastNewline(buffer, from, filled) + 1;
                if (cut == 0) { // no line end in a full buffer: a line longer than the limit
                    cut = filled;
                    truncated = true;
                }
            }
            byte[] next = free.take();
            int carry = filled - cut;
            System.arraycopy(buffer, cut, next, 0, carry);
            work.put(new Work(index++, buffer, from, cut, base, truncated));
            base += cut;
            if (truncated) { // drop the rest of the overlong line
                carry = 0;
                while (true) {
                    int n = in.read(next, 0, next.length);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    int newline = indexOf(next, 0, n, (byte) '\n');
                    if (newline >= 0) {
                        base += newline + 1;
                        carry = n - newline - 1;
                        System.arraycopy(next, newline + 1, next, 0, carry);
                        break;
                    }
                    base += n;
                }
            }
            inputBytes = base + carry;
            buffer = next;
            from = 0;
            filled = eof ? carry : readFully(in, buffer, carry);
            eof = eof || filled < buffer.length;
            inputBytes = base + filled;
        }
        inputBytes = base + filled;
    }

    private static int readFully(InputStream in, byte[] buffer, int from) throws IOException {
        int n = from;
        while (n < buffer.length) {
            int read = in.read(buffer, n, buffer.length - n);
            if (read < 0) {
                break;
            }
            n += read;
        }
        return n;
    }

    private static int lastNewline(byte[] b, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isGzip(FileChannel channel, long size) throws IOException {
        if (size < 2) {
            return false;
        }
        ByteBuffer magic = ByteBuffer.allocate(2);
        while (magic.hasRemaining() && channel.read(magic, magic.position()) >= 0) {
            // read both bytes
        }
        return (magic.get(0) & 0xFF) == 0x1F && (magic.get(1) & 0xFF) == 0x8B;
    }

    private static boolean hasBom(MemorySegment s, long from, long to) {
        return to - from >= 3 && (s.get(BYTE, from) & 0xFF) == 0xEF && (s.get(BYTE, from + 1) & 0xFF) == 0xBB
                && (s.get(BYTE, from + 2) & 0xFF) == 0xBF;
    }

    // ---- after parsing: dictionary, order, store --------------------------------------------

    private ImportResult write(long start) throws IOException, InterruptedException {
        List<ParsedChunk> parsed;
        synchronized (chunks) {
            parsed = new ArrayList<>(chunks);
        }
        long errorCount = errorLog.errorCount();
        List<CsvError> first = errorLog.first();
        if (failFast && errorCount > 0) {
            throw new CsvFormatException(source, first.getFirst().message() + "; nothing was imported", first, errorCount);
        }
        long rows = 0;
        for (ParsedChunk chunk : parsed) {
            rows += chunk.rowCount;
        }
        long lines = errorLog.nextLine() - 1;
        if (rows == 0) {
            throw new CsvFormatException(source, errorCount == 1
                    ? "its only data line is bad: " + first.getFirst().message() + "; nothing was imported"
                    : errorCount > 0 ? "all " + errorCount + " data lines are bad; nothing was imported"
                    : options.header() ? "the file has a header but no data lines" : "the file has no data lines",
                    first, errorCount);
        }
        SeriesDictionary dictionary = mergeDictionary(parsed);
        boolean inOrder = true;
        long previousLast = Long.MIN_VALUE;
        for (ParsedChunk chunk : parsed) {
            if (chunk.rowCount > 0) {
                inOrder &= chunk.sorted && chunk.firstTs >= previousLast;
                previousLast = chunk.lastTs;
            }
        }
        eachChunk(parsed.size(), k -> prepare(parsed.get((int) k)));
        if (direct != null && inOrder && rows == direct.rowCount()) {
            direct.commit(dictionary); // the usual case: every row is in place
        } else if (inOrder) {
            closeUp(parsed, rows, dictionary);
        } else {
            try (Arena mapped = Arena.ofShared()) {
                merge(runs(parsed, mapped), rows, dictionary);
            }
        }
        return new ImportResult(target, rows, dictionary.size(), lines, errorCount, first, inputBytes, !inOrder,
                options.timestampFormat(), (char) options.delimiter(), System.nanoTime() - start);
    }

    /**
     * Rewrites a chunk's series ids to global ones, in its buffer or in the store, and sorts a
     * chunk that kept its rows by time if needed (a plain file's chunks were sorted before they
     * were written).
     */
    private void prepare(ParsedChunk chunk) throws IOException {
        if (chunk.rowCount == 0) {
            return;
        }
        ColumnBuffers rows = chunk.rows;
        if (rows != null) {
            if (rows.withSeries()) {
                toGlobalIds(rows.series(), chunk.globalIds);
            }
            if (!chunk.sorted) {
                TimeOrder.sortChunk(rows);
            }
        } else if (layout.hasSeries()) {
            // Read back and written again with system calls: cheaper than a first touch of the mapped store.
            ColumnBuffers buffer = pooledBuffer(chunk.rowCount);
            try {
                MemorySegment ids = buffer.scratch(Column.SERIES, chunk.rowCount);
                direct.read(Column.SERIES, chunk.firstRow, ids);
                toGlobalIds(ids, chunk.globalIds);
                direct.overwrite(Column.SERIES, chunk.firstRow, ids);
            } finally {
                buffers.add(buffer);
            }
        }
    }

    private ColumnBuffers pooledBuffer(long rows) {
        ColumnBuffers buffer = buffers.poll();
        return buffer != null ? buffer : new ColumnBuffers(rows, layout.hasSeries());
    }

    private static void toGlobalIds(MemorySegment ids, int[] global) {
        for (long i = 0, n = ids.byteSize() / Integer.BYTES; i < n; i++) {
            ids.setAtIndex(Column.SERIES_LAYOUT, i, global[ids.getAtIndex(Column.SERIES_LAYOUT, i)]);
        }
    }

    /**
     * The chunks' rows, each chunk sorted, in file order, for a merge: from their buffers, or for
     * a plain file from the places they were written in {@link #direct}, mapped in {@code arena}
     * (a merge reads from every run at once; buffers per run would not make it cheaper).
     */
    private List<TimeOrder.Run> runs(List<ParsedChunk> parsed, Arena arena) throws IOException {
        MemorySegment ts = direct == null ? null : direct.mapWritten(Column.TS, arena);
        MemorySegment values = direct == null ? null : direct.mapWritten(Column.VALUE, arena);
        MemorySegment series = direct == null || !layout.hasSeries() ? MemorySegment.NULL
                : direct.mapWritten(Column.SERIES, arena);
        List<TimeOrder.Run> runs = new ArrayList<>();
        for (ParsedChunk chunk : parsed) {
            if (chunk.rowCount == 0) {
                continue;
            }
            if (chunk.rows != null) {
                runs.add(chunk.rows.asRun());
            } else {
                runs.add(new TimeOrder.Run(slice(ts, Column.TS, chunk), slice(values, Column.VALUE, chunk),
                        series.byteSize() == 0 ? series : slice(series, Column.SERIES, chunk), chunk.rowCount));
            }
        }
        return runs;
    }

    private static MemorySegment slice(MemorySegment column, Column type, ParsedChunk chunk) {
        return column.asSlice(type.byteSize(chunk.firstRow), type.byteSize(chunk.rowCount));
    }

    /** Merges {@code runs}, in file order, by time into a new store of {@code rows} rows. */
    private void merge(List<TimeOrder.Run> runs, long rows, SeriesDictionary dictionary)
            throws IOException, InterruptedException {
        try (StoreWriter writer = StoreWriter.create(target, rows, dictionary)) {
            TimeOrder.merge(runs, writer, options.threads());
            writer.commit();
        }
    }

    /**
     * Writes the chunks' rows, which are in time order, one after the other into a new store of
     * {@code rows} rows, closing up the places reserved for rows that a plain file's chunks did
     * not fill.
     */
    private void closeUp(List<ParsedChunk> parsed, long rows, SeriesDictionary dictionary)
            throws IOException, InterruptedException {
        long[] firstRow = new long[parsed.size() + 1];
        for (int k = 0; k < parsed.size(); k++) {
            firstRow[k + 1] = firstRow[k] + parsed.get(k).rowCount;
        }
        try (StoreWriter writer = StoreWriter.create(target, rows, dictionary)) {
            eachChunk(parsed.size(), k -> copyChunk(parsed.get((int) k), writer, firstRow[(int) k]));
            writer.commit();
        }
    }

    /** Writes a chunk's rows from row {@code firstRow} of {@code writer}: from its buffers, or read back from {@link #direct}. */
    private void copyChunk(ParsedChunk chunk, StoreWriter writer, long firstRow) throws IOException {
        if (chunk.rowCount == 0) {
            return;
        }
        // Read back with system calls into a reused buffer: cheaper than a first touch of the mapped store.
        ColumnBuffers buffer = chunk.rows != null ? null : pooledBuffer(chunk.rowCount);
        try {
            for (Column column : writer.columns()) {
                MemorySegment rows;
                if (buffer == null) {
                    rows = chunk.rows.column(column);
                } else {
                    rows = buffer.scratch(column, chunk.rowCount);
                    direct.read(column, chunk.firstRow, rows);
                }
                writer.write(column, firstRow, rows);
            }
        } finally {
            if (buffer != null) {
                buffers.add(buffer);
            }
        }
    }

    /** Merges the chunks' series tables into one dictionary sorted by UTF-8 bytes; fills their globalIds. */
    private SeriesDictionary mergeDictionary(List<ParsedChunk> parsed) throws CsvFormatException {
        if (!layout.hasSeries()) {
            return SeriesDictionary.empty();
        }
        SeriesTable.Merged merged = SeriesTable.merge(parsed.stream().map(chunk -> chunk.series).toList(), options.maxSeries());
        if (merged == null) {
            throw tooManySeries();
        }
        for (int k = 0; k < parsed.size(); k++) {
            parsed.get(k).globalIds = merged.globalIds().get(k);
        }
        return merged.dictionary();
    }

    private CsvFormatException tooManySeries() {
        return new CsvFormatException(source, String.format(java.util.Locale.ROOT,
                "it has more than %,d distinct series, the most a store can hold; nothing was imported",
                options.maxSeries()), List.of(), 0);
    }

    /** Releases what the import holds after {@code failure}, to which a failure to clean up is attached; returns it. */
    private <T extends Throwable> T releaseAfter(T failure) {
        try {
            release();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** Closes the errors file, frees the buffers and deletes the store being written, unless it was committed. */
    private void release() throws IOException {
        for (ColumnBuffers rows; (rows = buffers.poll()) != null; ) {
            rows.close();
        }
        readBuffers.clear(); // their arena, the mapping's, is closed when parsing ends
        synchronized (chunks) {
            for (ParsedChunk chunk : chunks) {
                if (chunk != null) {
                    chunk.close();
                }
            }
            chunks.clear();
        }
        try {
            if (direct != null) {
                direct.close(); // deletes its file unless it became the store
            }
        } finally {
            if (errorLog != null) {
                errorLog.close();
            }
        }
    }
}
