package dev.tsproc.job;

import java.util.List;
import java.util.Locale;

/**
 * The built-in jobs, which are named queries over the whole value column: {@code count},
 * {@code missing}, {@code sum}, {@code mean}, {@code min}, {@code max} and {@code stddev} are
 * the query of that one aggregate, and {@code stats} is the query of all seven
 * ({@link Aggregate#STATS}). {@code --job sum} and {@code --agg sum} are the same job and give
 * the same {@link QueryResult}: one row, no grouping.
 *
 * <p>A whole-column query is one run of rows per batch, which {@link QueryJob} summarises with
 * its whole-column block kernels, vectorised where the JVM allows: the engine's fast path.
 */
public final class BuiltinJob {
    /** Names accepted by {@link #named}. */
    public static final List<String> NAMES =
            List.of("stats", "count", "missing", "sum", "mean", "min", "max", "stddev");

    private BuiltinJob() {}

    /**
     * The built-in job called {@code name} (case-insensitive): the query job of its aggregates
     * over every row, reported under that name and sent to worker processes by that name.
     *
     * @throws IllegalArgumentException naming the known jobs if there is none such
     */
    public static QueryJob named(String name) {
        String key = name.toLowerCase(Locale.ROOT).strip();
        if (!NAMES.contains(key)) {
            throw new IllegalArgumentException("unknown job '" + name + "'; choose one of " + String.join(", ", NAMES));
        }
        return QueryJob.builtin(key, QuerySpec.of(Aggregate.parseList(key)));
    }

    /**
     * What a user who named the job {@code name}, which is neither built in nor a class, likely
     * meant, as a clause to end the message with: the built-in jobs, and the job or query
     * aggregate the name or another tool's word stands for ({@code median} is {@code --agg p50}).
     */
    public static String hint(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        String meant = Aggregate.synonym(key).orElse(key);
        String known = "; the built-in jobs are " + String.join(", ", NAMES);
        if (NAMES.contains(meant)) {
            return known + " (the " + key.replace("avg", "average") + " is --job " + meant + ")";
        }
        try {
            Aggregate.parse(meant);
            return known + (meant.equals(key) ? "; " + key + " is a query aggregate" : "; the " + key + " is the query aggregate " + meant)
                    + ": --agg " + meant;
        } catch (IllegalArgumentException notAnAggregate) {
            return known;
        }
    }
}
