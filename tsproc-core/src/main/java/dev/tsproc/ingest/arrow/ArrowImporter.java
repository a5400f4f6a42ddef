package dev.tsproc.ingest.arrow;

import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.ColumnarImport;
import dev.tsproc.ingest.csv.ColumnBuffers;
import dev.tsproc.ingest.csv.SeriesTable;
import dev.tsproc.ingest.csv.TimestampFormat;
import dev.tsproc.ingest.parquet.ParquetOptions;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.Date;
import org.apache.arrow.flatbuf.DateUnit;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.flatbuf.TimeUnit;
import org.apache.arrow.flatbuf.Timestamp;
import org.apache.arrow.flatbuf.Type;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports an Arrow IPC file ({@code .arrow}, {@code .feather} v2), or an Arrow IPC stream
 * ({@code .arrows}: the same messages without the file's footer), into a store, reading its
 * buffers in place through a memory mapping, in parallel over record batches.
 *
 * <p>A hand-written reader over {@code arrow-format}'s generated flatbuffer classes, about as
 * long as the code that would drive {@code arrow-vector}: that library needs
 * {@code --add-opens=java.base/java.nio} and copies every buffer into its own allocator,
 * whereas here the footer, the schema and each batch's metadata are flatbuffers read straight
 * from the mapping, and the rows are read from the mapped buffers into the store's part
 * buffers — one copy, the one that writing a store needs ({@link ColumnarImport}).
 *
 * <p>Read: the schema's flat columns of types timestamp (any unit; a time zone or none, as
 * UTC), int64/int32 epoch integers (unit of {@code --ts-format}), date32 for time; double,
 * float, integers for values (null is missing); utf8 (plain or dictionary-encoded) or integers
 * for series (null is the empty name). Not read: compressed buffers, big-endian files, view
 * and union types anywhere in the schema — one sentence each.
 */
public final class ArrowImporter {
    private static final long NANOS_PER_DAY = 86_400_000_000_000L;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * What an import did.
     *
     * @param unitTold the epoch unit {@code --ts-format auto} found in the magnitude of plain
     *                 integer timestamps, or null
     */
    public record Result(Path store, long rows, int series, int batches, long inputBytes, boolean sorted,
                         TimestampFormat unitTold, long elapsedNanos) {}

    /** A chosen column: its index among the schema's fields, its type, and its first node and buffer in a batch. */
    private record Chosen(String name, byte type, int bitWidth, boolean signed, long nanosPerUnit, boolean dictionary,
                          long dictionaryId, int buffer) {}

    private final Path file;
    private final MemorySegment data;
    private final ParquetOptions options;
    /** Dictionary id to its names' UTF-8 bytes. */
    private final Map<Long, List<byte[]>> dictionaries = new HashMap<>();
    private TimestampFormat unitTold;

    private ArrowImporter(Path file, MemorySegment data, ParquetOptions options) {
        this.file = file;
        this.data = data;
        this.options = options;
    }

