package dev.tsproc.exec;

import java.util.Comparator;
import java.util.List;

/**
 * A job did not produce a result because batches failed. Holds every batch failure, ordered
 * by batch index; the first is also the cause and the others are suppressed exceptions.
 */
public final class JobFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<BatchFailedException> failures;

    JobFailedException(String job, List<BatchFailedException> failures) {
        super(summary(job, failures), failures.getFirst());
        this.failures = failures.stream().sorted(Comparator.comparingLong(f -> f.batch().index())).toList();
        for (BatchFailedException f : this.failures.subList(1, this.failures.size())) {
            addSuppressed(f);
        }
    }

    private static String summary(String job, List<BatchFailedException> failures) {
        return "job " + job + " failed: " + failures.size() + " batch" + (failures.size() == 1 ? "" : "es") + " failed";
    }

    /** Every batch failure, by batch index. */
    public List<BatchFailedException> failures() {
        return failures;
    }
}
