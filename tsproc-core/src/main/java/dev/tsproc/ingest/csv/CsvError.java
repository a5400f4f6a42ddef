package dev.tsproc.ingest.csv;

/**
 * One bad line of a CSV file: where it is, and what is wrong with it.
 *
 * @param lineNumber  1-based line number in the file (the header, if any, is line 1)
 * @param byteOffset  offset from the start of the file (of the decompressed stream for gzip
 *                    input) of the first byte of the bad field, or of the line when the line as
 *                    a whole is wrong
 * @param fieldNumber 1-based field number, or 0 when the line as a whole is wrong
 * @param fieldName   the field's header name (or {@code field N} without a header), or empty
 * @param reason      the kind of problem
 * @param detail      what exactly is wrong, quoting the offending text (shortened, with
 *                    unprintable bytes written as {@code \xNN})
 */
public record CsvError(long lineNumber, long byteOffset, int fieldNumber, String fieldName, Reason reason, String detail) {

    /** The kinds of bad line. Every error that import reports is one of these. */
    public enum Reason {
        /** The line has more or fewer fields than the header (or the first line). */
        FIELD_COUNT,
        /** A value is not a number in the strict grammar and not a missing-value spelling. */
        BAD_NUMBER,
        /** A timestamp does not match the timestamp format. */
        BAD_TIMESTAMP,
        /** A timestamp is empty or a missing-value spelling. */
        MISSING_TIMESTAMP,
        /** A timestamp is valid but outside the int64 nanosecond range (1677-09-21 to 2262-04-11). */
        TIMESTAMP_OUT_OF_RANGE,
        /** The line holds bytes that are not well-formed UTF-8. */
        INVALID_UTF8,
        /** The line holds a NUL byte. */
        NUL_BYTE,
        /** The line is longer than the limit. */
        LINE_TOO_LONG,
        /** A quoted field is not closed before the end of its line. */
        UNTERMINATED_QUOTE,
        /** A quote inside an unquoted field, or text after a closing quote. */
        BAD_QUOTE,
        /** A carriage return that is not part of a CRLF line end. */
        BARE_CARRIAGE_RETURN,
        /** A series name longer than a store can hold (4096 bytes of UTF-8). */
        NAME_TOO_LONG
    }

    /** {@code line 7 (byte 312), field 3 'value': '1.5f' is not a number}. */
    public String message() {
        return "line " + lineNumber + " (byte " + byteOffset + ")"
                + (fieldNumber > 0 ? ", field " + fieldNumber + " '" + fieldName + "'" : "") + ": " + detail;
    }

    @Override
    public String toString() {
        return message();
    }
}
