package dev.tsproc.ingest.csv;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which field of a line holds what: the field count and each field's role, resolved from the
 * options and the header (or the first line's field count when there is no header).
 *
 * @param fieldCount number of fields every line must have
 * @param roles      per field: {@link #SKIP}, {@link #TS}, {@link #VALUE} or {@link #SERIES}
 * @param names      per field: the header name, or {@code field N}
 */
record CsvLayout(int fieldCount, byte[] roles, List<String> names) {
    static final byte SKIP = 0;
    static final byte TS = 1;
    static final byte VALUE = 2;
    static final byte SERIES = 3;

    /** Names tried, in order, for the timestamp column when none is given. */
    static final List<String> DEFAULT_TS_NAMES = List.of("ts", "timestamp", "time");

    boolean hasSeries() {
        for (byte role : roles) {
            if (role == SERIES) {
                return true;
            }
        }
        return false;
    }

    /**
     * Resolves the layout.
     *
     * @param header the header's field names, or null without a header
     * @param firstLineFields the first line's field count when there is no header
     * @throws IllegalArgumentException naming the column that cannot be found and the choices
     */
    static CsvLayout resolve(CsvOptions options, List<String> header, int firstLineFields) {
        int count = header != null ? header.size() : firstLineFields;
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(header != null ? header.get(i) : "field " + (i + 1));
        }
        byte[] roles = new byte[count];
        int ts = find(options.tsColumn(), "--ts-col", header, count);
        int value = find(options.valueColumn(), "--value-col", header, count);
        int series = options.noSeries() ? -1 : find(options.seriesColumn(), "--series-col", header, count);
        if (ts < 0) {
            ts = header != null ? findAny(header, DEFAULT_TS_NAMES) : count == 2 ? 0 : count == 3 ? 1 : -1;
            if (ts < 0) {
                throw new IllegalArgumentException(missing("timestamp", "--ts-col", "named ts, timestamp or time", header, count));
            }
        }
        if (value < 0) {
            value = header != null ? findAny(header, List.of("value")) : count == 2 ? 1 : count == 3 ? 2 : -1;
            if (value < 0) {
                throw new IllegalArgumentException(missing("value", "--value-col", "named value", header, count));
            }
        }
        if (series < 0 && options.seriesColumn() == null && !options.noSeries()) {
            series = header != null ? findAny(header, List.of("series")) : count == 3 ? 0 : -1;
        }
        if (ts == value || ts == series || value == series) {
            throw new IllegalArgumentException("the timestamp, value and series columns must be different fields, but "
                    + (ts == value ? "timestamp and value" : ts == series ? "timestamp and series" : "value and series")
                    + " are both field " + ((ts == value || ts == series) ? ts + 1 : value + 1));
        }
        roles[ts] = TS;
        roles[value] = VALUE;
        if (series >= 0) {
            roles[series] = SERIES;
        }
        return new CsvLayout(count, roles, List.copyOf(names));
    }

    private static int find(String ref, String option, List<String> header, int count) {
        if (ref == null) {
            return -1;
        }
        if (!ref.isEmpty() && ref.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int position;
            try {
                position = Integer.parseInt(ref);
            } catch (NumberFormatException e) {
                position = 0;
            }
            if (position < 1 || position > count) {
                throw new IllegalArgumentException(option + " " + ref + " is not a field position: lines have "
                        + count + " fields (positions count from 1)");
            }
            return position - 1;
        }
        if (header == null) {
            throw new IllegalArgumentException(option + " '" + ref + "' names a column, but the file has no header;"
                    + " give a position (1.." + count + ") instead");
        }
        int i = header.indexOf(ref);
        if (i < 0) {
            throw new IllegalArgumentException(option + " '" + ref + "' is not a column of the header " + header);
        }
        return i;
    }

    private static int findAny(List<String> header, List<String> candidates) {
        for (String candidate : candidates) {
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).trim().toLowerCase(Locale.ROOT).equals(candidate)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static String missing(String what, String option, String defaults, List<String> header, int count) {
        return header != null
                ? "the header " + header + " has no " + what + " column " + defaults + "; say which with " + option
                        + (header.size() == 1 ? ", or with --delimiter how its fields are separated" : "")
                : "without a header, lines of " + count + " fields need " + option + " to say which field holds the " + what;
    }
}
