package dev.tsproc.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a built-in job: every statistic of {@link Stat}, and which of them the job was
 * asked for.
 *
 * @param requested the statistics to show, in order
 */
public record Stats(List<Stat> requested, long rows, long count, long missing, double sum, double mean,
                    double min, double max, double stddev) {

    public Stats {
        requested = List.copyOf(requested);
    }

    /** The value of {@code stat}, as a {@code Long} for counts and a {@code Double} otherwise. */
    public Number get(Stat stat) {
        return switch (stat) {
            case ROWS -> rows;
            case COUNT -> count;
            case MISSING -> missing;
            case SUM -> sum;
            case MEAN -> mean;
            case MIN -> min;
            case MAX -> max;
            case STDDEV -> stddev;
        };
    }

    /** The requested statistics by label, in order. */
    public Map<String, Number> asMap() {
        Map<String, Number> map = new LinkedHashMap<>();
        for (Stat s : requested) {
            map.put(s.label(), get(s));
        }
        return map;
    }
}
