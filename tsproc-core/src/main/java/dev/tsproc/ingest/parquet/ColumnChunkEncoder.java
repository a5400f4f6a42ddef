package dev.tsproc.ingest.parquet;

import dev.tsproc.ingest.ExportTable;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Encodes one field's rows of a row group as a Parquet column chunk: the dictionary page if the
 * field has one, then data pages (v1) of at most {@code pageRows} rows, each compressed; and
 * the chunk's statistics. One encoder per thread: it reuses its page buffers.
 *
 * <p>Per type: int64 and timestamps PLAIN, copied from the field's memory; doubles PLAIN without
 * the NaNs, which are nulls, behind definition levels (bit width 1, prefixed by their length, as
 * data page v1 has it); dictionary strings as a bit width byte and the ids RLE/bit-packed.
 */
final class ColumnChunkEncoder {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final List<Integer> NUMBER_ENCODINGS = List.of(ParquetFooter.PLAIN, ParquetFooter.RLE);
    private static final List<Integer> DICTIONARY_ENCODINGS =
            List.of(ParquetFooter.PLAIN, ParquetFooter.RLE, ParquetFooter.RLE_DICTIONARY);

    private final ParquetCodec codec;
    private final int pageRows;
    private final ByteSink page;
    private final ByteSink compressed;
    private final ThriftCompactWriter header = new ThriftCompactWriter();
    /** One page's definition levels or dictionary ids. */
    private final int[] ints;

    ColumnChunkEncoder(ParquetCodec codec, int pageRows) {
        this.codec = codec;
        this.pageRows = pageRows;
        this.page = new ByteSink(pageRows * 8 + 1024);
        this.compressed = new ByteSink(pageRows * 8 + 1024);
        this.ints = new int[pageRows];
    }

    /**
     * A dictionary-string field's dictionary, prepared once for every chunk: its page (header
     * and compressed PLAIN body), the bit width of its ids, and each name's rank in UTF-8 byte
     * order, which is the order of a string column's statistics.
     *
     * @param uncompressedPageBytes the page's size before compression, header included
     */
    record Dictionary(byte[][] names, int[] rank, int bitWidth, ByteSink page, long uncompressedPageBytes) {
        static Dictionary of(List<String> names, ParquetCodec codec) throws IOException {
            byte[][] utf8 = new byte[names.size()][];
            ByteSink body = new ByteSink(names.size() * 16);
            for (int id = 0; id < utf8.length; id++) {
                utf8[id] = names.get(id).getBytes(StandardCharsets.UTF_8);
                body.putInt(utf8[id].length);
                body.put(utf8[id], 0, utf8[id].length);
            }
            Integer[] byOrder = IntStream.range(0, utf8.length).boxed().toArray(Integer[]::new);
            Arrays.sort(byOrder, Comparator.comparing(id -> utf8[id], Arrays::compareUnsigned));
            int[] rank = new int[utf8.length];
            for (int r = 0; r < byOrder.length; r++) {
                rank[byOrder[r]] = r;
            }
            ByteSink compressedBody = codec.compress(body, new ByteSink(body.size()));
            ThriftCompactWriter header = new ThriftCompactWriter();
            ParquetFooter.pageHeader(header, ParquetFooter.DICTIONARY_PAGE, body.size(), compressedBody.size(),
                    utf8.length, ParquetFooter.PLAIN);
            ByteSink page = new ByteSink(header.bytes().size() + compressedBody.size());
            page.put(header.bytes());
            page.put(compressedBody);
            return new Dictionary(utf8, rank, RleHybridEncoder.bitWidth(Math.max(0, utf8.length - 1)), page,
                    header.bytes().size() + (long) body.size());
        }
    }

    /**
     * An encoded column chunk, its pages' offsets relative to its start.
     *
     * @param dictionaryPageAt where the dictionary page starts, or -1
     */
    record Encoded(ByteSink bytes, int dictionaryPageAt, int dataPageAt, long uncompressedBytes, long values,
                   ParquetFooter.Statistics statistics, List<Integer> encodings) {
        /** The chunk as the footer describes it once written at {@code fileOffset}. */
        ParquetFooter.Chunk placedAt(long fileOffset) {
            return new ParquetFooter.Chunk(fileOffset, dictionaryPageAt < 0 ? -1 : fileOffset + dictionaryPageAt,
                    fileOffset + dataPageAt, uncompressedBytes, bytes.size(), values, statistics, encodings);
        }
    }

