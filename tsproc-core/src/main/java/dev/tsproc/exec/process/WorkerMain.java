package dev.tsproc.exec.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The main class of a worker JVM: serves one coordinator over its stdin and stdout.
 *
 * <p>The worker dies with its coordinator, however the coordinator ends: its stdin is a pipe
 * whose only writer is the coordinator, so when the coordinator exits — even by SIGKILL — the
 * worker reads end-of-stream and exits. As a backstop it also watches the coordinator's
 * process and halts when it is gone.
 *
 * <p>Stdout carries frames only: {@code System.out} is pointed at stderr before any job code
 * runs, so a job's stray {@code println} cannot corrupt the channel. The coordinator drains
 * stderr continuously.
 *
 * <p>Ctrl-C does not kill a worker directly (see {@link #ignoreInterruptSignal()}): the
 * coordinator, which gets it too, cancels and ends its workers.
 *
 * <p>Exit status: 0 when told to stop or at end of stream, 2 after a protocol error, 3 when
 * the coordinator vanished without closing the stream.
 */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) throws IOException {
        ignoreInterruptSignal();
        FileOutputStream channel = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        Worker worker = new Worker(
                new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16),
                new BufferedOutputStream(channel, 1 << 16),
                WorkerMain::watch);
        int status;
        try {
            status = worker.run();
        } catch (IOException e) {
            // The coordinator's end of the pipe broke: it is gone, so this worker goes too.
            status = 3;
        }
        System.exit(status);
    }

    /**
     * Ctrl-C in a terminal sends SIGINT to the whole foreground process group, workers
     * included. A worker must not die of it: its coordinator cancels its batch and ends it in
     * order. The signal API is unsupported JDK API, reached reflectively so the build stays
     * free of warnings; where it is missing, a worker simply dies with the coordinator.
     */
    private static void ignoreInterruptSignal() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            signal.getMethod("handle", signal, handler)
                    .invoke(null, signal.getConstructor(String.class).newInstance("INT"), handler.getField("SIG_IGN").get(null));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // not available on this JVM: Ctrl-C then ends workers directly
        }
    }

    /** Halts when the coordinator's process ends, should the end of stream somehow not come. */
    private static void watch(long coordinatorPid) {
        ProcessHandle.of(coordinatorPid).ifPresentOrElse(
                coordinator -> coordinator.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
                () -> Runtime.getRuntime().halt(3));
    }
}
