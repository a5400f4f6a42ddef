package dev.tsproc.job;

import dev.tsproc.data.BatchView;

/**
 * A map-reduce job over batches of a store: map each batch to a partial, combine partials in
 * batch order, finish to a result.
 *
 * {@snippet :
 * // count of values above a threshold
 * Job<long[], Long> above = Job.of("above",
 *         () -> new long[1],
 *         batch -> {
 *             long n = 0;
 *             for (long i = 0; i < batch.rowCount(); i++) {
 *                 if (batch.value(i) > 0.5) n++;
 *             }
 *             return new long[] {n};
 *         },
 *         (a, b) -> new long[] {a[0] + b[0]},
 *         p -> p[0]);
 * }
 *
 * @implSpec {@link #map} is called concurrently from worker threads, each call with its own
 * batch, and must not keep the view after returning. {@link #combine} is called by the
 * coordinator only, with the partial of all earlier batches as {@code earlier} and the next
 * batch's as {@code later}, in batch order; it may return either argument after updating it.
 * A long {@code map} should check {@link Thread#isInterrupted()} at least every 64K rows and
 * throw {@link java.util.concurrent.CancellationException} when set, so cancellation is
 * prompt. For the answer to be the same on any number of workers, {@code combine} must be
 * associative over the batch sequence; it need not be commutative.
 *
 * @param <P> the partial result of one or more consecutive batches
 * @param <R> the final result
 */
public interface Job<P, R> {
    /** A short name for reports. */
    String name();

    /** The partial of no rows: the answer for an empty store. */
    P empty();

    /** Computes the partial of one batch. */
    P map(BatchView batch);

    /** Combines the partial of earlier batches with that of the batch after them. */
    P combine(P earlier, P later);

    /** Turns the partial of all batches into the result. */
    R finish(P partial);

    /** A job from functions; handy for small custom jobs and tests. */
    static <P, R> Job<P, R> of(String name, java.util.function.Supplier<P> empty,
                               java.util.function.Function<BatchView, P> map,
                               java.util.function.BinaryOperator<P> combine,
                               java.util.function.Function<P, R> finish) {
        return new Job<>() {
            @Override public String name() { return name; }
            @Override public P empty() { return empty.get(); }
            @Override public P map(BatchView batch) { return map.apply(batch); }
            @Override public P combine(P earlier, P later) { return combine.apply(earlier, later); }
            @Override public R finish(P partial) { return finish.apply(partial); }
        };
    }
}
