package dev.tsproc.exec;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT30S}. */
public final class Durations {
    /**
     * The longest duration accepted. Deadlines are counts of nanoseconds on a clock that may
     * start anywhere, so a duration near the ~292 years a {@code long} holds overflows them;
     * a year is longer than any run.
     */
    public static final Duration MAX = Duration.ofDays(365);
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    private Durations() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException in one sentence if it is not a positive duration of at most {@link #MAX}
     */
    public static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(text.strip());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 500ms, 30s, 2m, 1h or PT30S");
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than " + MAX.toDays() + " days, the longest duration accepted");
        }
        return d;
    }

    /** {@code d} the short way: "500 ms", "30 s", "2.5 s". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.3f s", ms / 1000.0);
    }
}