    /** Encodes rows {@code [first, first + rows)} of {@code field}; {@code dictionary} is its dictionary, if a string field. */
    Encoded encode(ExportTable.Field field, Dictionary dictionary, long first, int rows) throws IOException {
        ByteSink chunk = new ByteSink(rows * field.type().byteWidth() / 2 + 1024);
        long uncompressed = 0;
        int dictionaryAt = -1;
        if (dictionary != null) {
            dictionaryAt = 0;
            chunk.put(dictionary.page());
            uncompressed += dictionary.uncompressedPageBytes();
        }
        int dataAt = chunk.size();
        Statistics statistics = new Statistics(field.type());
        for (int p = 0; p < rows; p += pageRows) {
            int count = Math.min(pageRows, rows - p);
            long row = first + p;
            page.reset();
            int encoding = switch (field.type()) {
                case TIMESTAMP, INT64 -> longs(field.data(), row, count, statistics);
                case DOUBLE -> doubles(field.data(), row, count, statistics);
                case DICTIONARY_STRING -> ids(field, dictionary, row, count, statistics);
            };
            ByteSink body = codec.compress(page, compressed);
            header.reset();
            ParquetFooter.pageHeader(header, ParquetFooter.DATA_PAGE, page.size(), body.size(), count, encoding);
            chunk.put(header.bytes());
            chunk.put(body);
            uncompressed += header.bytes().size() + (long) page.size();
        }
        return new Encoded(chunk, dictionaryAt, dataAt, uncompressed, rows, statistics.toFooter(dictionary),
                dictionary == null ? NUMBER_ENCODINGS : DICTIONARY_ENCODINGS);
    }

    private int longs(MemorySegment data, long row, int count, Statistics statistics) {
        page.put(data, row * 8, count * 8);
        for (int i = 0; i < count; i++) {
            statistics.add(data.getAtIndex(LONG, row + i));
        }
        return ParquetFooter.PLAIN;
    }

    private int doubles(MemorySegment data, long row, int count, Statistics statistics) {
        int nulls = 0;
        for (int i = 0; i < count; i++) {
            double v = data.getAtIndex(DOUBLE, row + i);
            if (v == v) {
                ints[i] = 1;
                statistics.add(v);
            } else {
                ints[i] = 0;
                nulls++;
            }
        }
        statistics.nullCount += nulls;
        int lengthAt = page.reserve(4);
        page.skip(4);
        RleHybridEncoder.encode(ints, count, 1, page);
        page.putIntAt(lengthAt, page.size() - lengthAt - 4);
        // the present values, copied a run at a time: missing values are rare, so runs are long
        for (int i = 0; i < count; ) {
            int end = i;
            while (end < count && ints[end] != 0) {
                end++;
            }
            page.put(data, (row + i) * 8, (end - i) * 8);
            i = end;
            while (i < count && ints[i] == 0) {
                i++; // a null: nothing written
            }
        }
        return ParquetFooter.PLAIN;
    }

    private int ids(ExportTable.Field field, Dictionary dictionary, long row, int count, Statistics statistics) {
        MemorySegment.copy(field.data(), INT, row * 4, ints, 0, count);
        int size = dictionary.names().length;
        for (int i = 0; i < count; i++) {
            int id = ints[i];
            if (id < 0 || id >= size) {
                throw new IllegalStateException("field " + field.name() + " row " + (row + i) + " has id " + id
                        + " outside its dictionary of " + size + " names");
            }
            statistics.addRank(dictionary.rank()[id], id);
        }
        page.put(dictionary.bitWidth());
        RleHybridEncoder.encode(ints, count, dictionary.bitWidth(), page);
        return ParquetFooter.RLE_DICTIONARY;
    }

    /** A chunk's statistics as its pages are encoded. */
    private static final class Statistics {
        private final ExportTable.Type type;
        private long nullCount;
        private boolean any;
        private long minLong = Long.MAX_VALUE;
        private long maxLong = Long.MIN_VALUE;
        private double minDouble = Double.POSITIVE_INFINITY;
        private double maxDouble = Double.NEGATIVE_INFINITY;
        private int minRank = Integer.MAX_VALUE;
        private int maxRank = -1;
        private int minId;
        private int maxId;

        Statistics(ExportTable.Type type) {
            this.type = type;
        }

        void add(long v) {
            any = true;
            minLong = Math.min(minLong, v);
            maxLong = Math.max(maxLong, v);
        }

        void add(double v) {
            any = true;
            minDouble = v < minDouble ? v : minDouble;
            maxDouble = v > maxDouble ? v : maxDouble;
        }

        void addRank(int rank, int id) {
            any = true;
            if (rank < minRank) {
                minRank = rank;
                minId = id;
            }
            if (rank > maxRank) {
                maxRank = rank;
                maxId = id;
            }
        }

        ParquetFooter.Statistics toFooter(Dictionary dictionary) {
            if (!any) {
                return new ParquetFooter.Statistics(null, null, nullCount);
            }
            return switch (type) {
                case TIMESTAMP, INT64 -> new ParquetFooter.Statistics(plain(minLong), plain(maxLong), nullCount);
                // a zero bound is written as -0.0 for the min and +0.0 for the max, as the format asks,
                // since the two zeros compare equal and either may have been seen
                case DOUBLE -> new ParquetFooter.Statistics(
                        plain(Double.doubleToRawLongBits(minDouble == 0 ? -0.0 : minDouble)),
                        plain(Double.doubleToRawLongBits(maxDouble == 0 ? 0.0 : maxDouble)), nullCount);
                case DICTIONARY_STRING -> new ParquetFooter.Statistics(dictionary.names()[minId],
                        dictionary.names()[maxId], nullCount);
            };
        }

        private static byte[] plain(long v) {
            byte[] bytes = new byte[8];
            MemorySegment.ofArray(bytes).set(LONG, 0, v);
            return bytes;
        }
    }
}
