package dev.tsproc.ingest;

import dev.tsproc.data.Column;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.csv.ColumnBuffers;
import dev.tsproc.ingest.csv.SeriesTable;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Merges stores, each in time order, into one new store in time order: how several input files
 * become one store (each is imported into a store of its own first), and how rows are appended
 * to a store.
 *
 * <p>The stores are read as {@link ColumnarImport} parts of at most {@link #PART_ROWS} rows, in
 * the order given, so rows with equal timestamps keep that order; the series dictionary is the
 * union of the stores', sorted by the names' UTF-8 bytes, so it does not depend on that order.
 * When each store starts no earlier than the one before it ends (days of logs, rows appended
 * later than the store's), the parts are written once, in place; otherwise they are merged by
 * time into a second store, which needs room for both until the first is deleted.
 *
 * <p>A damaged store is never merged into one whose checksums would be fresh and valid: each part
 * checks its rows' blocks as it reads them ({@link Store#checkRows(long, long)}), and a version-1
 * store, which has no block checksums, is verified whole first ({@link Store#verify()}).
 *
 * <p><b>Appending</b> ({@link Append}) writes the old store's rows and the new ones as a new
 * store beside it and renames that over the old one in one step, so a failure at any point leaves
 * the old store as it was, and a reader that has the old store open (mapped) goes on reading the
 * old file, which the file system keeps until the last mapping ends.
 */
public final class StoreMerge {
    /** Rows of a part: a thread's buffer holds one part, 20 MiB with series. */
    static final long PART_ROWS = 1 << 20;

    private StoreMerge() {}

    /**
     * Writes the rows of {@code stores} as a new store at {@code target}.
     *
     * @throws BadInputException if some stores have a series column and others not
     */
    public static ColumnarImport.Result write(List<Path> stores, Path target, int threads)
            throws IOException, InterruptedException {
        Objects.requireNonNull(target, "target");
        List<Store> open = new ArrayList<>();
        try {
            for (Path path : stores) {
                open.add(Store.open(path));
            }
            return writeOpen(open, target, threads);
        } finally {
            open.forEach(Store::close);
        }
    }

    private static ColumnarImport.Result writeOpen(List<Store> stores, Path target, int threads)
            throws IOException, InterruptedException {
        boolean withSeries = stores.getFirst().hasSeries();
        List<StorePart> parts = new ArrayList<>();
        for (Store store : stores) {
            if (store.hasSeries() != withSeries) {
                Store with = withSeries ? stores.getFirst() : store;
                Store without = withSeries ? store : stores.getFirst();
                throw new BadInputException(without.path(), "it has no series column and " + with.path()
                        + " has one; a store holds both or neither");
            }
            if (!store.checksBlocksAsRead()) {
                store.verify(); // a version-1 store has no block checksums for the parts to check
            }
            for (long first = 0; first < store.rowCount(); first += PART_ROWS) {
                parts.add(new StorePart(store, first, Math.min(PART_ROWS, store.rowCount() - first)));
            }
        }
        return ColumnarImport.write(stores.getFirst().path(), parts, withSeries, target, threads);
    }

    /** Rows {@code [firstRow, firstRow + rowCount)} of a store, read with their names. */
    private record StorePart(Store store, long firstRow, long rowCount) implements ColumnarImport.Part {
        @Override
        public void read(ColumnBuffers rows, SeriesTable series) throws IOException, InterruptedException {
            store.checkRows(firstRow, rowCount);
            MemorySegment ts = store.column(Column.TS);
            MemorySegment values = store.column(Column.VALUE);
            MemorySegment ids = store.hasSeries() ? store.column(Column.SERIES) : null;
            SeriesDictionary dictionary = store.dictionary();
            int[] local = new int[ids == null ? 0 : dictionary.size()]; // the store's id -> the part's, +1; 0 = not met yet
            for (long i = firstRow, end = firstRow + rowCount; i < end; i++) {
                if ((i & 0xFFFF) == 0 && Thread.interrupted()) {
                    throw new InterruptedException("interrupted while merging " + store.path());
                }
                int id = -1;
                if (ids != null) {
                    int storeId = ids.getAtIndex(Column.SERIES_LAYOUT, i);
                    if (local[storeId] == 0) {
                        byte[] name = dictionary.name(storeId).getBytes(StandardCharsets.UTF_8);
                        local[storeId] = series.idOf(MemorySegment.ofArray(name), 0, name.length) + 1;
                    }
                    id = local[storeId] - 1;
                }
                rows.append(ts.getAtIndex(Column.TS_LAYOUT, i), values.getAtIndex(Column.VALUE_LAYOUT, i), id);
            }
        }

        @Override
        public String describe() {
            return store.path() + ", rows " + firstRow + " to " + (firstRow + rowCount - 1);
        }
    }

    /**
     * An append to a store in progress: from {@link #begin} no other tsproc command can write
     * the store, until {@link #close}.
     *
     * {@snippet :
     * try (StoreMerge.Append append = StoreMerge.Append.begin(store)) {
     *     // import the new rows into stores of their own, then:
     *     append.commit(List.of(added), beside, threads);
     * }
     * }
     *
     * <p>The claim is the file {@link AtomicFile#replace} begins beside the store, which stays
     * empty and is never published: another command that would write the store
     * ({@link AtomicFile#requireReplaceable}, {@link AtomicFile#requireAbsent}) finds it locked
     * and fails at once. Two appends that begin at the same instant each check for the other's
     * claim after making their own, so at least one fails and rows are never lost.
     */
    public static final class Append implements AutoCloseable {
        private final Path store;
        private final AtomicFile claim;

        private Append(Path store, AtomicFile claim) {
            this.store = store;
            this.claim = claim;
        }

        /**
         * Claims {@code store} for an append and checks that it is a sound store.
         *
         * @throws java.nio.file.NoSuchFileException       if there is no store there
         * @throws java.nio.file.FileSystemException       if another command is writing it
         * @throws dev.tsproc.store.CorruptStoreException  if it is not a store, or is damaged
         */
        public static Append begin(Path store) throws IOException {
            try (Store s = Store.open(store)) { // before the claim: a missing or foreign file is refused as such
                s.verify();
            }
            AtomicFile claim = AtomicFile.replace(store);
            try {
                AtomicFile.requireReplaceable(store); // another append that claimed it meanwhile
                return new Append(store, claim);
            } catch (IOException | RuntimeException e) {
                claim.close();
                throw e;
            }
        }

        /**
         * Writes the store's rows and those of the stores {@code added}, merged by time, as a new
         * store at {@code merged} (a new path on the store's file system) and renames it over the store.
         */
        public ColumnarImport.Result commit(List<Path> added, Path merged, int threads)
                throws IOException, InterruptedException {
            List<Path> all = new ArrayList<>(List.of(store));
            all.addAll(added);
            ColumnarImport.Result result = write(all, merged, threads);
            try {
                Files.move(merged, store, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(merged);
                throw new IOException("cannot rename " + merged + " over " + store + " in one step (" + e.getMessage()
                        + "); the store is unchanged", e);
            }
            return result;
        }

        /** Releases the claim. */
        @Override
        public void close() throws IOException {
            claim.close();
        }
    }
}
