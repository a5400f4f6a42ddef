package dev.tsproc.exec;

import dev.tsproc.exec.process.RemoteBatchFailure;
import dev.tsproc.store.CorruptStoreException;

import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A job did not produce a result because batches failed. Holds every batch failure: running
 * out of memory or stack first (the error that explains the others), then by batch index. The
 * first is also the cause and the others are suppressed exceptions.
 */
public final class JobFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<BatchFailedException> failures;

    /** Orders failures: resource exhaustion first, then by batch index. */
    static final Comparator<BatchFailedException> ORDER = Comparator
            .comparing((BatchFailedException f) -> !f.isResourceExhaustion())
            .thenComparingLong(f -> f.batch().index());

    /** Job {@code job} failed with {@code failures}, at least one; public for executors outside this package (tsproc-spark). */
    public JobFailedException(String job, List<BatchFailedException> failures) {
        this(job, failures.stream().sorted(ORDER).toList(), true);
    }

    private JobFailedException(String job, List<BatchFailedException> sorted, boolean ignored) {
        super(summary(job, sorted), sorted.getFirst());
        this.failures = sorted;
        for (BatchFailedException f : this.failures.subList(1, this.failures.size())) {
            addSuppressed(f);
        }
    }

    private static String summary(String job, List<BatchFailedException> failures) {
        return "job " + job + " failed: " + failures.size() + " batch" + (failures.size() == 1 ? "" : "es") + " failed";
    }

    /**
     * What is wrong with the store, if a batch found it damaged as it read it (in this JVM or
     * a worker's): the {@link CorruptStoreException}'s one sentence, which says more than any
     * batch's failure, since every batch of a damaged store may fail the same way.
     */
    public Optional<String> damagedStore() {
        for (BatchFailedException f : failures) {
            switch (f.getCause()) {
                case CorruptStoreException damaged -> {
                    return Optional.of(damaged.getMessage());
                }
                case UncheckedIOException e when e.getCause() instanceof CorruptStoreException damaged -> {
                    return Optional.of(damaged.getMessage());
                }
                case RemoteBatchFailure remote when remote.errorClass().equals(CorruptStoreException.class.getName()) -> {
                    return Optional.of(remote.errorMessage());
                }
                case null, default -> {}
            }
        }
        return Optional.empty();
    }

    /** Every batch failure: out of memory or stack first, then by batch index. */
    public List<BatchFailedException> failures() {
        return failures;
    }
}
