package dev.tsproc.job;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One statistic a query computes per group: a {@link Kind} and, for percentiles, the quantile.
 *
 * <p>Every aggregate skips missing values (NaN), as SQL aggregates skip NULL:
 * <ul>
 * <li>{@code count}, {@code missing}: values present / missing in the group;
 * <li>{@code sum}: exact sum rounded once, 0 when there are no values; {@code mean}: exact sum
 *     divided by the count, rounded once, NaN without values; {@code stddev}: sample standard
 *     deviation (n − 1), from exact sums, NaN below two values or with infinities;
 * <li>{@code min}, {@code max}; {@code first}, {@code last}: the value of the earliest / latest
 *     row that has one, in timestamp order (ties: the first / last row); NaN without values;
 * <li>{@code pNN}: SQL's {@code percentile_disc(NN/100)}, the value of 0-based rank
 *     {@code max(1, ⌈q·n⌉) − 1} among the group's n sorted values — exact for a group of at most
 *     {@link Percentiles#EXACT_LIMIT} values or with {@code exactPercentiles}, otherwise within the
 *     relative error documented on {@link Percentiles} (and labelled so: {@link QueryResult#label}).
 *     NaN without values.
 * </ul>
 *
 * @param kind     what is computed
 * @param quantile for {@link Kind#PERCENTILE}, the quantile in [0, 1]; NaN otherwise
 */
public record Aggregate(Kind kind, double quantile) {
    /** The kinds of aggregate. */
    public enum Kind { COUNT, MISSING, SUM, MEAN, MIN, MAX, STDDEV, FIRST, LAST, PERCENTILE }

    public static final Aggregate COUNT = new Aggregate(Kind.COUNT, Double.NaN);
    public static final Aggregate MISSING = new Aggregate(Kind.MISSING, Double.NaN);
    public static final Aggregate SUM = new Aggregate(Kind.SUM, Double.NaN);
    public static final Aggregate MEAN = new Aggregate(Kind.MEAN, Double.NaN);
    public static final Aggregate MIN = new Aggregate(Kind.MIN, Double.NaN);
    public static final Aggregate MAX = new Aggregate(Kind.MAX, Double.NaN);
    public static final Aggregate STDDEV = new Aggregate(Kind.STDDEV, Double.NaN);
    public static final Aggregate FIRST = new Aggregate(Kind.FIRST, Double.NaN);
    public static final Aggregate LAST = new Aggregate(Kind.LAST, Double.NaN);
    public static final Aggregate P50 = percentile(0.50);
    public static final Aggregate P90 = percentile(0.90);
    public static final Aggregate P99 = percentile(0.99);

    /** The statistics of the built-in {@code stats} job: count, missing, sum, mean, min, max, stddev. */
    public static final List<Aggregate> STATS = List.of(COUNT, MISSING, SUM, MEAN, MIN, MAX, STDDEV);

    public Aggregate {
        if (kind == null) {
            throw new IllegalArgumentException("kind must be given");
        }
        if (kind == Kind.PERCENTILE ? !(quantile >= 0 && quantile <= 1) : !Double.isNaN(quantile)) {
            throw new IllegalArgumentException(kind == Kind.PERCENTILE
                    ? "quantile=" + quantile + " must be in [0, 1]" : "only percentiles take a quantile");
        }
    }

    /** The percentile at {@code quantile}, in [0, 1] (0.99 for p99). */
    public static Aggregate percentile(double quantile) {
        return new Aggregate(Kind.PERCENTILE, quantile);
    }

    /**
     * The aggregate called {@code name}: one of count, missing, sum, mean, min, max, stddev,
     * first, last, or {@code pNN} with NN in [0, 100] ({@code p50}, {@code p99.9}).
     *
     * @throws IllegalArgumentException naming the accepted names if {@code name} is none of them
     */
    public static Aggregate parse(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        if (key.length() > 1 && key.charAt(0) == 'p' && Character.isDigit(key.charAt(1))) {
            try {
                BigDecimal percent = new BigDecimal(key.substring(1));
                if (percent.signum() >= 0 && percent.compareTo(BigDecimal.valueOf(100)) <= 0) {
                    return percentile(percent.movePointLeft(2).doubleValue());
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException("bad percentile '" + name + "'; write pNN with NN in [0, 100], e.g. p99 or p99.9");
        }
        for (Kind k : Kind.values()) {
            if (k != Kind.PERCENTILE && k.name().toLowerCase(Locale.ROOT).equals(key)) {
                return new Aggregate(k, Double.NaN);
            }
        }
        throw new IllegalArgumentException("unknown aggregate '" + name + "'"
                + synonym(key).map(ours -> " (the " + key.replace("avg", "average") + " is " + ours + ")").orElse("")
                + "; choose from count, missing, sum, mean, min, max, stddev, first, last, pNN (e.g. p50, p99)");
    }

    /**
     * tsproc's name for an aggregate that other tools name {@code name}: {@code p50} for the
     * median, {@code mean} for avg and average; empty for any other name.
     */
    public static Optional<String> synonym(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "median" -> Optional.of("p50");
            case "avg", "average" -> Optional.of("mean");
            default -> Optional.empty();
        };
    }

    /** Parses a comma-separated list such as {@code "count,mean,p99"}; {@code stats} stands for {@link #STATS}. */
    public static List<Aggregate> parseList(String names) {
        List<Aggregate> list = new ArrayList<>();
        for (String part : names.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            if (part.strip().equalsIgnoreCase("stats")) {
                list.addAll(STATS);
            } else {
                list.add(parse(part));
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no aggregate given; e.g. count,mean,p99");
        }
        return list;
    }

    /** Whether the value is a count (printed as an integer). */
    public boolean isCount() {
        return kind == Kind.COUNT || kind == Kind.MISSING;
    }

    /** The name used on the command line and in output: {@code mean}, {@code p99}, {@code p99.9}. */
    public String label() {
        if (kind != Kind.PERCENTILE) {
            return kind.name().toLowerCase(Locale.ROOT);
        }
        return "p" + new BigDecimal(Double.toString(quantile)).movePointRight(2).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return label();
    }
}
