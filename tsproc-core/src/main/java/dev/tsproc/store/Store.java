package dev.tsproc.store;

import dev.tsproc.data.Batch;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.LongStream;

/**
 * An open store: a file memory-mapped read-only, whose columns are {@link MemorySegment}s.
 *
 * <p>Opening is loading: {@link #open} reads and validates the header and the dictionary
 * (a few bytes), then maps the whole file; the operating system pages column bytes in as
 * they are touched, and every process that maps the same file shares the same physical
 * pages. Every header field is checked against the file's size before any offset is trusted,
 * so a truncated or damaged file is rejected with a {@link CorruptStoreException} instead of
 * crashing the JVM with SIGBUS.
 *
 * <p>Column data is checked as it is read: a {@link #view} checks each checksum block
 * ({@link StoreLayout#BLOCK_ROWS} rows) of a column's rows in the batch when the job first asks
 * for the column, unless this open store checked the block before — its CRC32C, the time order
 * within it and against the row before, its series ids — so a damaged block fails the batch
 * that reads it and the store never answers from it, at the cost of one pass over bytes the job
 * reads anyway. Version-1 stores have no block checksums,
 * only one per column, which only reading everything can check: {@link #verifyChecksums()} does
 * it on demand, and {@link #verify()} also checks the time order and series ids of every row.
 *
 * <p>Thread safety: an open store may be read from any number of threads. {@link #close()}
 * unmaps the file; views obtained earlier must not be used afterwards (the shared arena
 * makes such a use fail with an exception, not a crash).
 */
public final class Store implements AutoCloseable {

    /**
     * Why reading a mapped store failed with an {@link InternalError}: the JVM's report of a
     * SIGBUS, which an access past the end of a file that shrank under its mapping raises.
     */
    public static final String TRUNCATED_WHILE_READING = "the store was truncated or removed while being read";

    /** Where a column lives in the file, and its checksum. */
    public record ColumnInfo(Column column, long byteOffset, long byteLength, int crc32c) {}

    /**
     * Which file a store was opened from and what it holds, so that every process of a run can
     * prove it reads the same store: a file replaced at the same path has another inode, and
     * one rewritten in place another header checksum, which covers the checksum of every column
     * and of the dictionary.
     */
    public record Identity(long device, long inode, long fileSize, int headerCrc) {}

    private final Path path;
    private final Identity identity;
    private final int formatVersion;
    private final long rowCount;
    private final Map<Column, ColumnInfo> columns;
    private final SeriesDictionary dictionary;
    private final Arena arena;
    private final Map<Column, MemorySegment> segments = new EnumMap<>(Column.class);
    /** Each column's block checksums (version 2); empty for version 1. */
    private final Map<Column, MemorySegment> blockCrcs = new EnumMap<>(Column.class);
    /** Each column's blocks checked so far, one bit a block: set once, never cleared. */
    private final Map<Column, AtomicLongArray> checkedBlocks = new EnumMap<>(Column.class);

    private Store(Path path, Identity identity, Header header, SeriesDictionary dictionary, Arena arena, MemorySegment mapped) {
        this.path = path;
        this.identity = identity;
        this.formatVersion = header.version;
        this.rowCount = header.rowCount;
        this.columns = Collections.unmodifiableMap(header.columns);
        this.dictionary = dictionary;
        this.arena = arena;
        long blocks = StoreLayout.blockCount(rowCount);
        for (ColumnInfo info : columns.values()) {
            segments.put(info.column(), mapped.asSlice(info.byteOffset(), info.byteLength()).asReadOnly());
            if (header.blockCrcOffset != 0) {
                long at = header.blockCrcOffset + 4 * blocks * header.tableOrder.indexOf(info.column());
                blockCrcs.put(info.column(), mapped.asSlice(at, 4 * blocks).asReadOnly());
                checkedBlocks.put(info.column(), new AtomicLongArray(Math.toIntExact((blocks + 63) / 64)));
            }
        }
    }

