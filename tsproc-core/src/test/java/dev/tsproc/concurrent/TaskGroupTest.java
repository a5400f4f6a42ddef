package dev.tsproc.concurrent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The task group's contract (RELIABILITY rows 4, 22, 24): structure, cancellation, every failure. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupTest {

    private static TaskGroup group(TaskGroup.Policy policy) {
        return new TaskGroup("test", policy, Thread.ofPlatform().factory());
    }

    /** Busy work that checks for cancellation every 64K steps, like tsproc's kernels. */
    private static long busy() {
        long x = 0;
        for (long i = 0; ; i++) {
            x += i * 31;
            if ((i & 0xFFFF) == 0 && Thread.currentThread().isInterrupted()) {
                throw new CancellationException("cancelled after " + x);
            }
        }
    }

    @Test
    void theFirstFailureCancelsTheOthersAndJoinWaitsForEveryTask() {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CountDownLatch busyRunning = new CountDownLatch(4);
        Throwable t;
        try (TaskGroup g = group(TaskGroup.Policy.CANCEL)) {
            for (int i = 0; i < 4; i++) {
                g.fork("busy-" + i, () -> {
                    threads.add(Thread.currentThread());
                    busyRunning.countDown();
                    return busy();
                });
            }
            g.fork("failing", () -> {
                busyRunning.await(); // fails while every other task runs
                throw new IOException("disk on fire");
            });
            t = catchThrowable(g::join);
        }
        assertThat(t).isInstanceOf(TaskGroupException.class).hasCauseInstanceOf(IOException.class);
        assertThat(((TaskGroupException) t).failures()).singleElement()
                .satisfies(f -> assertThat(f.task()).isEqualTo("failing"));
        assertThat(threads).allSatisfy(th -> assertThat(th.isAlive()).isFalse());
    }

    @Test
    void collectRunsEveryTaskAndReportsEveryFailureInOrder() {
        AtomicInteger finished = new AtomicInteger();
        Thread[] threads = new Thread[6];
        CountDownLatch[] started = new CountDownLatch[6];
        Arrays.setAll(started, i -> new CountDownLatch(1));
        Throwable t;
        try (TaskGroup g = group(TaskGroup.Policy.COLLECT)) {
            for (int i = 0; i < 6; i++) {
                int n = i;
                g.fork("task-" + i, () -> {
                    threads[n] = Thread.currentThread();
                    started[n].countDown();
                    if (n > 0) { // one after another: task n ends, its failure recorded, before n + 1 goes on
                        started[n - 1].await();
                        threads[n - 1].join();
                    }
                    if (n % 2 == 0) {
                        throw new IllegalStateException("task " + n);
                    }
                    return finished.incrementAndGet();
                });
            }
            t = catchThrowable(g::join);
        }
        assertThat(finished).hasValue(3);
        TaskGroupException e = (TaskGroupException) t;
        assertThat(e.failures()).extracting(TaskGroup.Failure::task).containsExactly("task-0", "task-2", "task-4");
        assertThat(e.getCause()).hasMessage("task 0");
        assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("task 2", "task 4");
    }

    @SuppressWarnings("try") // closing inside the try is what is tested
    @Test
    void cancellingEightBusyTasksClosesTheGroupPromptly() {
        CountDownLatch running = new CountDownLatch(8);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        try (TaskGroup g = group(TaskGroup.Policy.CANCEL)) {
            for (int i = 0; i < 8; i++) {
                g.fork("busy-" + i, () -> {
                    threads.add(Thread.currentThread());
                    running.countDown();
                    return busy();
                });
            }
            assertThat(catchThrowable(running::await)).isNull();
            g.cancel();
            g.close(); // returns once every task has ended: busy work notices the interrupt (the @Timeout guards a hang)
            assertThat(g.failures()).as("interrupt-caused endings are not failures").isEmpty();
            assertThat(threads).hasSize(8).allSatisfy(th -> assertThat(th.isAlive()).isFalse());
        }
    }

    @Test
    void realFailuresAfterCancellationAreKeptAndInterruptNoiseIsDropped() {
        for (int run = 0; run < 200; run++) {
            TaskGroup.Policy policy = run % 2 == 0 ? TaskGroup.Policy.CANCEL : TaskGroup.Policy.COLLECT;
            Throwable t;
            try (TaskGroup g = group(policy)) {
                g.fork("a", () -> {
                    throw new IllegalStateException("a");
                });
                g.fork("b", () -> {
                    throw new IllegalArgumentException("b");
                });
                g.fork("sleeper", () -> {
                    Thread.sleep(policy == TaskGroup.Policy.CANCEL ? 10_000 : 1);
                    return null;
                });
                g.fork("cleanup-fails", () -> {
                    try {
                        Thread.sleep(policy == TaskGroup.Policy.CANCEL ? 10_000 : 1);
                    } catch (InterruptedException stopped) {
                        // stopping, its clean-up fails: a real failure, not interrupt noise
                        IOException e = new IOException("cleanup failed");
                        e.addSuppressed(stopped);
                        throw e;
                    }
                    throw new IOException("cleanup failed");
                });
                t = catchThrowable(g::join);
            }
            List<String> failed = ((TaskGroupException) t).failures().stream().map(TaskGroup.Failure::task).toList();
            assertThat(failed).as("run %d, %s", run, policy).contains("cleanup-fails").doesNotContain("sleeper");
            if (policy == TaskGroup.Policy.COLLECT) {
                assertThat(failed).containsExactlyInAnyOrder("a", "b", "cleanup-fails");
            } else {
                assertThat(failed).containsAnyOf("a", "b");
            }
        }
    }

    @SuppressWarnings("try") // closing inside the try is what is tested
    @Test
    void nestedGroupsCloseWhenTheOuterOneIsCancelled() throws Exception {
        List<Thread> inner = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(3);
        try (TaskGroup outer = group(TaskGroup.Policy.CANCEL)) {
            outer.fork("owner-of-inner", () -> {
                try (TaskGroup g = group(TaskGroup.Policy.CANCEL)) {
                    for (int i = 0; i < 3; i++) {
                        g.fork("inner-" + i, () -> {
                            synchronized (inner) {
                                inner.add(Thread.currentThread());
                            }
                            started.countDown();
                            return busy();
                        });
                    }
                    g.join();
                }
                return null;
            });
            started.await();
            outer.cancel();
            outer.close();
        }
        assertThat(inner).allSatisfy(th -> assertThat(th.isAlive()).isFalse());
    }

    @Test
    void anInterruptedOwnerCancelsWaitsAndRethrows() throws Exception {
        List<Thread> tasks = new CopyOnWriteArrayList<>();
        CountDownLatch running = new CountDownLatch(2);
        Thread owner = Thread.ofPlatform().start(() -> {
            try (TaskGroup g = group(TaskGroup.Policy.CANCEL)) {
                for (int i = 0; i < 2; i++) {
                    g.fork("busy-" + i, () -> {
                        tasks.add(Thread.currentThread());
                        running.countDown();
                        return busy();
                    });
                }
                assertThat(catchThrowable(g::join)).isInstanceOf(InterruptedException.class);
            }
        });
        running.await();
        owner.interrupt();
        owner.join();
        assertThat(tasks).hasSize(2).allSatisfy(th -> assertThat(th.isAlive()).isFalse());
    }

    @Test
    void forkEachRunsEveryIndexOnceOnAtMostTheGivenTasks() throws Exception {
        int count = 1_000;
        AtomicInteger[] runs = new AtomicInteger[count];
        for (int i = 0; i < count; i++) {
            runs[i] = new AtomicInteger();
        }
        java.util.Set<String> taskNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
        TaskGroup.runEach("each", 3, count, index -> {
            runs[(int) index].incrementAndGet();
            taskNames.add(Thread.currentThread().getName());
        });
        assertThat(runs).allSatisfy(r -> assertThat(r.get()).isEqualTo(1));
        assertThat(taskNames).isNotEmpty().allSatisfy(n -> assertThat(n).matches("each-[0-2]"));
    }

    @Test
    void forkEachStopsTakingIndexesOnceAnItemFails() {
        AtomicInteger ran = new AtomicInteger();
        Throwable t = catchThrowable(() -> TaskGroup.runEach("each", 2, 1_000_000, index -> {
            ran.incrementAndGet();
            if (index == 10) {
                throw new IOException("item 10 is bad");
            }
        }));
        assertThat(t).isInstanceOf(TaskGroupException.class).hasCauseInstanceOf(IOException.class);
        assertThat(ran.get()).isLessThan(1_000_000);
    }

    /** An interrupt closes a FileChannel under every thread using it: those that then fail on it were stopped, not failed. */
    @Test
    void aChannelClosedByTheCancellationIsNoFailure(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve("shared"),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            CountDownLatch writing = new CountDownLatch(2);
            Throwable t;
            try (TaskGroup g = group(TaskGroup.Policy.CANCEL)) {
                for (int i = 0; i < 2; i++) {
                    g.fork("writer-" + i, () -> {
                        writing.countDown();
                        for (long position = 0; ; position += 8) {
                            channel.write(java.nio.ByteBuffer.allocate(8), position % (1 << 20));
                        }
                    });
                }
                g.fork("failing", () -> {
                    writing.await();
                    throw new IOException("disk on fire");
                });
                t = catchThrowable(g::join);
            }
            assertThat(channel.isOpen()).isFalse();
            assertThat(((TaskGroupException) t).failures()).extracting(TaskGroup.Failure::task).containsExactly("failing");
        }
    }

    @Test
    void rethrowFirstThrowsTheTasksOwnExceptionWithTheOthersSuppressed() {
        TaskGroupException twoFailures = new TaskGroupException("test", List.of(
                new TaskGroup.Failure("a", new IOException("a")), new TaskGroup.Failure("b", new IllegalStateException("b"))));
        assertThat(catchThrowable(() -> {
            throw twoFailures.rethrowFirst(IOException.class);
        })).isInstanceOf(IOException.class).hasMessage("a")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("b"));
        TaskGroupException checked = new TaskGroupException("test", List.of(new TaskGroup.Failure("a", new Exception("odd"))));
        assertThat(catchThrowable(() -> {
            throw checked.rethrowFirst(IOException.class);
        })).isInstanceOf(IllegalStateException.class).hasCause(checked);
    }
}
