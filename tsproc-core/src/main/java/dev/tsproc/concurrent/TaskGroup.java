package dev.tsproc.concurrent;

import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A group of tasks, each in its own thread, that ends as one: the asyncio {@code TaskGroup}
 * and JDK {@code StructuredTaskScope} semantics, for Java 25 where the latter is a preview API.
 *
 * {@snippet :
 * try (TaskGroup group = new TaskGroup("job", TaskGroup.Policy.CANCEL, Thread.ofPlatform().factory())) {
 *     group.fork("worker-1", () -> work(1));
 *     group.fork("worker-2", () -> work(2));
 *     group.join(); // throws TaskGroupException holding every failure
 * }
 * }
 *
 * <p><b>Cancellation.</b> Under {@link Policy#CANCEL} the first task to fail cancels the group:
 * every other task's thread is interrupted. Cancellation is cooperative: a task must check its
 * interrupt status (tsproc's kernels do every 64K rows). {@link #cancel()} does the same on
 * demand, e.g. for a deadline or Ctrl-C. A task whose thread starts after the group was
 * cancelled still runs, with its interrupt status already set, so that its clean-up code runs
 * as it would had it been interrupted a moment later.
 *
 * <p>An interrupt closes an {@link java.nio.channels.InterruptibleChannel} (a {@code FileChannel})
 * that its thread reads or writes, under every other thread using it. So a group whose tasks
 * share a channel must not outlive its work once cancelled: cancel means abandon (an importer
 * deletes the file it was writing), never pause.
 *
 * <p><b>Exception handling.</b> Each task's own outcome is recorded, so every real failure is
 * reported, not only the first. A task that ends with {@link CancellationException},
 * {@link InterruptedException} or {@link ClosedChannelException} (a channel the cancellation's
 * interrupt closed, in this task or another) after the group was cancelled was stopped, not
 * failed, and is not reported. {@link #join()} throws a {@link TaskGroupException} whose cause
 * is the first failure and whose suppressed exceptions are the others, in the order they
 * happened.
 *
 * <p><b>Numbered work.</b> {@link #forkEach} forks a few tasks that share numbered work items
 * (chunks of a file, blocks of rows): each takes the next number until none is left or the group
 * is cancelled, so items start in increasing order whatever the thread count.
 *
 * <p><b>Structure.</b> {@link #join()} and {@link #close()} return only after every forked
 * thread has ended, so no task outlives the group. {@code close()} without {@code join()}
 * cancels first.
 *
 * <p><b>Memory consistency.</b> Actions of a task happen-before {@link #join()} returns.
 *
 * <p><b>Confinement.</b> {@link #fork}, {@link #join} and {@link #close} are for the owner
 * thread; {@link #cancel()} may be called from any thread.
 */
public final class TaskGroup implements AutoCloseable {

    /** What the group does when a task fails. */
    public enum Policy {
        /** The first failure cancels the other tasks. */
        CANCEL,
        /** Every task runs to its end; all failures are reported. */
        COLLECT
    }

    /** A failure of one task. */
    public record Failure(String task, Throwable error) {}

    /** One numbered item of the work {@link #forkEach} shares out. */
    @FunctionalInterface
    public interface Item {
        void run(long index) throws Exception;
    }

    private final String name;
    private final Policy policy;
    private final ThreadFactory threads;
    private final List<Thread> forked = new CopyOnWriteArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private boolean joined;

    public TaskGroup(String name, Policy policy, ThreadFactory threads) {
        this.name = name;
        this.policy = policy;
        this.threads = threads;
    }

    /** Starts {@code task} in a new thread named {@code taskName}. */
    public void fork(String taskName, Callable<?> task) {
        if (joined) {
            throw new IllegalStateException("group " + name + " has already been joined");
        }
        Thread thread = threads.newThread(() -> {
            try {
                if (cancelled.get()) {
                    // Cancelled before this thread got going: run cancelled, so the task's own
                    // clean-up (finally blocks, end-of-task signals) still happens.
                    Thread.currentThread().interrupt();
                }
                task.call();
            } catch (Throwable t) {
                record(taskName, t);
            }
        });
        thread.setName(taskName);
        forked.add(thread);
        thread.start();
    }

    /**
     * Forks {@code min(tasks, count)} tasks named {@code name-0, name-1, ...} that run
     * {@code item} for every index {@code 0 .. count-1}, each task taking the next index until
     * none is left or the group is cancelled.
     */
    public void forkEach(String name, int tasks, long count, Item item) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks=" + tasks + " must be at least 1");
        }
        AtomicLong next = new AtomicLong();
        for (int t = 0; t < Math.min(tasks, count); t++) {
            fork(name + "-" + t, () -> {
                for (long index; !cancelled.get() && (index = next.getAndIncrement()) < count; ) {
                    item.run(index);
                }
                return null;
            });
        }
    }

    /**
     * Runs {@code item} for every index {@code 0 .. count-1} on at most {@code tasks} platform
     * threads of a new {@link Policy#CANCEL} group named {@code name}: {@link #forkEach} and
     * {@link #join()} in one call, for work that is nothing but numbered items.
     *
     * @throws TaskGroupException   if any item failed, holding every failure
     * @throws InterruptedException if the calling thread was interrupted; every task has ended
     */
    public static void runEach(String name, int tasks, long count, Item item)
            throws InterruptedException, TaskGroupException {
        try (TaskGroup group = new TaskGroup(name, Policy.CANCEL, Thread.ofPlatform().factory())) {
            group.forkEach(name, tasks, count, item);
            group.join();
        }
    }

    private void record(String taskName, Throwable error) {
        if (cancelled.get() && isStop(error)) {
            return;
        }
        synchronized (failures) {
            failures.add(new Failure(taskName, error));
        }
        if (policy == Policy.CANCEL) {
            cancel();
        }
    }

    /** Whether {@code error} is how a task ends when the group's interrupt stops it. */
    private static boolean isStop(Throwable error) {
        Throwable e = error instanceof UncheckedIOException unchecked ? unchecked.getCause() : error;
        return e instanceof CancellationException || e instanceof InterruptedException
                || e instanceof ClosedChannelException;
    }

    /** Interrupts every task; idempotent and callable from any thread. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            for (Thread t : forked) {
                t.interrupt();
            }
        }
    }

    /** Whether the group was cancelled, by a failure or by {@link #cancel()}. */
    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Failures recorded so far. */
    public List<Failure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /**
     * Waits for every task to end.
     *
     * @throws TaskGroupException   if any task failed, holding all failures
     * @throws InterruptedException if the owner is interrupted while waiting; the group is
     *                              then cancelled and waited for before this is thrown
     */
    public void join() throws InterruptedException, TaskGroupException {
        joined = true;
        try {
            for (Thread t : forked) {
                t.join();
            }
        } catch (InterruptedException e) {
            cancel();
            awaitAll();
            throw e;
        }
        List<Failure> all = failures();
        if (!all.isEmpty()) {
            throw new TaskGroupException(name, all);
        }
    }

    /** Cancels the group unless it was joined, and waits until every task has ended. */
    @Override
    public void close() {
        if (!joined) {
            cancel();
        }
        joined = true;
        awaitAll();
    }

    /** Waits for every thread, even if interrupted meanwhile; re-asserts the interrupt after. */
    private void awaitAll() {
        boolean interrupted = false;
        for (Thread t : forked) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