    /**
     * Opens and validates the store at {@code path}, mapping it read-only.
     *
     * @throws CorruptStoreException if the file is not a valid store, or not a regular file
     *                               (a directory, FIFO, device or socket: see {@link FileKind})
     * @throws NoSuchFileException   if there is no such file
     */
    public static Store open(Path path) throws IOException {
        String kind = FileKind.ifNotRegular(path);
        if (kind != null) {
            throw new CorruptStoreException(path, "it is " + kind);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            // Read after the open: if the path was replaced in between, the inode names the new
            // file and the header checksum the old one, so the identity matches neither.
            Map<String, Object> inode = Files.readAttributes(path, "unix:dev,ino");
            long fileSize = channel.size();
            Header header = Header.read(path, channel, fileSize);
            Identity identity = new Identity((Long) inode.get("dev"), (Long) inode.get("ino"), fileSize, header.crc);
            SeriesDictionary dictionary = readDictionary(path, channel, header);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
                return new Store(path, identity, header, dictionary, arena, mapped);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    /** The file this store was opened from; another process can {@link #open} it by this path. */
    public Path path() {
        return path;
    }

    /** Size of the file in bytes. */
    public long fileSize() {
        return identity.fileSize();
    }

    /** The file and content this store was opened with, to compare with another open of its path. */
    public Identity identity() {
        return identity;
    }

    /** The format version the file was written in (docs/FORMAT.md, "Versioning"). */
    public int formatVersion() {
        return formatVersion;
    }

    /** Number of rows. */
    public long rowCount() {
        return rowCount;
    }

    /** Whether the store has a series column. */
    public boolean hasSeries() {
        return columns.containsKey(Column.SERIES);
    }

    /** Names of the series ids; empty when there is no series column. */
    public SeriesDictionary dictionary() {
        return dictionary;
    }

    /** The columns in file order. */
    public List<ColumnInfo> columns() {
        return List.copyOf(columns.values());
    }

    /** The whole of {@code column}, read-only. */
    public MemorySegment column(Column column) {
        MemorySegment segment = segments.get(column);
        if (segment == null) {
            throw new IllegalArgumentException(path + " has no " + column + " column");
        }
        return segment;
    }

    /**
     * A zero-copy view of {@code batch}'s rows, which checks a column's blocks of those rows
     * ({@link #checkRows(Column, long, long)}) the first time it hands the column out. A damaged
     * block makes that access throw an {@link UncheckedIOException} whose cause is the
     * {@link CorruptStoreException}.
     */
    public BatchView view(Batch batch) {
        long rowOffset = batch.rowOffset();
        long rowCount = batch.rowCount();
        if (rowOffset < 0 || rowCount < 0 || rowOffset > this.rowCount - rowCount) {
            throw new IndexOutOfBoundsException("rows [" + rowOffset + ", +" + rowCount + ") outside [0, " + this.rowCount + ")");
        }
        BatchView.FirstRead check = blockCrcs.isEmpty() ? BatchView.FirstRead.NONE : column -> {
            try {
                checkRows(column, rowOffset, rowCount);
            } catch (CorruptStoreException e) {
                throw new UncheckedIOException(e);
            }
        };
        MemorySegment series = hasSeries()
                ? slice(Column.SERIES, rowOffset, rowCount)
                : MemorySegment.NULL;
        return new BatchView(batch,
                slice(Column.TS, rowOffset, rowCount), slice(Column.VALUE, rowOffset, rowCount), series, dictionary, check);
    }

    /** Whether {@link #checkRows} checks blocks as they are read: a version-2 store. */
    public boolean checksBlocksAsRead() {
        return !blockCrcs.isEmpty();
    }

    /** As {@link #checkRows(Column, long, long)} for every column of the store. */
    public void checkRows(long rowOffset, long rowCount) throws CorruptStoreException {
        for (Column column : segments.keySet()) {
            checkRows(column, rowOffset, rowCount);
        }
    }

    /**
     * Checks every checksum block of {@code column} that holds one of rows {@code [rowOffset,
     * rowOffset + rowCount)}, unless this open store checked it before: its CRC32C, for
     * {@code ts} that no timestamp is below the one before it (in the block or the row before
     * the block), for {@code series} that every id names a series of the dictionary. Many threads
     * may check at once; a block two of them check together is read twice, never skipped. Does
     * nothing for a version-1 store ({@link #checksBlocksAsRead()}).
     *
     * @throws CorruptStoreException naming the column, rows and block of the first damage found
     */
    public void checkRows(Column column, long rowOffset, long rowCount) throws CorruptStoreException {
        if (rowOffset < 0 || rowCount < 0 || rowOffset > this.rowCount - rowCount) {
            throw new IndexOutOfBoundsException("rows [" + rowOffset + ", +" + rowCount + ") outside [0, " + this.rowCount + ")");
        }
        AtomicLongArray checked = checkedBlocks.get(column);
        if (rowCount == 0 || checked == null) {
            return;
        }
        long last = (rowOffset + rowCount - 1) / StoreLayout.BLOCK_ROWS;
        for (long block = rowOffset / StoreLayout.BLOCK_ROWS; block <= last; block++) {
            long bit = 1L << block;
            if ((checked.get((int) (block >>> 6)) & bit) == 0) {
                checkBlock(column, block);
                checked.getAndAccumulate((int) (block >>> 6), bit, (a, b) -> a | b);
            }
        }
    }

    private void checkBlock(Column column, long block) throws CorruptStoreException {
        long from = block * StoreLayout.BLOCK_ROWS;
        long to = Math.min(rowCount, from + StoreLayout.BLOCK_ROWS);
        int stored = blockCrcs.get(column).getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), block);
        int computed = Crc32c.of(slice(column, from, to - from));
        if (computed != stored) {
            throw new CorruptStoreException(path, "the " + column.name().toLowerCase() + " column's checksum does not match in rows "
                    + from + ".." + (to - 1) + " (block " + block + ": stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString(computed) + "); the data is damaged");
        }
        long bad = switch (column) {
            case TS -> firstDescent(Math.max(1, from), to);
            case SERIES -> firstUnknownSeries(from, to);
            case VALUE -> -1;
        };
        if (bad >= 0) {
            throw disorder(bad);
        }
    }

