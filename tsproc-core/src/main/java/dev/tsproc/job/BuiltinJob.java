package dev.tsproc.job;

import dev.tsproc.data.BatchView;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in jobs over the value column: {@code count}, {@code missing}, {@code sum},
 * {@code mean}, {@code min}, {@code max}, {@code stddev}, and {@code stats} (all of them).
 *
 * <p>Every one of them gives bit-identical answers for any worker count, batch size and
 * completion order: counts are integers, extremes are order-free, and sums are exact until a
 * single final rounding ({@link ExactSum}). Their partials cross process boundaries in an exact
 * binary form, so worker processes give the same bits as worker threads.
 */
public final class BuiltinJob implements Job<Summary, Stats>, PartialCodec<Summary> {
    /** Names accepted by {@link #named}. */
    public static final List<String> NAMES =
            List.of("stats", "count", "missing", "sum", "mean", "min", "max", "stddev");

    private final String name;
    private final List<Stat> stats;
    private final Summary.Kernel kernel;

    private BuiltinJob(String name, List<Stat> stats) {
        this.name = name;
        this.stats = List.copyOf(stats);
        Set<Stat> needed = EnumSet.copyOf(stats);
        if (needed.contains(Stat.MIN) || needed.contains(Stat.MAX) || needed.contains(Stat.STDDEV)) {
            this.kernel = Summary.Kernel.FULL;
        } else if (needed.contains(Stat.SUM) || needed.contains(Stat.MEAN)) {
            this.kernel = Summary.Kernel.SUM;
        } else {
            this.kernel = Summary.Kernel.COUNT;
        }
    }

    /**
     * The built-in job called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the known jobs if there is none such
     */
    public static BuiltinJob named(String name) {
        String key = name.toLowerCase(Locale.ROOT).strip();
        return switch (key) {
            case "stats" -> new BuiltinJob(key, List.of(Stat.ROWS, Stat.COUNT, Stat.MISSING, Stat.SUM,
                    Stat.MEAN, Stat.MIN, Stat.MAX, Stat.STDDEV));
            case "count" -> new BuiltinJob(key, List.of(Stat.COUNT));
            case "missing" -> new BuiltinJob(key, List.of(Stat.MISSING));
            case "sum" -> new BuiltinJob(key, List.of(Stat.SUM));
            case "mean" -> new BuiltinJob(key, List.of(Stat.MEAN));
            case "min" -> new BuiltinJob(key, List.of(Stat.MIN));
            case "max" -> new BuiltinJob(key, List.of(Stat.MAX));
            case "stddev" -> new BuiltinJob(key, List.of(Stat.STDDEV));
            default -> throw new IllegalArgumentException(
                    "unknown job '" + name + "'; choose one of " + String.join(", ", NAMES));
        };
    }

    /** The statistics this job reports. */
    public List<Stat> stats() {
        return new ArrayList<>(stats);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<JobSpec> jobSpec() {
        return Optional.of(JobSpec.builtin(name));
    }

    @Override
    public Summary empty() {
        return new Summary();
    }

    @Override
    public Summary map(BatchView batch) {
        return Summary.of(batch.values(), kernel);
    }

    @Override
    public Summary combine(Summary earlier, Summary later) {
        return earlier.combine(later);
    }

    @Override
    public Stats finish(Summary partial) {
        return partial.toStats(stats);
    }

    @Override
    public void writePartial(Summary partial, DataOutput out) throws IOException {
        SummaryCodec.write(partial, out);
    }

    @Override
    public Summary readPartial(DataInput in) throws IOException {
        return SummaryCodec.read(in);
    }
}
