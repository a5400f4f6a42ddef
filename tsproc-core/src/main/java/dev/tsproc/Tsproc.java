package dev.tsproc;

import dev.tsproc.exec.Coordinator;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.job.Job;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The library's entry point: open a store, then query it or run a custom {@link Job} on it.
 *
 * {@snippet class=dev.tsproc.TsprocExamples region=query}
 *
 * {@snippet class=dev.tsproc.TsprocExamples region=custom-job}
 *
 * <p>A {@code Tsproc} opened from a path owns its {@link Store} and unmaps it on {@link #close()};
 * results returned before that hold no reference to the store. Queries and jobs may run from
 * several threads at once on one {@code Tsproc}; each run has its own workers.
 */
public final class Tsproc implements AutoCloseable {
    private final Store store;
    private final boolean owned;

    private Tsproc(Store store, boolean owned) {
        this.store = store;
        this.owned = owned;
    }

    /**
     * Opens (memory-maps) the store at {@code path}.
     *
     * @throws IOException if the file cannot be read or is not a valid store
     */
    public static Tsproc open(Path path) throws IOException {
        return new Tsproc(Store.open(path), true);
    }

    /** Wraps an open store; {@link #close()} then leaves it open. */
    public static Tsproc of(Store store) {
        return new Tsproc(Objects.requireNonNull(store, "store"), false);
    }

    /** The store. */
    public Store store() {
        return store;
    }

    /** A new query over this store: every row, no grouping, until told otherwise. */
    public Query query() {
        return new Query(store);
    }

    /**
     * Runs a custom job over every row with {@code options} (workers, batch size, failure policy,
     * executor). On worker processes the job must say how to rebuild it there
     * ({@link Job#jobSpec()}) and how its partials travel ({@link dev.tsproc.job.PartialCodec}).
     *
     * @throws IllegalArgumentException if worker processes are asked for a job that cannot run in them
     * @throws JobFailedException   if a batch failed; every failure is attached
     * @throws JobTimedOutException if the run missed its deadline
     * @throws InterruptedException if the calling thread was interrupted; all workers have ended
     */
    public <P, R> RunResult<R> run(Job<P, R> job, RunOptions options) throws JobFailedException, JobTimedOutException, InterruptedException {
        return Coordinator.run(store, job, options);
    }

    /** As {@link #run(Job, RunOptions)} on all cores with default batches, returning only the result. */
    public <P, R> R run(Job<P, R> job) throws JobFailedException, JobTimedOutException, InterruptedException {
        return run(job, RunOptions.defaults()).result();
    }

    /** Unmaps the store if this {@code Tsproc} opened it. */
    @Override
    public void close() {
        if (owned) {
            store.close();
        }
    }
}