    private MemorySegment slice(Column column, long rowOffset, long rowCount) {
        return segments.get(column).asSlice(column.byteSize(rowOffset), column.byteSize(rowCount));
    }

    /**
     * Verifies everything a reader can: the checksums ({@link #verifyChecksums()}), then the
     * order ({@link #verifyOrder()}).
     *
     * @throws CorruptStoreException naming the first damage found
     */
    public void verify() throws CorruptStoreException {
        verifyChecksums();
        verifyOrder();
    }

    /**
     * Checks what every job relies on and a checksum cannot vouch for (a writer with a bug
     * computes the checksum of wrong data): {@code ts} ascends, so time ranges are found by
     * binary search and buckets are contiguous, and every series id names a series of the
     * dictionary. Reads the two columns once, using all cores.
     *
     * @throws CorruptStoreException naming a row out of order, or with an unknown series id
     */
    public void verifyOrder() throws CorruptStoreException {
        verifyOrder(8L << 20);
    }

    /** As {@link #verifyOrder()}, checking pieces of {@code piece} rows in parallel. */
    void verifyOrder(long piece) throws CorruptStoreException {
        long pieces = Math.max(1, (rowCount + piece - 1) / piece);
        long firstBad = LongStream.range(0, pieces).parallel().map(p -> {
            long from = p * piece;
            long to = Math.min(rowCount, from + piece);
            long bad = firstDescent(Math.max(1, from), to);
            if (bad < 0 && hasSeries()) {
                bad = firstUnknownSeries(from, to);
            }
            return bad < 0 ? Long.MAX_VALUE : bad;
        }).min().orElse(Long.MAX_VALUE);
        if (firstBad != Long.MAX_VALUE) {
            throw disorder(firstBad);
        }
    }

    /** The first row in {@code [from, to)}, {@code from >= 1}, whose timestamp is below the row before's; -1 if none. */
    private long firstDescent(long from, long to) {
        MemorySegment ts = segments.get(Column.TS);
        // Without an early exit the loop compiles to wide compares, which matters in a one-shot
        // JVM where each block is checked once; the row is looked for only once there is one.
        int descents = 0;
        for (long i = from; i < to; i++) {
            descents |= ts.getAtIndex(Column.TS_LAYOUT, i) < ts.getAtIndex(Column.TS_LAYOUT, i - 1) ? 1 : 0;
        }
        for (long i = from; descents != 0; i++) {
            if (ts.getAtIndex(Column.TS_LAYOUT, i) < ts.getAtIndex(Column.TS_LAYOUT, i - 1)) {
                return i;
            }
        }
        return -1;
    }

