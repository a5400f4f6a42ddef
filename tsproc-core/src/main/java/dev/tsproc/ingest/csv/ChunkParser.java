package dev.tsproc.ingest.csv;

import dev.tsproc.store.StoreLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Parses the lines of one chunk of CSV bytes into columns, recording bad lines.
 *
 * <p>The hot path allocates nothing and reads each byte once: a field is scanned by the parser
 * of its role (timestamp, value, series name, or skipped text), which stops at the first byte
 * that cannot continue it; the field is good if that byte is a delimiter or the line's end.
 * Numbers never become {@code String}s; series names are looked up by their bytes
 * ({@link SeriesTable}). Only bad lines and quoted numbers take slower paths.
 *
 * <p>Lines end at LF or CRLF; the last line may lack one. A quoted field (RFC 4180, {@code ""}
 * inside for a quote) must close on its own line, so every LF ends a line and chunks can be cut
 * at any LF; it is also why an unterminated quote is reported on its own line and cannot
 * swallow the rest of the file. Blank lines are skipped (and counted in line numbers). A
 * series name starting with an apostrophe followed by {@code = + - @}, a tab or a CR, as
 * {@code tsproc export} writes to defuse spreadsheet formulas, loses that one apostrophe.
 *
 * <p><b>Fast path.</b> Most lines of most files have one shape: every field unquoted, short,
 * ASCII, a series name of at most 15 bytes, an epoch integer or the common ISO form, a short
 * decimal. Such a line is read by {@link #fastLine} with a few 8-byte loads and no loop over
 * bytes, and its name is looked up by the words that found its end. Anything else, and every
 * error, makes it give up on the line before recording anything, and the general path above
 * reads the line from its start: so the general path alone decides what is an error and how
 * it is reported, and the fast path only ever accepts lines that the general path would read
 * to the same row (a property test checks this on random lines).
 *
 * <p>Thread confinement: one instance per thread; {@link #parse} may be called repeatedly.
 */
final class ChunkParser {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final int EXCERPT_BYTES = 40;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long SPACES = 0x2020202020202020L;
    /**
     * How far from the end of the parsed range a line must start for {@link #fastLine}: more
     * than it ever reads from a line's start (under 64 bytes; the lines it accepts are shorter
     * still), so that it needs no bounds checks of its own and never reads past the range.
     */
    static final int FAST_LINE_BYTES = 128;
    private static final int SERIES_TS_VALUE = 1;
    private static final int TS_VALUE = 2;

    private final CsvLayout layout;
    private final byte[] roles;
    private final int lastField;
    private final byte delimiter;
    private final long delimiters;
    private final byte[][] missing;
    private final long maxLineBytes;
    private final boolean stopAtFirstError;
    private final int keptErrors;
    private final String tsFormatName;
    private final NumberScanner numbers = new NumberScanner();
    private final TimestampScanner timestamps;
    /** Per byte value: nonzero if it needs a look in unquoted text (delimiter, LF, CR, quote, NUL, non-ASCII). */
    private final boolean[] special = new boolean[256];
    private byte[] quoted = new byte[64];
    private byte[] quotedName = new byte[64];
    /** Whether {@link #fastLine} may be tried: see {@link #fastPathFits}. */
    private final boolean fastPath;
    /** {@link #SERIES_TS_VALUE}, {@link #TS_VALUE} or 0 for another order of fields. */
    private final int shape;

    // The line being parsed.
    private long lineStart;
    private long ts;
    private double value;
    private MemorySegment nameSegment;
    private long nameFrom;
    private int nameLength;
    // What fastLines read: its lines, whether their timestamps never decrease, and the last one.
    private long fastLineCount;
    private boolean fastSorted;
    private long fastLastTs;
    // The name's key words (SeriesTable), set by the fast path.
    private long nameFirst;
    private long nameSecond;
    private CsvError.Reason errorReason;
    private long errorOffset;
    private int errorField;
    private String errorDetail;
    private long errorScanFrom;

    ChunkParser(CsvLayout layout, CsvOptions options, int keptErrors) {
        this(layout, options, keptErrors, true);
    }

    /** As the other constructor; {@code tryFastPath} false reads every line by the general path (for tests). */
    ChunkParser(CsvLayout layout, CsvOptions options, int keptErrors, boolean tryFastPath) {
        this.layout = layout;
        this.roles = layout.roles();
        this.lastField = layout.fieldCount() - 1;
        this.delimiter = options.delimiter();
        this.delimiters = (delimiter & 0xFFL) * ONES;
        this.missing = options.missing().stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.maxLineBytes = options.maxLineBytes();
        this.stopAtFirstError = options.onError() == CsvOptions.OnError.FAIL;
        this.keptErrors = keptErrors;
        this.tsFormatName = options.timestampFormat().toString();
        this.timestamps = new TimestampScanner(options.timestampFormat(), delimiter);
        for (int b = 0; b < 256; b++) {
            special[b] = b == (delimiter & 0xFF) || b == '\n' || b == '\r' || b == '"' || b == 0 || b >= 0x80;
        }
        this.fastPath = tryFastPath && fastPathFits(roles, delimiter, options);
        this.shape = java.util.Arrays.equals(roles, new byte[] {CsvLayout.SERIES, CsvLayout.TS, CsvLayout.VALUE}) ? SERIES_TS_VALUE
                : java.util.Arrays.equals(roles, new byte[] {CsvLayout.TS, CsvLayout.VALUE}) ? TS_VALUE : 0;
    }

    /**
     * The fast path handles layouts of timestamp, value and series fields only, the series not
     * last (its name must end at a delimiter); delimiters that cannot continue a number or
     * timestamp; and line limits above what it reads.
     */
    private static boolean fastPathFits(byte[] roles, byte delimiter, CsvOptions options) {
        for (byte role : roles) {
            if (role == CsvLayout.SKIP) {
                return false;
            }
        }
        return roles[roles.length - 1] != CsvLayout.SERIES && ",;|\t".indexOf(delimiter) >= 0
                && options.maxLineBytes() >= FAST_LINE_BYTES
                && options.timestampFormat().kind() != TimestampFormat.Kind.PATTERN;
    }

    /**
     * Parses the lines in {@code s[from, to)}, which start at a line start and end at a line end
     * or the end of the input, into {@code chunk}.
     *
     * @param byteBase      the file offset of {@code s}'s byte 0, for error reports
     * @param truncatedTail whether the last line was cut short because it exceeds the line limit
     * @param stop          polled every few thousand lines; true abandons the chunk
     * @return false if stopped early (by {@code stop} or, with {@code --on-error fail}, a bad line)
     */
    boolean parse(ParsedChunk chunk, MemorySegment s, long from, long to, long byteBase, boolean truncatedTail,
                  BooleanSupplier stop) {
        ColumnBuffers rows = chunk.rows;
        SeriesTable series = chunk.series;
        boolean withSeries = rows.withSeries();
        long previousTs = Long.MIN_VALUE;
        boolean sorted = true;
        long line = 0;
        long p = from;
        long fastBefore = fastPath ? to - FAST_LINE_BYTES : Long.MIN_VALUE;
        try {
            while (p < to) {
                if ((line & 0xFFF) == 0xFFF && stop.getAsBoolean()) {
                    return false;
                }
                if (p < fastBefore) {
                    p = fastLines(s, p, to, fastBefore, 0xFFF - (line & 0xFFF), rows, series, previousTs);
                    if (fastLineCount > 0) {
                        line += fastLineCount;
                        sorted &= fastSorted;
                        previousTs = fastLastTs;
                        continue;
                    }
                }
                byte first = s.get(BYTE, p);
                if (first == '\n') {
                    p++;
                    line++;
                    continue;
                }
                if (first == '\r' && p + 1 < to && s.get(BYTE, p + 1) == '\n') {
                    p += 2;
                    line++;
                    continue;
                }
                lineStart = p;
                errorReason = null;
                long next = parseLine(s, p, to);
                if (next - lineStart > maxLineBytes || (truncatedTail && next == to && s.get(BYTE, to - 1) != '\n')) {
                    fail(CsvError.Reason.LINE_TOO_LONG, lineStart, 0,
                            "the line is longer than the limit of " + maxLineBytes + " bytes");
                }
                if (errorReason == null) {
                    int id = withSeries ? series.idOf(nameSegment, nameFrom, nameLength) : 0;
                    rows.append(ts, value, id);
                    if (ts < previousTs) {
                        sorted = false;
                    }
                    previousTs = ts;
                } else {
                    chunk.errorCount++;
                    if (chunk.errors.size() < keptErrors) {
                        chunk.errors.add(new ParsedChunk.LocalError(line, byteBase + errorOffset, errorField, errorReason, errorDetail));
                    }
                    if (stopAtFirstError) {
                        chunk.lineCount = line + 1;
                        return false;
                    }
                }
                p = next;
                line++;
            }
            return true;
        } finally {
            chunk.lineCount = Math.max(chunk.lineCount, line);
            chunk.rowCount = rows.rowCount();
            chunk.sorted = sorted;
            if (rows.rowCount() > 0) {
                chunk.firstTs = rows.ts().getAtIndex(dev.tsproc.data.Column.TS_LAYOUT, 0);
                chunk.lastTs = previousTs;
            }
        }
    }

    /**
     * Reads lines of the common shape from {@code p} on, into {@code rows}, until one is not of
     * that shape, starts at {@code fastBefore} or later, or {@code maxLines} are read; returns
     * where it stopped. Sets {@link #fastLineCount}, {@link #fastLastTs} and
     * {@link #fastSorted}. A method of its own so that the JIT compiles this loop alone, soon
     * and once, rather than all of {@link #parse} with the general path inlined: that took
     * several compilations of 50-200 ms each, a tenth of a 20-million-row import's CPU time.
     */
    private long fastLines(MemorySegment s, long p, long to, long fastBefore, long maxLines, ColumnBuffers rows,
                           SeriesTable series, long previousTs) {
        boolean withSeries = rows.withSeries();
        boolean sorted = true;
        long count = 0;
        while (count < maxLines && p < fastBefore) {
            long next = fastLine(s, p, to);
            if (next < 0) {
                break;
            }
            rows.append(ts, value, withSeries ? series.idOf(nameFirst, nameSecond, nameLength, s, nameFrom) : 0);
            sorted &= ts >= previousTs;
            previousTs = ts;
            p = next;
            count++;
        }
        fastLineCount = count;
        fastLastTs = previousTs;
        fastSorted = sorted;
        return p;
    }

    /**
     * Reads the line at {@code p} if it has the common shape (see the class comment), which
     * starts at least {@link #FAST_LINE_BYTES} before {@code to}; returns the position after
     * its line end, or -1, having recorded nothing, for the general path to read it.
     */
    long fastLine(MemorySegment s, long p, long to) {
        // The two common layouts in straight-line code: 5-12% faster than the loop over roles.
        if (shape == SERIES_TS_VALUE) {
            long nameEnd = fastName(s, p);
            long valueStart = nameEnd < 0 ? -1 : fastTimestampThenDelimiter(s, nameEnd + 1, to);
            return valueStart < 0 ? -1 : fastValueThenLineEnd(s, valueStart);
        }
        if (shape == TS_VALUE) {
            long valueStart = fastTimestampThenDelimiter(s, p, to);
            return valueStart < 0 ? -1 : fastValueThenLineEnd(s, valueStart);
        }
        for (int field = 0; ; field++) {
            long end;
            switch (roles[field]) {
                case CsvLayout.TS -> {
                    end = timestamps.scanCommon(s, p, to);
                    ts = timestamps.value;
                }
                case CsvLayout.VALUE -> {
                    int length = numbers.shortDecimal(s.get(WORD, p), s.get(BYTE, p + 8));
                    end = length < 0 ? -1 : p + length;
                    value = numbers.doubleValue;
                }
                default -> end = fastName(s, p);
            }
            if (end < 0) {
                return -1;
            }
            byte b = s.get(BYTE, end);
            if (field < lastField) {
                if (b != delimiter) {
                    return -1;
                }
                p = end + 1;
            } else if (b == '\n') {
                return end + 1;
            } else {
                return b == '\r' && s.get(BYTE, end + 1) == '\n' ? end + 2 : -1;
            }
        }
    }

    /** A timestamp of the common forms and the delimiter: the position after the delimiter, or -1. */
    private long fastTimestampThenDelimiter(MemorySegment s, long p, long to) {
        long end = timestamps.scanCommon(s, p, to);
        ts = timestamps.value;
        return end >= 0 && s.get(BYTE, end) == delimiter ? end + 1 : -1;
    }

    /** A short decimal and the line's end: the position after the line end, or -1. */
    private long fastValueThenLineEnd(MemorySegment s, long p) {
        int length = numbers.shortDecimal(s.get(WORD, p), s.get(BYTE, p + 8));
        value = numbers.doubleValue;
        if (length < 0) {
            return -1;
        }
        long end = p + length;
        byte b = s.get(BYTE, end);
        return b == '\n' ? end + 1 : b == '\r' && s.get(BYTE, end + 1) == '\n' ? end + 2 : -1;
    }

    /**
     * An unquoted series name of at most 15 printable ASCII bytes (no quote, no leading
     * apostrophe) followed by the delimiter, found in two words without a loop: 1BRC's way of
     * finding the station name, which no library offers for bytes in a {@code MemorySegment}
     * (the Vector API would, but it is an incubator module that {@code bin/tsproc} does not
     * load). Leaves the name's key words for {@link SeriesTable}; returns its end or -1.
     */
    private long fastName(MemorySegment s, long p) {
        long first = s.get(WORD, p);
        long second = s.get(WORD, p + 8);
        long delimiters0 = zeroBytes(first ^ delimiters); // only the lowest mark is exact, as needed
        long delimiters1 = zeroBytes(second ^ delimiters);
        boolean inFirst = delimiters0 != 0;
        int length0 = Long.numberOfTrailingZeros(delimiters0) >>> 3; // 8 if none
        long mask0 = lowBytes(length0);
        long mask1 = inFirst ? 0 : lowBytes(Long.numberOfTrailingZeros(delimiters1) >>> 3);
        if ((delimiters0 | delimiters1) == 0 || ((unusualBytes(first) & mask0) | (unusualBytes(second) & mask1)) != 0
                || (first & 0xFF) == '\'') {
            return -1;
        }
        int length = inFirst ? length0 : 8 + (Long.numberOfTrailingZeros(delimiters1) >>> 3);
        nameFirst = first & mask0;
        nameSecond = second & mask1;
        nameLength = length;
        nameFrom = p;
        return p + length;
    }

    /** The mask of the low {@code n} bytes of a word, {@code n} from 0 to 8 (shifts count mod 64, hence two). */
    private static long lowBytes(int n) {
        return ~((-1L << (n << 2)) << (n << 2));
    }

    /**
     * Marks the high bit of each byte of {@code word} that is a quote, a control character
     * (below 0x20: NUL, CR, LF, tab) or not ASCII; only the lowest mark is exact.
     */
    private static long unusualBytes(long word) {
        return zeroBytes(word ^ QUOTES) | ((word - SPACES) | word) & HIGH_BITS;
    }

    /** Parses one non-blank line starting at {@code p}; returns the position after its line end. */
    private long parseLine(MemorySegment s, long p, long to) {
        for (int field = 0; ; field++) {
            long end = switch (roles[field]) {
                case CsvLayout.TS -> timestampField(s, p, to, field);
                case CsvLayout.VALUE -> valueField(s, p, to, field);
                case CsvLayout.SERIES -> seriesField(s, p, to, field);
                default -> textField(s, p, to, field, false);
            };
            if (end < 0) {
                return lineEnd(s, errorScanFrom, to);
            }
            // end is at a terminator: the end of input, a delimiter, LF, or CR before LF (or at the end).
            if (end == to) {
                if (field != lastField) {
                    fieldCountError(s, to, field + 1);
                }
                return to;
            }
            byte b = s.get(BYTE, end);
            if (b == delimiter) {
                if (field == lastField) {
                    long lineEnd = lineEnd(s, end, to);
                    fieldCountError(s, lineEnd, countFields(s, lineStart, lineEnd));
                    return lineEnd;
                }
                p = end + 1;
                continue;
            }
            if (field != lastField) {
                fieldCountError(s, end, field + 1);
            }
            return b == '\n' ? end + 1 : Math.min(end + 2, to);
        }
    }

    private long timestampField(MemorySegment s, long p, long to, int field) {
        if (p < to && s.get(BYTE, p) == '"') {
            return quotedNumber(s, p, to, field, true);
        }
        long end = timestamps.scan(s, p, to);
        if (end >= 0 && isTerminator(s, end, to)) {
            ts = timestamps.value;
            return end;
        }
        long fieldEnd = roughFieldEnd(s, p, to);
        if (end == TimestampScanner.OUT_OF_RANGE) {
            fail(CsvError.Reason.TIMESTAMP_OUT_OF_RANGE, p, field, excerpt(s, p, fieldEnd)
                    + " is outside the range of int64 nanoseconds (1677-09-21 to 2262-04-11)");
        } else if (fieldEnd == p || isMissing(s, p, fieldEnd)) {
            fail(CsvError.Reason.MISSING_TIMESTAMP, p, field, "the timestamp is missing"
                    + (fieldEnd == p ? "" : " (" + excerpt(s, p, fieldEnd) + ")"));
        } else {
            classifiedFail(CsvError.Reason.BAD_TIMESTAMP, s, p, fieldEnd, field,
                    " is not a timestamp in format " + tsFormatName);
        }
        errorScanFrom = p;
        return -1;
    }

    private long valueField(MemorySegment s, long p, long to, int field) {
        if (p < to && s.get(BYTE, p) == '"') {
            return quotedNumber(s, p, to, field, false);
        }
        long end = numbers.scanDouble(s, p, to);
        if (end >= 0 && isTerminator(s, end, to)) {
            value = numbers.doubleValue;
            return end;
        }
        long fieldEnd = roughFieldEnd(s, p, to);
        if ((fieldEnd == p || isMissing(s, p, fieldEnd)) && isTerminator(s, fieldEnd, to)) {
            value = Double.NaN;
            return fieldEnd;
        }
        classifiedFail(CsvError.Reason.BAD_NUMBER, s, p, fieldEnd, field, " is not a number");
        errorScanFrom = p;
        return -1;
    }

    /** A quoted timestamp or value: rare, so unquoted into a buffer and scanned there. */
    private long quotedNumber(MemorySegment s, long p, long to, int field, boolean isTimestamp) {
        long end = textField(s, p, to, field, true);
        if (end < 0) {
            return -1;
        }
        MemorySegment content = MemorySegment.ofArray(quoted);
        int length = quotedLength;
        long scanned = isTimestamp ? timestamps.scan(content, 0, length) : numbers.scanDouble(content, 0, length);
        if (scanned == length && length > 0) {
            if (isTimestamp) {
                ts = timestamps.value;
            } else {
                value = numbers.doubleValue;
            }
            return end;
        }
        if (!isTimestamp && (length == 0 || isMissing(content, 0, length))) {
            value = Double.NaN;
            return end;
        }
        if (isTimestamp && scanned == TimestampScanner.OUT_OF_RANGE) {
            fail(CsvError.Reason.TIMESTAMP_OUT_OF_RANGE, p, field, excerpt(s, p, end)
                    + " is outside the range of int64 nanoseconds (1677-09-21 to 2262-04-11)");
        } else if (isTimestamp && (length == 0 || isMissing(content, 0, length))) {
            fail(CsvError.Reason.MISSING_TIMESTAMP, p, field, "the timestamp is missing (" + excerpt(s, p, end) + ")");
        } else {
            fail(isTimestamp ? CsvError.Reason.BAD_TIMESTAMP : CsvError.Reason.BAD_NUMBER, p, field, excerpt(s, p, end)
                    + (isTimestamp ? " is not a timestamp in format " + tsFormatName : " is not a number"));
        }
        errorScanFrom = end;
        return -1;
    }

    private int quotedLength;

    private long seriesField(MemorySegment s, long p, long to, int field) {
        boolean isQuoted = p < to && s.get(BYTE, p) == '"';
        long end = textField(s, p, to, field, isQuoted);
        if (end < 0) {
            return -1;
        }
        MemorySegment segment;
        long from;
        int length;
        if (isQuoted) {
            if (quotedName.length < quotedLength) {
                quotedName = new byte[Math.max(quotedLength, quotedName.length * 2)];
            }
            System.arraycopy(quoted, 0, quotedName, 0, quotedLength);
            segment = MemorySegment.ofArray(quotedName);
            from = 0;
            length = quotedLength;
        } else {
            segment = s;
            from = p;
            length = (int) Math.min(end - p, Integer.MAX_VALUE);
        }
        if (length > StoreLayout.MAX_NAME_BYTES) {
            fail(CsvError.Reason.NAME_TOO_LONG, p, field, "the series name is " + length
                    + " bytes long; a store holds names of at most " + StoreLayout.MAX_NAME_BYTES + " bytes of UTF-8");
            errorScanFrom = end;
            return -1;
        }
        if (length >= 2 && segment.get(BYTE, from) == '\'' && isFormulaEscaped(segment, from, length)) {
            from++;
            length--;
        }
        nameSegment = segment;
        nameFrom = from;
        nameLength = length;
        return end;
    }

    /** Whether a name matches {@code '+[=+\-@\t\r]...}: an export-escaped formula-like name. */
    private static boolean isFormulaEscaped(MemorySegment s, long from, int length) {
        for (int i = 1; i < length; i++) {
            byte b = s.get(BYTE, from + i);
            if (b != '\'') {
                return b == '=' || b == '+' || b == '-' || b == '@' || b == '\t' || b == '\r';
            }
        }
        return false;
    }

    /**
     * Scans a text field (skipped, a series name, or a quoted number), checking quotes, NUL,
     * CR and UTF-8. A quoted field's content goes to {@link #quoted} when {@code keepQuoted}.
     */
    private long textField(MemorySegment s, long p, long to, int field, boolean keepQuoted) {
        boolean nonAscii = false;
        long q = p;
        if (q < to && s.get(BYTE, q) == '"') {
            int length = 0;
            for (q++; ; q++) {
                if (q >= to) {
                    return unterminated(p, field);
                }
                byte b = s.get(BYTE, q);
                if (b == '"') {
                    if (q + 1 < to && s.get(BYTE, q + 1) == '"') {
                        q++; // an escaped quote
                    } else {
                        q++;
                        break;
                    }
                } else if (b == '\n' || b == '\r') {
                    return unterminated(p, field);
                } else if (b == 0) {
                    return nulByte(q, field);
                } else if (b < 0) {
                    nonAscii = true;
                }
                if (keepQuoted) {
                    if (length == quoted.length) {
                        quoted = java.util.Arrays.copyOf(quoted, length * 2);
                    }
                    quoted[length] = b;
                }
                length++;
                if (length > maxLineBytes) {
                    return unterminated(p, field);
                }
            }
            quotedLength = length;
            if (!isTerminator(s, q, to)) {
                fail(CsvError.Reason.BAD_QUOTE, q, field, "text after the closing quote: "
                        + excerpt(s, p, roughFieldEnd(s, q, to)));
                errorScanFrom = q;
                return -1;
            }
        } else {
            long size = s.byteSize();
            while (q < to) {
                // Find the next byte that needs a look: eight at a time where the segment allows.
                if (q + 8 <= size) {
                    long word = s.get(WORD, q);
                    long marks = specialBytes(word);
                    int n = Long.numberOfTrailingZeros(marks) >>> 3;
                    if (n == 8) {
                        q += 8;
                        continue;
                    }
                    q = Math.min(q + n, to);
                    if (q == to) {
                        break;
                    }
                } else if (!special[s.get(BYTE, q) & 0xFF]) {
                    q++;
                    continue;
                }
                byte b = s.get(BYTE, q);
                if (b == delimiter || b == '\n') {
                    break;
                } else if (b == '\r') {
                    if (q + 1 == to || s.get(BYTE, q + 1) == '\n') {
                        break;
                    }
                    fail(CsvError.Reason.BARE_CARRIAGE_RETURN, q, field,
                            "a carriage return that does not end the line: " + excerpt(s, p, roughFieldEnd(s, q + 1, to)));
                    errorScanFrom = q + 1;
                    return -1;
                } else if (b == '"') {
                    fail(CsvError.Reason.BAD_QUOTE, q, field, "a quote inside an unquoted field: "
                            + excerpt(s, p, roughFieldEnd(s, q + 1, to)) + " (quote the whole field and double the quote)");
                    errorScanFrom = q + 1;
                    return -1;
                } else if (b == 0) {
                    return nulByte(q, field);
                } else {
                    nonAscii = true;
                    q++;
                }
            }
            q = Math.min(q, to);
        }
        if (nonAscii) {
            long bad = Utf8.firstInvalid(s, p, q);
            if (bad >= 0) {
                fail(CsvError.Reason.INVALID_UTF8, bad, field, "byte 0x" + hex(s.get(BYTE, bad))
                        + " at offset " + (bad - p) + " of the field is not valid UTF-8");
                errorScanFrom = q;
                return -1;
            }
        }
        return q;
    }

    /**
     * Marks the high bit of each byte of {@code word} that is the delimiter, LF, CR, a quote,
     * NUL or not ASCII. Only the lowest mark is exact (a zero byte's borrow can mark the byte
     * above it), which is all the scan needs.
     */
    private long specialBytes(long word) {
        return zeroBytes(word ^ delimiters) | zeroBytes(word ^ 0x0A0A0A0A0A0A0A0AL) | zeroBytes(word ^ 0x0D0D0D0D0D0D0D0DL)
                | zeroBytes(word ^ 0x2222222222222222L) | zeroBytes(word) | (word & HIGH_BITS);
    }

    private static long zeroBytes(long x) {
        return (x - ONES) & ~x & HIGH_BITS;
    }

    private long unterminated(long p, int field) {
        fail(CsvError.Reason.UNTERMINATED_QUOTE, p, field,
                "a quoted field is not closed on its line (quoted fields cannot span lines)");
        errorScanFrom = p + 1;
        return -1;
    }

    private long nulByte(long q, int field) {
        fail(CsvError.Reason.NUL_BYTE, q, field, "the field contains a NUL byte");
        errorScanFrom = q + 1;
        return -1;
    }

    /** Reports a field that is not a number or timestamp, unless a worse problem explains it. */
    private void classifiedFail(CsvError.Reason reason, MemorySegment s, long p, long fieldEnd, int field, String what) {
        for (long q = p; q < fieldEnd; q++) {
            if (s.get(BYTE, q) == 0) {
                fail(CsvError.Reason.NUL_BYTE, q, field, "the field contains a NUL byte");
                return;
            }
        }
        long bad = Utf8.firstInvalid(s, p, fieldEnd);
        if (bad >= 0) {
            fail(CsvError.Reason.INVALID_UTF8, bad, field, "byte 0x" + hex(s.get(BYTE, bad))
                    + " at offset " + (bad - p) + " of the field is not valid UTF-8");
            return;
        }
        fail(reason, p, field, excerpt(s, p, fieldEnd) + what);
    }

    private void fail(CsvError.Reason reason, long offset, int field, String detail) {
        if (errorReason == null || reason == CsvError.Reason.LINE_TOO_LONG) {
            errorReason = reason;
            errorOffset = offset;
            errorField = reason == CsvError.Reason.LINE_TOO_LONG || reason == CsvError.Reason.FIELD_COUNT ? 0 : field + 1;
            errorDetail = detail;
        }
    }

    private void fieldCountError(MemorySegment s, long lineEnd, long found) {
        fail(CsvError.Reason.FIELD_COUNT, lineStart, 0, "expected " + layout.fieldCount() + " fields, found " + found);
    }

    /** Counts the fields of the line {@code s[from, to)}, honouring quotes. */
    private long countFields(MemorySegment s, long from, long to) {
        long count = 1;
        boolean inQuotes = false;
        for (long q = from; q < to; q++) {
            byte b = s.get(BYTE, q);
            if (b == '"') {
                inQuotes = !inQuotes;
            } else if (b == delimiter && !inQuotes) {
                count++;
            }
        }
        return count;
    }

    private boolean isTerminator(MemorySegment s, long q, long to) {
        if (q >= to) {
            return true;
        }
        byte b = s.get(BYTE, q);
        return b == delimiter || b == '\n' || (b == '\r' && (q + 1 == to || s.get(BYTE, q + 1) == '\n'));
    }

    /** The end of the field starting at {@code p} for error messages: the next delimiter, CR, LF or the end. */
    private long roughFieldEnd(MemorySegment s, long p, long to) {
        long q = p;
        while (q < to) {
            byte b = s.get(BYTE, q);
            // A bare CR is part of the field, so the excerpt shows it ('2\x0D'), not a field that looks fine ('2').
            if (b == delimiter || b == '\n' || (b == '\r' && (q + 1 == to || s.get(BYTE, q + 1) == '\n'))) {
                break;
            }
            q++;
        }
        return q;
    }

    /** The position after the line end at or after {@code p} (or {@code to}). */
    private static long lineEnd(MemorySegment s, long p, long to) {
        for (long q = p; q < to; q++) {
            if (s.get(BYTE, q) == '\n') {
                return q + 1;
            }
        }
        return to;
    }

    private boolean isMissing(MemorySegment s, long from, long to) {
        long length = to - from;
        outer:
        for (byte[] spelling : missing) {
            if (spelling.length != length) {
                continue;
            }
            for (int i = 0; i < length; i++) {
                if (s.get(BYTE, from + i) != spelling[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * {@code '2°C'}: the text quoted and shortened, as a terminal can show it without obeying it.
     * Valid UTF-8 shows as text; bytes that are not (Latin-1 text, a cut sequence) and the bytes
     * of control and format characters (ESC, CR, a right-to-left override) and of the backslash
     * show as {@code \xNN}, so the excerpt says exactly which bytes are in the file.
     */
    static String excerpt(MemorySegment s, long from, long to) {
        long end = Math.min(to, from + EXCERPT_BYTES);
        while (end < to && end < from + EXCERPT_BYTES + 3 && (s.get(BYTE, end) & 0xC0) == 0x80) {
            end++; // finish a character cut at the limit
        }
        ByteBuffer in = ByteBuffer.wrap(s.asSlice(from, end - from).toArray(ValueLayout.JAVA_BYTE));
        CharBuffer text = CharBuffer.allocate(in.capacity());
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input rather than replacing it
        StringBuilder out = new StringBuilder("'");
        while (in.hasRemaining()) {
            CoderResult result = utf8.decode(in, text, true);
            text.flip().codePoints().forEach(c -> appendShown(out, c));
            text.clear();
            for (int i = 0; result.isError() && i < result.length(); i++) {
                out.append("\\x").append(hex(in.get()));
            }
        }
        if (end < to) {
            out.append("...");
        }
        return out.append('\'').toString();
    }

    /** Appends {@code c} as text, or its UTF-8 bytes as {@code \xNN} if a terminal would obey it or it is the backslash. */
    private static void appendShown(StringBuilder out, int c) {
        int type = Character.getType(c);
        if (c == '\\' || Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR) {
            for (byte b : Character.toString(c).getBytes(StandardCharsets.UTF_8)) {
                out.append("\\x").append(hex(b));
            }
        } else {
            out.appendCodePoint(c);
        }
    }

    private static String hex(byte b) {
        return String.format("%02X", b & 0xFF);
    }
}
