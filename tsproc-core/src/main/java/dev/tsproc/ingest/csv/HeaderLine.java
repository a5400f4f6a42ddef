package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Splits the first line of a file (the header, or a line whose fields are counted) into fields. */
final class HeaderLine {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Makes the exception for a problem with line 1. */
    @FunctionalInterface
    interface Problem {
        CsvFormatException at(CsvError.Reason reason, long byteOffset, String detail);
    }

    private HeaderLine() {}

    /** The fields of {@code s[from, to)} (a line without its line end), unquoted and decoded strictly. */
    static List<String> split(MemorySegment s, long from, long to, byte delimiter, Problem problem) throws CsvFormatException {
        List<String> fields = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        java.io.ByteArrayOutputStream field = new java.io.ByteArrayOutputStream();
        long p = from;
        while (true) {
            field.reset();
            long start = p;
            if (p < to && s.get(BYTE, p) == '"') {
                for (p++; ; p++) {
                    if (p >= to) {
                        throw problem.at(CsvError.Reason.UNTERMINATED_QUOTE, start,
                                "a quoted field is not closed on its line (quoted fields cannot span lines)");
                    }
                    byte b = s.get(BYTE, p);
                    if (b == '"') {
                        if (p + 1 < to && s.get(BYTE, p + 1) == '"') {
                            p++;
                        } else {
                            p++;
                            break;
                        }
                    }
                    field.write(b);
                }
                if (p < to && s.get(BYTE, p) != delimiter) {
                    throw problem.at(CsvError.Reason.BAD_QUOTE, p, "text after the closing quote");
                }
            } else {
                for (; p < to && s.get(BYTE, p) != delimiter; p++) {
                    byte b = s.get(BYTE, p);
                    if (b == '"') {
                        throw problem.at(CsvError.Reason.BAD_QUOTE, p, "a quote inside an unquoted field");
                    }
                    if (b == '\r') {
                        throw problem.at(CsvError.Reason.BARE_CARRIAGE_RETURN, p, "a carriage return that does not end the line");
                    }
                    field.write(b);
                }
            }
            byte[] bytes = field.toByteArray();
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    throw problem.at(CsvError.Reason.NUL_BYTE, start, "the field contains a NUL byte");
                }
            }
            try {
                fields.add(decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                throw problem.at(CsvError.Reason.INVALID_UTF8, start, "the field is not valid UTF-8");
            }
            if (p >= to) {
                return fields;
            }
            p++; // the delimiter
        }
    }
}