    /** The first row in {@code [from, to)} whose series id names no series of the dictionary; -1 if none. */
    private long firstUnknownSeries(long from, long to) {
        MemorySegment series = segments.get(Column.SERIES);
        int names = dictionary.size();
        for (long i = from; i < to; i++) {
            int id = series.getAtIndex(Column.SERIES_LAYOUT, i);
            if (id < 0 || id >= names) {
                return i;
            }
        }
        return -1;
    }

    /** What is wrong with row {@code i}, which {@link #firstDescent} or {@link #firstUnknownSeries} found. */
    private CorruptStoreException disorder(long i) {
        MemorySegment ts = segments.get(Column.TS);
        if (i > 0 && ts.getAtIndex(Column.TS_LAYOUT, i) < ts.getAtIndex(Column.TS_LAYOUT, i - 1)) {
            return new CorruptStoreException(path, "timestamps descend at row " + i + " (" + ts.getAtIndex(Column.TS_LAYOUT, i)
                    + " after " + ts.getAtIndex(Column.TS_LAYOUT, i - 1) + "); a store must be in time order — re-import it");
        }
        return new CorruptStoreException(path, "row " + i + " has series id " + segments.get(Column.SERIES).getAtIndex(Column.SERIES_LAYOUT, i)
                + ", but the dictionary has " + dictionary.size() + " series; the store is damaged");
    }

    /**
     * Reads every column and compares its CRC32C with the one recorded at write time, using
     * all cores.
     *
     * @throws CorruptStoreException naming the first column whose checksum differs
     */
    public void verifyChecksums() throws CorruptStoreException {
        final long piece = 64L << 20;
        for (ColumnInfo info : columns.values()) {
            MemorySegment segment = segments.get(info.column());
            int pieces = (int) Math.max(1, (segment.byteSize() + piece - 1) / piece);
            int[] crcs = new int[pieces];
            LongStream.range(0, pieces).parallel().forEach(i -> {
                long from = i * piece;
                crcs[(int) i] = Crc32c.of(segment.asSlice(from, Math.min(piece, segment.byteSize() - from)));
            });
            int crc = 0;
            for (int i = 0; i < pieces; i++) {
                crc = Crc32c.combine(crc, crcs[i], Math.min(piece, segment.byteSize() - i * piece));
            }
            if (crc != info.crc32c()) {
                throw new CorruptStoreException(path, "the " + info.column().name().toLowerCase()
                        + " column's checksum does not match (stored " + Integer.toHexString(info.crc32c())
                        + ", computed " + Integer.toHexString(crc) + "); the data is damaged");
            }
        }
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "Store[" + path + ", " + rowCount + " rows]";
    }

