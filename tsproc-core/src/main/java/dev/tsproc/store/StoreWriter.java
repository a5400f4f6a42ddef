package dev.tsproc.store;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes a store: column chunks from any number of threads, then an atomic commit.
 *
 * <p>Data goes to an {@link AtomicFile}: a hidden owner-only file beside the target;
 * {@link #commit()} writes the header, the column table and the dictionary, and publishes the
 * file under the target's name. {@link #close()} without a commit deletes it, so a failed write
 * never leaves a partial store behind.
 *
 * <p>Chunks are written with positional {@link FileChannel#write(ByteBuffer, long)} calls rather
 * than through a writable mapping: on a full disk or a full {@code /dev/shm} a write fails with
 * an {@link IOException}, whereas a store into a mapping of a sparse file dies with SIGBUS.
 * Each chunk's CRC32Cs are taken while its bytes are hot in cache, one for each checksum block
 * it touches ({@link StoreLayout#BLOCK_ROWS} rows); the commit checks that the chunks tile
 * every column exactly and combines their CRCs in row order into each block's and each column's.
 *
 * <p>Thread safety: {@link #write}, {@link #read} and {@link #overwrite} may be called
 * concurrently for disjoint row ranges; {@link #commit} and {@link #close} must be called once,
 * after every write has returned.
 */
public final class StoreWriter implements AutoCloseable {
    /**
     * Rows written by one call, with the CRC32C of each of its pieces: the chunk cut at the
     * checksum blocks' boundaries, in row order.
     */
    private record Chunk(long firstRow, long rowCount, int[] pieceCrcs) {}

    private final AtomicFile file;
    private final FileChannel channel;
    private final long rowCount;
    private final List<Column> columns;
    private final Map<Column, Long> columnOffsets = new EnumMap<>(Column.class);
    private final Map<Column, ConcurrentLinkedQueue<Chunk>> chunks = new EnumMap<>(Column.class);
    /** The dictionary given at creation, or null if it comes with {@link #commit(SeriesDictionary)}. */
    private final SeriesDictionary dictionary;
    private final long blockCrcOffset;
    private final long dictionaryOffset;
    private boolean committed;

    private StoreWriter(Path target, long rowCount, SeriesDictionary dictionary, boolean withSeries)
            throws IOException {
        if (rowCount < 0) {
            throw new IllegalArgumentException("rowCount=" + rowCount + " must not be negative");
        }
        this.rowCount = rowCount;
        this.columns = withSeries ? List.of(Column.TS, Column.VALUE, Column.SERIES) : List.of(Column.TS, Column.VALUE);
        this.dictionary = dictionary;
        if (dictionary != null) {
            encode(dictionary); // rejects a name too long before anything is written
        }
        long at = StoreLayout.headerLength(columns.size());
        for (Column c : columns) {
            at = StoreLayout.align(at);
            columnOffsets.put(c, at);
            chunks.put(c, new ConcurrentLinkedQueue<>());
            at = Math.addExact(at, c.byteSize(rowCount));
        }
        this.blockCrcOffset = StoreLayout.align(at);
        this.dictionaryOffset = StoreLayout.align(
                Math.addExact(blockCrcOffset, StoreLayout.blockCrcTableLength(columns.size(), rowCount)));
        this.file = AtomicFile.create(target);
        this.channel = file.channel();
    }

    /**
     * Starts writing a store of {@code rowCount} rows to {@code target}.
     *
     * @param dictionary series names; an empty dictionary means the store has no series column
     * @throws FileAlreadyExistsException if {@code target} exists
     */
    public static StoreWriter create(Path target, long rowCount, SeriesDictionary dictionary) throws IOException {
        AtomicFile.requireAbsent(target);
        return new StoreWriter(target, rowCount, dictionary, dictionary.size() > 0);
    }

    /**
     * Starts writing a store of {@code rowCount} rows whose series names are known only at the
     * end, as when a CSV import writes rows while their names are still being collected; the
     * dictionary comes with {@link #commit(SeriesDictionary)}.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     */
    public static StoreWriter create(Path target, long rowCount, boolean withSeries) throws IOException {
        AtomicFile.requireAbsent(target);
        return new StoreWriter(target, rowCount, null, withSeries);
    }

    /** Number of rows the store will hold. */
    public long rowCount() {
        return rowCount;
    }

    /** The store's columns, in the order of its column table. */
    public List<Column> columns() {
        return columns;
    }

    /** Whether the store has a series column. */
    public boolean hasSeries() {
        return columns.contains(Column.SERIES);
    }

    /**
     * Writes the elements of {@code data} as rows {@code firstRow ..} of {@code column}.
     * {@code data.byteSize()} must be a whole number of elements. Native or mapped chunks (see
     * {@link #allocateChunk}) are written in place; chunks over Java arrays are copied first.
     */
    public void write(Column column, long firstRow, MemorySegment data) throws IOException {
        long base = columnOffset(column);
        long rows = data.byteSize() / column.byteWidth();
        // firstRow > rowCount - rows rather than firstRow + rows > rowCount: the sum overflows for a huge firstRow.
        if (rows * column.byteWidth() != data.byteSize() || firstRow < 0 || firstRow > rowCount - rows) {
            throw new IllegalArgumentException(column + " chunk [" + firstRow + ", +" + rows + ") outside [0, " + rowCount + ")");
        }
        if (!Crc32c.hasByteBufferView(data)) {
            // The channel writes ByteBuffers, which a segment over long[] or double[] cannot give.
            try (Arena staging = Arena.ofConfined()) {
                write(column, firstRow, allocateChunk(staging, column, rows).copyFrom(data));
            }
            return;
        }
        long position = base + column.byteSize(firstRow);
        for (long done = 0; done < data.byteSize(); ) {
            long piece = Math.min(data.byteSize() - done, 1 << 30);
            ByteBuffer buffer = data.asSlice(done, piece).asByteBuffer();
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            done += piece;
        }
        chunks.get(column).add(new Chunk(firstRow, rows, pieceCrcs(column, firstRow, data)));
    }

    /**
     * Reads rows {@code firstRow ..} of {@code column}, as written, into {@code into} (a native
     * segment of a whole number of elements).
     */
    public void read(Column column, long firstRow, MemorySegment into) throws IOException {
        long position = columnOffset(column) + column.byteSize(firstRow);
        ByteBuffer buffer = into.asByteBuffer();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the partial store of " + file.target() + " ended before " + column + " row " + firstRow + " + "
                        + buffer.position() / column.byteWidth());
            }
        }
    }

    /**
     * Writes {@code data} over the rows that an earlier {@link #write} of the same rows put at
     * {@code firstRow}, as when an import rewrites a chunk's series ids once the dictionary is known.
     *
     * @throws IllegalArgumentException if no earlier write covered exactly these rows
     */
    public void overwrite(Column column, long firstRow, MemorySegment data) throws IOException {
        long rows = data.byteSize() / column.byteWidth();
        if (!chunks.get(column).removeIf(chunk -> chunk.firstRow == firstRow && chunk.rowCount == rows)) {
            throw new IllegalArgumentException(column + " rows [" + firstRow + ", +" + rows + ") were not written before");
        }
        write(column, firstRow, data);
    }

    /**
     * Maps what has been written of {@code column} so far, read-only, in {@code arena}: all
     * {@link #rowCount()} rows, where rows never written read as zero.
     */
    public MemorySegment mapWritten(Column column, Arena arena) throws IOException {
        long base = columnOffset(column);
        long bytes = column.byteSize(rowCount);
        if (channel.size() < base + bytes) { // a mapping past the end of the file would fault on reading
            writeFully(ByteBuffer.allocate(1), base + bytes - 1);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, base, bytes, arena);
    }

    private long columnOffset(Column column) {
        Long base = columnOffsets.get(column);
        if (base == null) {
            throw new IllegalArgumentException("this store has no " + column + " column");
        }
        return base;
    }

    /** Writes the metadata and publishes the store. */
    public void commit() throws IOException {
        if (dictionary == null) {
            throw new IllegalStateException("this store's dictionary comes with commit(dictionary)");
        }
        commit(dictionary);
    }

    /**
     * Writes the metadata with {@code dictionary} and publishes the store ({@link AtomicFile#commit}).
     *
     * @throws IllegalArgumentException if the dictionary is empty for a store with a series
     *                                  column, or not empty for one without
     */
    public void commit(SeriesDictionary dictionary) throws IOException {
        if (committed) {
            throw new IllegalStateException("already committed");
        }
        if ((dictionary.size() > 0) != hasSeries()) {
            throw new IllegalArgumentException("a store " + (hasSeries() ? "with" : "without")
                    + " a series column needs " + (hasSeries() ? "a non-empty" : "an empty") + " dictionary");
        }
        byte[] dictionaryBytes = encode(dictionary);
        ByteBuffer header = ByteBuffer.allocate(StoreLayout.headerLength(columns.size())).order(ByteOrder.LITTLE_ENDIAN);
        header.put(StoreLayout.MAGIC);
        header.putInt(StoreLayout.VERSION_OFFSET, StoreLayout.VERSION);
        header.putInt(StoreLayout.HEADER_LENGTH_OFFSET, header.capacity());
        header.putLong(StoreLayout.ROW_COUNT_OFFSET, rowCount);
        header.putInt(StoreLayout.COLUMN_COUNT_OFFSET, columns.size());
        header.putLong(StoreLayout.DICTIONARY_OFFSET_OFFSET, dictionaryOffset);
        header.putLong(StoreLayout.DICTIONARY_LENGTH_OFFSET, dictionaryBytes.length);
        header.putInt(StoreLayout.DICTIONARY_CRC_OFFSET, Crc32c.of(MemorySegment.ofArray(dictionaryBytes)));
        header.putLong(StoreLayout.BLOCK_CRC_OFFSET_OFFSET, blockCrcOffset);
        long blocks = StoreLayout.blockCount(rowCount);
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            int[] blockCrcs = blockCrcs(c);
            ByteBuffer table = ByteBuffer.allocate(blockCrcs.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            int columnCrc = 0;
            for (int b = 0; b < blockCrcs.length; b++) {
                table.putInt(blockCrcs[b]);
                columnCrc = Crc32c.combine(columnCrc, blockCrcs[b], c.byteSize(blockRows(b)));
            }
            writeFully(table.flip(), blockCrcOffset + 4L * blocks * i);
            int at = (int) StoreLayout.entryOffset(i);
            header.putInt(at + StoreLayout.ENTRY_COLUMN_ID_OFFSET, c.id());
            header.putInt(at + StoreLayout.ENTRY_TYPE_OFFSET, StoreLayout.typeCode(c));
            header.putLong(at + StoreLayout.ENTRY_OFFSET_OFFSET, columnOffsets.get(c));
            header.putLong(at + StoreLayout.ENTRY_LENGTH_OFFSET, c.byteSize(rowCount));
            header.putInt(at + StoreLayout.ENTRY_CRC_OFFSET, columnCrc);
        }
        header.putInt(StoreLayout.HEADER_CRC_OFFSET, Crc32c.of(MemorySegment.ofArray(header.array())));
        writeFully(ByteBuffer.wrap(dictionaryBytes), dictionaryOffset);
        writeFully(header.clear(), 0);
        file.commit();
        committed = true;
    }

    /** Deletes the partial file unless the store was committed. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    /** The CRC32C of each piece of {@code data}, rows {@code firstRow ..}, cut at the checksum blocks' boundaries. */
    private static int[] pieceCrcs(Column column, long firstRow, MemorySegment data) {
        long rows = data.byteSize() / column.byteWidth();
        if (rows == 0) {
            return new int[0];
        }
        long firstBlock = firstRow / StoreLayout.BLOCK_ROWS;
        int[] crcs = new int[Math.toIntExact((firstRow + rows - 1) / StoreLayout.BLOCK_ROWS - firstBlock + 1)];
        long row = firstRow;
        for (int p = 0; p < crcs.length; p++) {
            long end = Math.min(firstRow + rows, (firstBlock + p + 1) * StoreLayout.BLOCK_ROWS);
            crcs[p] = Crc32c.of(data.asSlice(column.byteSize(row - firstRow), column.byteSize(end - row)));
            row = end;
        }
        return crcs;
    }

    /** Rows of checksum block {@code block}: {@link StoreLayout#BLOCK_ROWS}, or the rest for the last. */
    private long blockRows(long block) {
        return Math.min(StoreLayout.BLOCK_ROWS, rowCount - block * StoreLayout.BLOCK_ROWS);
    }

    /**
     * The CRC32C of each checksum block of {@code column}, combined from the chunks' pieces.
     *
     * @throws IllegalStateException if the chunks do not tile the column's rows exactly
     */
    private int[] blockCrcs(Column column) {
        List<Chunk> sorted = new ArrayList<>(chunks.get(column));
        // Empty chunks hold no bytes; kept, they could sort before a real chunk at the same row and look like an overlap.
        sorted.removeIf(chunk -> chunk.rowCount == 0);
        sorted.sort((a, b) -> Long.compare(a.firstRow, b.firstRow));
        int[] blocks = new int[Math.toIntExact(StoreLayout.blockCount(rowCount))];
        long next = 0;
        for (Chunk chunk : sorted) {
            if (chunk.firstRow != next) {
                throw new IllegalStateException(column + " rows [" + Math.min(next, chunk.firstRow) + ", "
                        + Math.max(next, chunk.firstRow) + ") were " + (chunk.firstRow > next ? "never" : "twice") + " written");
            }
            for (int p = 0; p < chunk.pieceCrcs.length; p++) {
                int block = (int) (next / StoreLayout.BLOCK_ROWS);
                long end = Math.min(chunk.firstRow + chunk.rowCount, (block + 1L) * StoreLayout.BLOCK_ROWS);
                blocks[block] = Crc32c.combine(blocks[block], chunk.pieceCrcs[p], column.byteSize(end - next));
                next = end;
            }
        }
        if (next != rowCount) {
            throw new IllegalStateException(column + " rows [" + next + ", " + rowCount + ") were never written");
        }
        return blocks;
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    private static byte[] encode(SeriesDictionary dictionary) {
        List<byte[]> names = new ArrayList<>(dictionary.size());
        long size = 4;
        for (String name : dictionary.names()) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > StoreLayout.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("series name longer than " + StoreLayout.MAX_NAME_BYTES + " bytes");
            }
            names.add(utf8);
            size += 4 + utf8.length;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(names.size());
        for (byte[] utf8 : names) {
            out.putInt(utf8.length).put(utf8);
        }
        return out.array();
    }

    /** Allocates a chunk buffer for {@code rows} elements of {@code column} in {@code arena}. */
    public static MemorySegment allocateChunk(Arena arena, Column column, long rows) {
        return arena.allocate(column.byteSize(rows), StoreLayout.ALIGNMENT);
    }
}
