package dev.tsproc.job;

import dev.tsproc.data.SeriesDictionary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@link QuerySpec} as the parameters of a {@link JobSpec} named {@value QueryJob#JOB_NAME}, so
 * worker processes build the same {@link QueryJob} over the same store.
 *
 * <p>Series travel as ids of the store's dictionary, not as names: a worker opens the same store,
 * ids are short, and names may hold characters a parameter may not. They are cut into parameters
 * {@code series.0}, {@code series.1}, … of at most {@link JobSpec#MAX_VALUE_LENGTH} characters.
 */
final class QueryParameters {
    private static final String AGG = "agg";
    private static final String BY_SERIES = "by-series";
    private static final String EVERY = "every-ns";
    private static final String FROM = "from-ns";
    private static final String TO = "to-ns";
    private static final String EXACT = "exact-percentiles";
    private static final String SERIES = "series.";

    private QueryParameters() {}

    /**
     * The parameters of {@code spec}, whose series have the ascending ids {@code seriesIds}
     * ({@code null} for all series).
     *
     * @throws IllegalArgumentException if the series list is too long to send to worker processes
     */
    static JobSpec toJobSpec(QuerySpec spec, int[] seriesIds) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(AGG, spec.aggregates().stream().map(Aggregate::label).collect(Collectors.joining(",")));
        p.put(BY_SERIES, Boolean.toString(spec.bySeries()));
        p.put(EVERY, Long.toString(spec.bucketNanos()));
        p.put(FROM, Long.toString(spec.fromNanos()));
        p.put(TO, Long.toString(spec.toNanos()));
        p.put(EXACT, Boolean.toString(spec.exactPercentiles()));
        if (seriesIds != null) {
            StringBuilder chunk = new StringBuilder();
            int chunks = 0;
            for (int id : seriesIds) {
                String next = Integer.toString(id);
                if (chunk.length() + 1 + next.length() > JobSpec.MAX_VALUE_LENGTH) {
                    p.put(SERIES + chunks++, chunk.toString());
                    chunk.setLength(0);
                }
                chunk.append(chunk.isEmpty() ? "" : ",").append(next);
            }
            p.put(SERIES + chunks, chunk.toString());
            if (p.size() > JobSpec.MAX_PARAMETERS) {
                throw new IllegalArgumentException("a query of " + seriesIds.length
                        + " series is too long to send to worker processes; run it on threads, or name fewer series");
            }
        }
        return new JobSpec(QueryJob.JOB_NAME, p, List.of());
    }

    /**
     * The query the parameters describe, with series named from {@code dictionary}.
     *
     * @throws IllegalArgumentException in one sentence, naming the parameter, if one is missing,
     *                                  unknown or malformed
     */
    static QuerySpec fromParameters(Map<String, String> parameters, SeriesDictionary dictionary) {
        for (String key : parameters.keySet()) {
            if (!List.of(AGG, BY_SERIES, EVERY, FROM, TO, EXACT).contains(key) && !key.matches("series\\.\\d{1,2}")) {
                throw new IllegalArgumentException("the query job has no parameter " + key);
            }
        }
        List<String> series = new ArrayList<>();
        for (int k = 0; parameters.containsKey(SERIES + k); k++) {
            for (String id : parameters.get(SERIES + k).split(",")) {
                long i = number(SERIES + k, id);
                if (i < 0 || i >= dictionary.size()) {
                    throw new IllegalArgumentException("query parameter " + SERIES + k + " names series id " + i
                            + ", but the store has " + dictionary.size() + " series");
                }
                series.add(dictionary.name((int) i));
            }
        }
        return new QuerySpec(Aggregate.parseList(required(parameters, AGG)), bool(parameters, BY_SERIES),
                number(EVERY, required(parameters, EVERY)), number(FROM, required(parameters, FROM)),
                number(TO, required(parameters, TO)), series, bool(parameters, EXACT));
    }

    private static String required(Map<String, String> parameters, String key) {
        String value = parameters.get(key);
        if (value == null) {
            throw new IllegalArgumentException("the query job needs the parameter " + key);
        }
        return value;
    }

    private static boolean bool(Map<String, String> parameters, String key) {
        return switch (required(parameters, key).toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("query parameter " + key + " must be true or false");
        };
    }

    private static long number(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter " + key + "='" + value + "' is not an integer", e);
        }
    }
}