    /**
     * @param tableOrder     the columns in the order of the column table, which the block checksum table follows
     * @param blockCrcOffset where the block checksum table starts; 0 in version 1, which has none
     */
    private record Header(int version, int crc, long rowCount, Map<Column, ColumnInfo> columns, List<Column> tableOrder,
                          long dictionaryOffset, long dictionaryLength, int dictionaryCrc, long blockCrcOffset) {

        static Header read(Path path, FileChannel channel, long fileSize) throws IOException {
            if (fileSize < StoreLayout.HEADER_SIZE) {
                throw new CorruptStoreException(path, "it is " + fileSize + " bytes long, shorter than a store header");
            }
            ByteBuffer fixed = readAt(channel, 0, StoreLayout.HEADER_SIZE);
            byte[] magic = new byte[StoreLayout.MAGIC.length];
            fixed.get(0, magic);
            if (!Arrays.equals(magic, StoreLayout.MAGIC)) {
                throw new CorruptStoreException(path, "it does not start with the tsproc magic bytes");
            }
            int version = fixed.getInt(StoreLayout.VERSION_OFFSET);
            if (version < StoreLayout.OLDEST_READABLE_VERSION || version > StoreLayout.VERSION) {
                throw new CorruptStoreException(path, "format version=" + version + " is not supported (this build reads versions "
                        + StoreLayout.OLDEST_READABLE_VERSION + " to " + StoreLayout.VERSION + ")");
            }
            int columnCount = fixed.getInt(StoreLayout.COLUMN_COUNT_OFFSET);
            if (columnCount < 2 || columnCount > StoreLayout.MAX_COLUMNS) {
                throw new CorruptStoreException(path, "columnCount=" + columnCount + " is outside [2, " + StoreLayout.MAX_COLUMNS + "]");
            }
            int headerLength = fixed.getInt(StoreLayout.HEADER_LENGTH_OFFSET);
            if (headerLength != StoreLayout.headerLength(columnCount) || headerLength > fileSize) {
                throw new CorruptStoreException(path, "headerLength=" + headerLength + " does not fit columnCount="
                        + columnCount + " and fileSize=" + fileSize);
            }
            ByteBuffer all = readAt(channel, 0, headerLength);
            int storedCrc = all.getInt(StoreLayout.HEADER_CRC_OFFSET);
            all.putInt(StoreLayout.HEADER_CRC_OFFSET, 0);
            int crc = Crc32c.of(java.lang.foreign.MemorySegment.ofBuffer(all.clear()));
            if (crc != storedCrc) {
                throw new CorruptStoreException(path, "the header checksum does not match; the header is damaged");
            }
            // No version gives flags a meaning: a writer that set them meant something this
            // build cannot know, so reading on could give a wrong answer.
            int flags = all.getInt(StoreLayout.FLAGS_OFFSET);
            if (flags != 0) {
                throw new CorruptStoreException(path, "flags=0x" + Integer.toHexString(flags) + " sets bits this build does not know");
            }
            long blockCrcOffset = all.getLong(StoreLayout.BLOCK_CRC_OFFSET_OFFSET);
            if (version == 1 && blockCrcOffset != 0) {
                throw new CorruptStoreException(path, "the reserved header bytes 56..63 are not zero");
            }
            long rowCount = all.getLong(StoreLayout.ROW_COUNT_OFFSET);
            if (rowCount < 0) {
                throw new CorruptStoreException(path, "rowCount=" + rowCount + " is negative");
            }
            Map<Column, ColumnInfo> columns = new EnumMap<>(Column.class);
            List<Column> tableOrder = new ArrayList<>();
            long dataStart = headerLength;
            List<long[]> extents = new ArrayList<>();
            for (int i = 0; i < columnCount; i++) {
                int at = (int) StoreLayout.entryOffset(i);
                int id = all.getInt(at + StoreLayout.ENTRY_COLUMN_ID_OFFSET);
                Column column = Column.byId(id);
                if (column == null || columns.containsKey(column)) {
                    throw new CorruptStoreException(path, "column " + i + " has " + (column == null ? "unknown" : "duplicate") + " columnId=" + id);
                }
                int type = all.getInt(at + StoreLayout.ENTRY_TYPE_OFFSET);
                if (type != StoreLayout.typeCode(column)) {
                    throw new CorruptStoreException(path, column.name().toLowerCase() + " column has type=" + type
                            + ", expected " + StoreLayout.typeCode(column));
                }
                int reserved = all.getInt(at + StoreLayout.ENTRY_RESERVED_OFFSET);
                if (reserved != 0) {
                    throw new CorruptStoreException(path, column.name().toLowerCase() + " column reserved=" + reserved + " is not zero");
                }
                long offset = all.getLong(at + StoreLayout.ENTRY_OFFSET_OFFSET);
                long length = all.getLong(at + StoreLayout.ENTRY_LENGTH_OFFSET);
                checkExtent(path, column.name().toLowerCase() + " column", offset, length, dataStart, fileSize);
                if (offset % StoreLayout.ALIGNMENT != 0) {
                    throw new CorruptStoreException(path, column.name().toLowerCase() + " column offset=" + offset + " is not 64-byte aligned");
                }
                long expected = rowCount > Long.MAX_VALUE / column.byteWidth() ? -1 : column.byteSize(rowCount);
                if (length != expected) {
                    throw new CorruptStoreException(path, column.name().toLowerCase() + " column length=" + length
                            + " does not hold rowCount=" + rowCount + " elements");
                }
                extents.add(new long[] {offset, length});
                columns.put(column, new ColumnInfo(column, offset, length, all.getInt(at + StoreLayout.ENTRY_CRC_OFFSET)));
                tableOrder.add(column);
            }
            if (!columns.containsKey(Column.TS) || !columns.containsKey(Column.VALUE)) {
                throw new CorruptStoreException(path, "it lacks the ts or the value column");
            }
            long dictionaryOffset = all.getLong(StoreLayout.DICTIONARY_OFFSET_OFFSET);
            long dictionaryLength = all.getLong(StoreLayout.DICTIONARY_LENGTH_OFFSET);
            checkExtent(path, "dictionary", dictionaryOffset, dictionaryLength, dataStart, fileSize);
            if (dictionaryLength < 4 || dictionaryLength > Integer.MAX_VALUE - 8) {
                throw new CorruptStoreException(path, "dictionaryLength=" + dictionaryLength + " is out of range");
            }
            extents.add(new long[] {dictionaryOffset, dictionaryLength});
            if (version >= 2) {
                long tableLength = StoreLayout.blockCrcTableLength(columnCount, rowCount);
                checkExtent(path, "block checksum table", blockCrcOffset, tableLength, dataStart, fileSize);
                if (blockCrcOffset % StoreLayout.ALIGNMENT != 0) {
                    throw new CorruptStoreException(path, "blockCrcOffset=" + blockCrcOffset + " is not 64-byte aligned");
                }
                extents.add(new long[] {blockCrcOffset, tableLength});
            }
            // Empty blocks first where offsets tie: an empty block overlaps nothing.
            extents.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            for (int i = 1; i < extents.size(); i++) {
                if (extents.get(i)[0] < extents.get(i - 1)[0] + extents.get(i - 1)[1]) {
                    throw new CorruptStoreException(path, "blocks at offsets " + extents.get(i - 1)[0] + " and " + extents.get(i)[0] + " overlap");
                }
            }
            return new Header(version, crc, rowCount, columns, tableOrder, dictionaryOffset, dictionaryLength,
                    all.getInt(StoreLayout.DICTIONARY_CRC_OFFSET), blockCrcOffset);
        }

        private static void checkExtent(Path path, String what, long offset, long length, long dataStart, long fileSize)
                throws CorruptStoreException {
            if (offset < dataStart || length < 0 || offset > fileSize || length > fileSize - offset) {
                throw new CorruptStoreException(path, what + " [offset=" + offset + ", length=" + length
                        + "] does not lie within bytes [" + dataStart + ", " + fileSize + ") after the header;"
                        + " the file is truncated or damaged");
            }
        }
    }

