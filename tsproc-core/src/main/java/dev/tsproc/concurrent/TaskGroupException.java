package dev.tsproc.concurrent;

import java.util.List;

/**
 * Every failure of a {@link TaskGroup}: the first is the cause, the others are suppressed
 * exceptions, in the order they happened.
 */
public final class TaskGroupException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<TaskGroup.Failure> failures;

    TaskGroupException(String group, List<TaskGroup.Failure> failures) {
        super(failures.size() + " task" + (failures.size() == 1 ? "" : "s") + " of " + group + " failed",
                failures.getFirst().error());
        this.failures = List.copyOf(failures);
        for (TaskGroup.Failure f : failures.subList(1, failures.size())) {
            addSuppressed(f.error());
        }
    }

    /** All failures, first one first. */
    public List<TaskGroup.Failure> failures() {
        return failures;
    }
}
