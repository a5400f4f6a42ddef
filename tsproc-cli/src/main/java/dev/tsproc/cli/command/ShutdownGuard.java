package dev.tsproc.cli.command;

import dev.tsproc.store.SharedSegments;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes Ctrl-C and SIGTERM cancel the command cleanly instead of killing it mid-work.
 *
 * <p>On a signal the JVM runs its shutdown hooks and then halts, without running the
 * {@code finally} blocks of other threads — so shared-memory segments would be left behind.
 * The hook installed here interrupts the command's thread and waits (bounded) until the
 * command has cleaned up and closed this guard. The JVM then exits with the signal's status
 * (130 for SIGINT, 143 for SIGTERM). A command that has not stopped within
 * {@value #GRACE_SECONDS} s is ended by the halt, its shared memory deleted first ({@link #abandon}). Every command that writes a file runs under a guard
 * ({@link #run}), so that its partial file is deleted rather than left behind.
 */
final class ShutdownGuard implements AutoCloseable {
    /** How long a signal waits for cleanup before the JVM halts anyway. */
    private static final long GRACE_SECONDS = 5;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    /** A guard of the calling thread's command, which reports on {@code err} a command that did not stop in time. */
    ShutdownGuard(PrintWriter err) {
        Thread owner = Thread.currentThread();
        hook = new Thread(() -> {
            owner.interrupt();
            try {
                if (!finished.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    abandon(err);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tsproc-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Runs {@code command} under a guard and reports an interrupt ({@link Errors#interrupted})
     * while the guard still holds the JVM open: once it closes, a signal's exit follows at once.
     */
    static int run(PrintWriter err, Callable<Integer> command) throws Exception {
        ShutdownGuard guard = new ShutdownGuard(err);
        try {
            return command.call();
        } catch (InterruptedException e) {
            return Errors.interrupted(e, err);
        } finally {
            guard.close();
        }
    }

    /**
     * The command did not stop within the grace period — a job that ignores its interrupt, or a
     * thread stuck in a call that cannot be interrupted. The JVM halts when the hook returns,
     * which ends such threads wherever they are (worker JVMs see their coordinator's end and
     * exit); before that, the run directories it holds in shared memory are deleted, since no
     * {@code finally} block will run to delete them.
     */
    private static void abandon(PrintWriter err) {
        List<Path> removed = SharedSegments.removeAllHeld();
        err.println("tsproc: interrupted; the command did not stop within " + GRACE_SECONDS + " s, so it was ended"
                + (removed.isEmpty() ? "" : " and its shared memory removed") + ".");
        err.flush();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running: it returns now that cleanup has finished.
        }
    }
}