    private static SeriesDictionary readDictionary(Path path, FileChannel channel, Header header) throws IOException {
        ByteBuffer block = readAt(channel, header.dictionaryOffset, (int) header.dictionaryLength);
        if (Crc32c.of(MemorySegment.ofBuffer(block)) != header.dictionaryCrc) {
            throw new CorruptStoreException(path, "the series dictionary's checksum does not match; it is damaged");
        }
        int count = block.getInt();
        boolean hasSeries = header.columns.containsKey(Column.SERIES);
        if (count < 0 || count > SeriesDictionary.MAX_SERIES || (count > 0) != hasSeries
                || (long) count * 4 > block.remaining()) {
            throw new CorruptStoreException(path, "dictionary count=" + count + " does not fit the store");
        }
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = block.remaining() >= 4 ? block.getInt() : -1;
            if (length < 0 || length > StoreLayout.MAX_NAME_BYTES || length > block.remaining()) {
                throw new CorruptStoreException(path, "dictionary entry " + i + " has length=" + length);
            }
            try {
                names.add(decoder.decode(block.slice(block.position(), length)).toString());
            } catch (CharacterCodingException e) {
                throw new CorruptStoreException(path, "dictionary entry " + i + " is not valid UTF-8");
            }
            block.position(block.position() + length);
        }
        if (block.hasRemaining()) {
            // dictionaryLength is exact: bytes beyond the last name mean count or a length is wrong.
            throw new CorruptStoreException(path, "dictionary has " + block.remaining() + " bytes after its last entry");
        }
        try {
            return SeriesDictionary.of(names);
        } catch (IllegalArgumentException e) {
            throw new CorruptStoreException(path, "the dictionary holds a " + e.getMessage());
        }
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new java.io.EOFException("unexpected end of file");
            }
        }
        return buffer.flip();
    }
}
