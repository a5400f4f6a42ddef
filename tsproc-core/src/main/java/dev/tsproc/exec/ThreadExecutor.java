package dev.tsproc.exec;

import dev.tsproc.concurrent.NanoClock;
import dev.tsproc.data.BatchView;
import dev.tsproc.observe.MemorySample;
import dev.tsproc.job.Job;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Workers as threads of the coordinator's JVM, sharing its mapping of the store.
 *
 * <p>Under {@link Transfer#SHARED} a worker maps its batch as a zero-copy view. Under
 * {@link Transfer#COPY} it first copies the batch's columns into fresh off-heap memory of its
 * own and computes on that copy, which is what receiving a batch costs once it is copied.
 *
 * <p>The threads themselves are the {@link Coordinator}'s tasks; this executor holds no
 * resources. Batch deadlines and timings read its {@link NanoClock}.
 */
public final class ThreadExecutor implements Executor {
    private final int workers;
    private final NanoClock clock;

    /** An executor of {@code workers} threads, at least 1, on the system clock. */
    public ThreadExecutor(int workers) {
        this(workers, NanoClock.SYSTEM);
    }

    /** An executor of {@code workers} threads, at least 1, whose batch deadlines and timings read {@code clock}. */
    public ThreadExecutor(int workers, NanoClock clock) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
        }
        this.workers = workers;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Kind kind() {
        return Kind.THREADS;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public <P> Session<P> open(Store store, Job<P, ?> job, JobRequest request, Transfer transfer, int count) {
        List<BatchRunner<P>> runners = new ArrayList<>();
        List<WorkerReport> reports = new ArrayList<>();
        long pid = ProcessHandle.current().pid();
        for (int w = 1; w <= Math.min(count, workers); w++) {
            String name = "worker-" + w;
            runners.add(new Runner<>(name, store, job, transfer, clock));
            reports.add(new WorkerReport(name, pid, Duration.ZERO, -1, -1));
        }
        return new Session<>() {
            @Override
            public List<BatchRunner<P>> runners() {
                return runners;
            }

            @Override
            public void close() {}

            @Override
            public List<WorkerReport> reports() {
                return reports;
            }
        };
    }

    @Override
    public void close() {}

    private record Runner<P>(String worker, Store store, Job<P, ?> job, Transfer transfer, NanoClock clock)
            implements BatchRunner<P> {
        @Override
        public Ran<P> run(Batch batch, Duration timeout, Runnable computing) throws TimeoutException {
            if (timeout == null) {
                return run(batch, computing);
            }
            // A timer interrupts this thread at the deadline, unless the batch is done by then;
            // the lock makes "done" and "interrupted" exclude each other.
            Thread task = Thread.currentThread();
            Object lock = new Object();
            boolean[] doneFired = new boolean[2];
            long deadline = clock.nanoTime() + timeout.toNanos();
            Thread timer = Thread.ofVirtual().name(worker + "-deadline").start(() -> {
                try {
                    for (long left; (left = deadline - clock.nanoTime()) > 0; ) {
                        Thread.sleep(Duration.ofNanos(clock.realWaitNanos(left)));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (lock) {
                    if (!doneFired[0]) {
                        doneFired[1] = true;
                        task.interrupt();
                    }
                }
            });
            RuntimeException failure = null;
            Ran<P> ran = null;
            try {
                ran = run(batch, computing);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                synchronized (lock) {
                    doneFired[0] = true;
                }
                timer.interrupt();
            }
            if (doneFired[1]) {
                Thread.interrupted(); // the timer's interrupt, not a cancellation (the coordinator checks for that itself)
                if (failure != null) {
                    TimeoutException late = new TimeoutException("exceeded the batch deadline of " + Durations.format(timeout)
                            + " and was stopped");
                    late.addSuppressed(failure);
                    throw late;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return ran;
        }

        /** Runs {@code batch} on this thread; its rows are checked as the job reads them ({@link Store#view}). */
        private Ran<P> run(Batch batch, Runnable computing) {
            if (transfer == Transfer.SHARED) {
                return compute(store.view(batch), computing);
            }
            try (Arena copy = Arena.ofConfined()) {
                return compute(copyOf(store.view(batch), copy), computing);
            }
        }

        private Ran<P> compute(BatchView view, Runnable computing) {
            long received = clock.nanoTime();
            computing.run();
            P partial = job.map(view);
            long computed = clock.nanoTime();
            return new Ran<>(partial, received, received, computed, MemorySample.now());
        }

        /** The batch's columns copied into {@code arena}: what a worker holds once a batch is copied to it. */
        private static BatchView copyOf(BatchView shared, Arena arena) {
            MemorySegment series = shared.hasSeries() ? copy(shared.series(), arena) : MemorySegment.NULL;
            return new BatchView(shared.batch(),
                    copy(shared.ts(), arena), copy(shared.values(), arena), series, shared.dictionary());
        }

        private static MemorySegment copy(MemorySegment source, Arena arena) {
            return arena.allocate(source.byteSize(), 64).copyFrom(source);
        }
    }
}
