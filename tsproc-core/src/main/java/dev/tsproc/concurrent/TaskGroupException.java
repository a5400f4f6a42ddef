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

    /**
     * Throws the first failure as its task threw it, with the others attached to it as
     * suppressed exceptions: for a caller whose contract names its tasks' exceptions (an
     * importer throws {@code IOException}, not this). A checked failure of another type is
     * thrown wrapped in an {@link IllegalStateException}. Declared to return an exception so
     * that callers can write {@code throw e.rethrowFirst(IOException.class)}.
     */
    public <X extends Exception> RuntimeException rethrowFirst(Class<X> type) throws X {
        Throwable first = getCause();
        for (Throwable other : getSuppressed()) {
            if (other != first) {
                first.addSuppressed(other);
            }
        }
        switch (first) {
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> {
                if (type.isInstance(first)) {
                    throw type.cast(first);
                }
                throw new IllegalStateException(getMessage(), this);
            }
        }
    }

    /** All failures, first one first. */
    public List<TaskGroup.Failure> failures() {
        return failures;
    }
}
