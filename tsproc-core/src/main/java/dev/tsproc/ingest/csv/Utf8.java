package dev.tsproc.ingest.csv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
public final class Utf8 {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private Utf8() {}

    /** The position of the first byte of {@code s[from, to)} that starts an invalid sequence, or -1. */
    public static long firstInvalid(MemorySegment s, long from, long to) {
        long p = from;
        while (p < to) {
            int b = s.get(BYTE, p) & 0xFF;
            if (b < 0x80) {
                p++;
                continue;
            }
            int length;
            int min;
            int max = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                min = b == 0xE0 ? 0xA0 : 0x80; // no overlong forms
                max = b == 0xED ? 0x9F : 0xBF; // no surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                min = b == 0xF0 ? 0x90 : 0x80;
                max = b == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
            } else {
                return p;
            }
            if (to - p < length) {
                return p;
            }
            int second = s.get(BYTE, p + 1) & 0xFF;
            if (second < min || second > max) {
                return p;
            }
            for (int i = 2; i < length; i++) {
                int next = s.get(BYTE, p + i) & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return p;
                }
            }
            p += length;
        }
        return -1;
    }
}