    /**
     * Imports the Arrow IPC file or stream {@code file} into a new store at {@code target}, with the column
     * options of a Parquet import.
     *
     * @throws BadInputException if the file cannot be imported; nothing is left behind
     */
    public static Result importFile(Path file, Path target, ParquetOptions options) throws IOException, InterruptedException {
        long start = System.nanoTime();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "already exists");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofShared()) {
            long size = channel.size();
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ArrowImporter importer = new ArrowImporter(file, data, options);
            List<ColumnarImport.Part> parts = new ArrayList<>();
            boolean withSeries = importer.plan(parts);
            ColumnarImport.Result written = ColumnarImport.write(file, parts, withSeries, target, options.threads());
            return new Result(target, written.rows(), written.series(), parts.size(), size, written.sorted(),
                    importer.unitTold, System.nanoTime() - start);
        }
    }

    /** Where a message lies: as a footer's {@link Block} says, or as walking a stream finds. */
    private record MessageBlock(long offset, int metaDataLength, long bodyLength) {
        MessageBlock(Block block) {
            this(block.offset(), block.metaDataLength(), block.bodyLength());
        }
    }

    /** What a file or stream holds: its schema, and its dictionary and record batches in order. */
    private record Contents(Schema schema, List<MessageBlock> dictionaries, List<MessageBlock> batches) {}

    /** Reads the schema and dictionaries; adds a part per record batch; returns whether there are series. */
    private boolean plan(List<ColumnarImport.Part> parts) throws BadInputException {
        boolean stream = data.byteSize() >= 8 && data.get(INT, 0) == ArrowIpc.CONTINUATION;
        try {
            Contents contents = stream ? streamContents() : fileContents();
            Schema schema = contents.schema();
            if (schema.endianness() != 0) {
                throw new BadInputException(file, "it is big-endian; tsproc reads little-endian Arrow files");
            }
            List<Field> fields = new ArrayList<>();
            for (int i = 0; i < schema.fieldsLength(); i++) {
                fields.add(schema.fields(i));
            }
            Chosen ts = choose(fields, options.tsColumn(), List.of("ts", "timestamp", "time"), "--ts-col", "timestamp");
            Chosen value = choose(fields, options.valueColumn(), List.of("value"), "--value-col", "value");
            Chosen series = null;
            if (options.seriesColumn() != null) {
                series = choose(fields, options.seriesColumn(), List.of(), "--series-col", "series");
            } else if (!options.noSeries() && fields.stream().anyMatch(f -> "series".equals(f.name()))) {
                series = choose(fields, "series", List.of(), "--series-col", "series");
            }
            if (!options.readSeries()) {
                series = null; // chosen all the same, so that a --series-col the file lacks is an error
            }
            for (MessageBlock block : contents.dictionaries()) {
                readDictionary(block);
            }
            if (ts.type == Type.Int && options.timestampFormat() == TimestampFormat.AUTO) {
                ts = inUnitTold(ts, contents.batches());
            }
            for (MessageBlock block : contents.batches()) {
                parts.add(new BatchPart(parts.size(), block, message(block, MessageHeader.RecordBatch), ts, value, series));
            }
            return series != null;
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw damaged("its metadata cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The contents of an Arrow IPC file, as its footer lists them. */
    private Contents fileContents() throws BadInputException {
        long size = data.byteSize();
        if (size < ArrowIpc.HEADER_BYTES + ArrowIpc.TRAILER_BYTES
                || !magicAt(0) || !magicAt(size - ArrowIpc.MAGIC.length)) {
            throw new BadInputException(file, "it is not an Arrow IPC file, or it is cut short (no ARROW1 at its start and end)");
        }
        int footerLength = data.get(INT, size - ArrowIpc.TRAILER_BYTES);
        long footerAt = size - ArrowIpc.TRAILER_BYTES - footerLength;
        if (footerLength <= 0 || footerAt < ArrowIpc.HEADER_BYTES) {
            throw damaged("its footer length " + footerLength + " does not fit the file");
        }
        Footer footer = Footer.getRootAsFooter(data.asSlice(footerAt, footerLength).asByteBuffer());
        List<MessageBlock> dictionaries = new ArrayList<>();
        for (int d = 0; d < footer.dictionariesLength(); d++) {
            dictionaries.add(new MessageBlock(footer.dictionaries(d)));
        }
        List<MessageBlock> batches = new ArrayList<>();
        for (int b = 0; b < footer.recordBatchesLength(); b++) {
            batches.add(new MessageBlock(footer.recordBatches(b)));
        }
        return new Contents(footer.schema(), dictionaries, batches);
    }

    /**
     * The contents of an Arrow IPC stream (what {@code pa.ipc.new_stream} writes): its messages in
     * order up to the end marker or the end of the file. Every dictionary is read before the
     * record batches, which is right for a stream's deltas (they only add entries) but not for a
     * dictionary a stream replaces between batches, which is refused.
     */
    private Contents streamContents() throws BadInputException {
        long size = data.byteSize();
        Schema schema = null;
        List<MessageBlock> dictionaries = new ArrayList<>();
        List<MessageBlock> batches = new ArrayList<>();
        Set<Long> dictionaryIds = new HashSet<>();
        long at = 0;
        while (at + 8 <= size) {
            int length = data.get(INT, at + 4);
            if (data.get(INT, at) != ArrowIpc.CONTINUATION || length < 0) {
                throw damaged("the stream's message at byte " + at + " does not start with FF FF FF FF and its length");
            }
            if (length == 0) {
                break; // the end-of-stream marker
            }
            Message message = Message.getRootAsMessage(data.asSlice(at + 8, length).asByteBuffer());
            MessageBlock block = new MessageBlock(at, 8 + length, message.bodyLength());
            if (message.bodyLength() < 0 || at + block.metaDataLength() + message.bodyLength() > size) {
                throw damaged("the body of the message at byte " + at + " runs past the end of the file, which is cut short");
            }
            switch (message.headerType()) {
                case MessageHeader.Schema -> {
                    if (schema != null) {
                        throw damaged("it holds a second schema, at byte " + at);
                    }
                    schema = (Schema) message.header(new Schema());
                }
                case MessageHeader.DictionaryBatch -> {
                    DictionaryBatch dictionary = (DictionaryBatch) message.header(new DictionaryBatch());
                    if (!dictionaryIds.add(dictionary.id()) && !dictionary.isDelta()) {
                        throw new BadInputException(file, "it is an Arrow IPC stream that replaces dictionary " + dictionary.id()
                                + " between record batches, which tsproc does not read; write it as an Arrow IPC file"
                                + " (pa.ipc.new_file)");
                    }
                    dictionaries.add(block);
                }
                case MessageHeader.RecordBatch -> batches.add(block);
                default -> throw damaged("the message at byte " + at + " is a " + MessageHeader.name(message.headerType()));
            }
            at += block.metaDataLength() + message.bodyLength();
        }
        if (schema == null) {
            throw new BadInputException(file, "it is an Arrow IPC stream without its schema, or it is cut short");
        }
        return new Contents(schema, dictionaries, batches);
    }

    /**
     * {@code ts}, plain integers under {@code --ts-format auto}, in the epoch unit the magnitude
     * of the file's first time tells ({@link TimestampFormat#epochUnitOf(long)}), as for CSV and
     * Parquet: 11, 14 and 17 digits are refused.
     */
    private Chosen inUnitTold(Chosen ts, List<MessageBlock> batches) throws BadInputException {
        for (int b = 0; b < batches.size(); b++) {
            MessageBlock block = batches.get(b);
            RecordBatch batch = message(block, MessageHeader.RecordBatch);
            if (batch.length() == 0) {
                continue;
            }
            long body = block.offset() + block.metaDataLength();
            if (!valid(buffer(batch, body, ts.buffer), 0)) {
                return ts; // a null time, which the read reports
            }
            long first = integer(buffer(batch, body, ts.buffer + 1), ts, 0);
            if (TimestampFormat.epochUnitUnclear(first)) {
                String digits = Long.toString(first);
                throw new BadInputException(file, "record batch " + b + ": " + TimestampFormat.noEpochUnit(digits, digits.length()));
            }
            TimestampFormat unit = TimestampFormat.epochUnitOf(first);
            if (unit == null) {
                return ts;
            }
            unitTold = unit;
            return new Chosen(ts.name, ts.type, ts.bitWidth, ts.signed, unit.nanosPerUnit(), ts.dictionary, ts.dictionaryId, ts.buffer);
        }
        return ts;
    }

    private boolean magicAt(long at) {
        return MemorySegment.mismatch(data, at, at + ArrowIpc.MAGIC.length,
                MemorySegment.ofArray(ArrowIpc.MAGIC), 0, ArrowIpc.MAGIC.length) < 0;
    }

    private BadInputException damaged(String what) {
        return new BadInputException(file, "it is damaged: " + what);
    }

    /** The RecordBatch of the message a block points to. */
    private RecordBatch message(MessageBlock block, byte expected) throws BadInputException {
        long at = block.offset();
        int length = data.get(INT, at);
        long flatbuffer = at + 8;
        if (length != ArrowIpc.CONTINUATION) { // the format before 0.15 had no continuation marker
            flatbuffer = at + 4;
        }
        Message message = Message.getRootAsMessage(data.asSlice(flatbuffer, at + block.metaDataLength() - flatbuffer).asByteBuffer());
        if (message.headerType() != expected) {
            throw damaged("the message at byte " + at + " is not a " + MessageHeader.name(expected));
        }
        RecordBatch batch = expected == MessageHeader.RecordBatch
                ? (RecordBatch) message.header(new RecordBatch())
                : ((DictionaryBatch) message.header(new DictionaryBatch())).data();
        if (batch.compression() != null) {
            throw new BadInputException(file, "its buffers are compressed; write it without compression"
                    + " (pyarrow: ipc.IpcWriteOptions(compression=None))");
        }
        return batch;
    }

    private void readDictionary(MessageBlock block) throws BadInputException {
        RecordBatch batch = message(block, MessageHeader.DictionaryBatch);
        long at = block.offset();
        Message m = Message.getRootAsMessage(data.asSlice(at + 8, block.metaDataLength() - 8).asByteBuffer());
        DictionaryBatch dictionary = (DictionaryBatch) m.header(new DictionaryBatch());
        long body = at + block.metaDataLength();
        List<byte[]> names = dictionary.isDelta() ? dictionaries.computeIfAbsent(dictionary.id(), id -> new ArrayList<>())
                : new ArrayList<>();
        long count = batch.nodes(0).length();
        MemorySegment offsets = buffer(batch, body, 1);
        MemorySegment bytes = buffer(batch, body, 2);
        for (long i = 0; i < count; i++) {
            int from = offsets.get(INT, 4 * i);
            int to = offsets.get(INT, 4 * (i + 1));
            names.add(bytes.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE));
        }
        dictionaries.put(dictionary.id(), names);
    }

    private MemorySegment buffer(RecordBatch batch, long body, int index) throws BadInputException {
        org.apache.arrow.flatbuf.Buffer b = batch.buffers(index);
        long from = body + b.offset();
        if (b.offset() < 0 || b.length() < 0 || from + b.length() > data.byteSize()) {
            throw damaged("buffer " + index + " of the batch at byte " + body + " lies outside the file");
        }
        return data.asSlice(from, b.length());
    }

    /** The chosen column, with its place among the nodes and buffers of each batch. */
    private Chosen choose(List<Field> fields, String chosen, List<String> defaults, String option, String role)
            throws BadInputException {
        int index = -1;
        for (String name : chosen == null ? defaults : List.of(chosen)) {
            for (int i = 0; i < fields.size() && index < 0; i++) {
                if (name.equals(fields.get(i).name())) {
                    index = i;
                }
            }
        }
        if (index < 0 && chosen != null && chosen.matches("[1-9][0-9]{0,8}") && Integer.parseInt(chosen) <= fields.size()) {
            index = Integer.parseInt(chosen) - 1;
        }
        List<String> names = fields.stream().map(Field::name).toList();
        if (index < 0) {
            throw new BadInputException(file, chosen == null
                    ? "it has no column named " + String.join(" or ", defaults) + "; name the column with " + option + " (columns: " + String.join(", ", names) + ")"
                    : option + " '" + chosen + "' is not a column of the file (columns: " + String.join(", ", names) + ")");
        }
        int buffer = 0;
        for (int i = 0; i < index; i++) {
            buffer += buffers(fields.get(i));
        }
        Field f = fields.get(index);
        byte type = f.typeType();
        boolean dictionary = f.dictionary() != null;
        // Each role reads only the types it knows; anything else would be read as the wrong numbers.
        boolean fits = switch (role) {
            case "timestamp" -> !dictionary && (type == Type.Timestamp || type == Type.Int || type == Type.Date);
            case "value" -> !dictionary && (type == Type.FloatingPoint || type == Type.Int);
            default -> type == Type.Utf8 || (!dictionary && type == Type.Int);
        };
        if (!fits) {
            throw unreadable(f, role);
        }
        if (dictionary) {
            Int indexType = f.dictionary().indexType();
            return new Chosen(f.name(), type, indexType == null ? 32 : indexType.bitWidth(), true, 1, true, f.dictionary().id(), buffer);
        }
        return switch (type) {
            case Type.Timestamp -> {
                Timestamp t = (Timestamp) f.type(new Timestamp());
                yield new Chosen(f.name(), type, 64, true, switch (t.unit()) {
                    case TimeUnit.SECOND -> 1_000_000_000L;
                    case TimeUnit.MILLISECOND -> 1_000_000L;
                    case TimeUnit.MICROSECOND -> 1_000L;
                    default -> 1L;
                }, false, 0, buffer);
            }
            case Type.Int -> {
                Int i = (Int) f.type(new Int());
                yield new Chosen(f.name(), type, i.bitWidth(), i.isSigned(), options.timestampFormat().nanosPerUnit(), false, 0, buffer);
            }
            case Type.Date -> ((Date) f.type(new Date())).unit() == DateUnit.DAY
                    ? new Chosen(f.name(), type, 32, true, NANOS_PER_DAY, false, 0, buffer)
                    : new Chosen(f.name(), type, 64, true, 1_000_000L, false, 0, buffer);
            case Type.FloatingPoint -> {
                FloatingPoint p = (FloatingPoint) f.type(new FloatingPoint());
                if (p.precision() == Precision.HALF) {
                    throw unreadable(f, role);
                }
                yield new Chosen(f.name(), type, p.precision() == Precision.DOUBLE ? 64 : 32, true, 1, false, 0, buffer);
            }
            case Type.Utf8 -> new Chosen(f.name(), type, 0, false, 1, false, 0, buffer);
            default -> throw unreadable(f, role);
        };
    }

    private BadInputException unreadable(Field f, String role) {
        return new BadInputException(file, "column '" + f.name() + "' is of type " + Type.name(f.typeType())
                + ", which tsproc cannot read as a " + role);
    }

    /** Buffers a field takes in a batch (columnar format 1.0, "Buffer Layout"). */
    private int buffers(Field f) throws BadInputException {
        int own = f.dictionary() != null ? 2 : switch (f.typeType()) {
            case Type.Null, Type.RunEndEncoded -> 0;
            case Type.Struct_, Type.FixedSizeList -> 1;
            case Type.Utf8, Type.Binary, Type.LargeUtf8, Type.LargeBinary, Type.ListView, Type.LargeListView -> 3;
            case Type.Union, Type.BinaryView, Type.Utf8View -> throw new BadInputException(file, "column '" + f.name()
                    + "' is of type " + Type.name(f.typeType()) + ", which tsproc cannot skip; leave it out of the file");
            default -> 2;
        };
        for (int i = 0; i < f.childrenLength(); i++) {
            own += buffers(f.children(i));
        }
        return own;
    }

    /** One record batch. */
    private final class BatchPart implements ColumnarImport.Part {
        private final int index;
        private final long body;
        private final RecordBatch batch;
        private final Chosen ts;
        private final Chosen value;
        private final Chosen series;

        BatchPart(int index, MessageBlock block, RecordBatch batch, Chosen ts, Chosen value, Chosen series) {
            this.index = index;
            this.body = block.offset() + block.metaDataLength();
            this.batch = batch;
            this.ts = ts;
            this.value = value;
            this.series = series;
        }

        @Override
        public long rowCount() {
            return batch.length();
        }

        @Override
        public String describe() {
            return file + ": record batch " + index;
        }

        private BadInputException problem(long row, String what) {
            return new BadInputException(describe(), "row " + row + ": " + what);
        }

        @Override
        public void read(ColumnBuffers rows, SeriesTable table) throws IOException {
            long n = batch.length();
            MemorySegment tsValidity = buffer(batch, body, ts.buffer);
            MemorySegment tsData = buffer(batch, body, ts.buffer + 1);
            MemorySegment valueValidity = buffer(batch, body, value.buffer);
            MemorySegment valueData = buffer(batch, body, value.buffer + 1);
            int[] localIds = null;
            List<byte[]> names = null;
            MemorySegment seriesValidity = null;
            MemorySegment seriesData = null;
            MemorySegment seriesBytes = null;
            if (series != null) {
                seriesValidity = buffer(batch, body, series.buffer);
                seriesData = buffer(batch, body, series.buffer + 1);
                if (series.type == Type.Utf8 && !series.dictionary) {
                    seriesBytes = buffer(batch, body, series.buffer + 2);
                }
                if (series.dictionary) {
                    names = dictionaries.get(series.dictionaryId);
                    if (names == null) {
                        throw new BadInputException(describe(), "the dictionary of column '" + series.name + "' is missing");
                    }
                    localIds = new int[names.size()];
                    Arrays.fill(localIds, -1);
                }
            }
            for (long i = 0; i < n; i++) {
                if (!valid(tsValidity, i)) {
                    throw problem(i, "the timestamp is null");
                }
                long t = integer(tsData, ts, i);
                long nanos;
                try {
                    nanos = Math.multiplyExact(t, ts.nanosPerUnit);
                } catch (ArithmeticException e) {
                    throw problem(i, "the timestamp " + t + " is outside the range of int64 nanoseconds");
                }
                double v = !valid(valueValidity, i) ? Double.NaN : value.type == Type.FloatingPoint
                        ? (value.bitWidth == 64 ? valueData.getAtIndex(DOUBLE, i) : valueData.getAtIndex(FLOAT, i))
                        : value.signed || value.bitWidth < 64 ? (double) integer(valueData, value, i)
                        : unsignedToDouble(integer(valueData, value, i));
                int id = 0;
                if (series != null) {
                    boolean present = valid(seriesValidity, i);
                    if (series.dictionary) {
                        int key = present ? (int) integer(seriesData, series, i) : -1;
                        if (key >= names.size()) {
                            throw problem(i, "dictionary index " + key + " is outside the dictionary of " + names.size());
                        }
                        byte[] name = key < 0 ? new byte[0] : names.get(key);
                        if (key < 0 || localIds[key] < 0) {
                            int local = id(table, MemorySegment.ofArray(name), 0, name.length, i);
                            if (key >= 0) {
                                localIds[key] = local;
                            }
                            id = local;
                        } else {
                            id = localIds[key];
                        }
                    } else if (seriesBytes != null) {
                        int from = present ? seriesData.getAtIndex(INT, i) : 0;
                        int to = present ? seriesData.getAtIndex(INT, i + 1) : 0;
                        id = id(table, seriesBytes, from, to - from, i);
                    } else {
                        byte[] name = present ? Long.toString(integer(seriesData, series, i)).getBytes(StandardCharsets.US_ASCII) : new byte[0];
                        id = id(table, MemorySegment.ofArray(name), 0, name.length, i);
                    }
                }
                rows.append(nanos, v != v ? Double.NaN : v, id);
            }
        }

        private int id(SeriesTable table, MemorySegment text, long from, int length, long row) throws BadInputException {
            try {
                return table.idOfChecked(text, from, length);
            } catch (IllegalArgumentException e) {
                throw problem(row, e.getMessage());
            }
        }
    }

    private static boolean valid(MemorySegment validity, long i) {
        return validity.byteSize() == 0 || (validity.get(ValueLayout.JAVA_BYTE, i >>> 3) & 1 << (i & 7)) != 0;
    }

    private static long integer(MemorySegment data, Chosen c, long i) {
        return switch (c.bitWidth) {
            case 8 -> c.signed ? data.get(ValueLayout.JAVA_BYTE, i) : data.get(ValueLayout.JAVA_BYTE, i) & 0xFFL;
            case 16 -> {
                short s = data.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i);
                yield c.signed ? s : s & 0xFFFFL;
            }
            case 32 -> c.signed ? data.getAtIndex(INT, i) : data.getAtIndex(INT, i) & 0xFFFF_FFFFL;
            default -> data.getAtIndex(LONG, i);
        };
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : new java.math.BigDecimal(Long.toUnsignedString(v)).doubleValue();
    }
}
