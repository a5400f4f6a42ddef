package dev.tsproc.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows a run's events: assembles each batch's {@link BatchTimes} into the {@link Timeline},
 * and keeps the live state that the status endpoint and the progress bar show.
 *
 * <p>Thread safety: {@link #onEvent} may be called from any thread; {@link #status()} takes a
 * consistent snapshot.
 */
public final class RunMonitor implements RunListener {

    /** What a worker is doing now. */
    public enum WorkerState { IDLE, WAITING_FOR_DATA, COMPUTING }

    /** A worker's live state. */
    public record WorkerStatus(String worker, WorkerState state, long currentBatch, long batchesDone,
                               double busySeconds) {}

    /** A snapshot of the run. */
    public record Status(String job, long totalRows, long rowsDone, long totalBatches, long batchesQueued,
                         long batchesComputing, long batchesDone, long batchesFailed, long retries,
                         double elapsedSeconds, List<WorkerStatus> workers, List<String> errors) {}

    private static final int MAX_ERRORS = 100;

    private final String job;
    private final Timeline timeline;
    private final long totalRows;
    private final long totalBatches;
    private final long startNanos;
    private final Map<Long, long[]> open = new ConcurrentHashMap<>();
    private final Map<String, Worker> workers = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();
    private long rowsDone, queued, computing, done, failed, retries;

    private static final class Worker {
        WorkerState state = WorkerState.IDLE;
        long currentBatch = -1;
        long batchesDone;
        long busyNanos;
        long computeStart;
    }

    /**
     * @param startNanos the {@link System#nanoTime()} that event times count from
     */
    public RunMonitor(String job, Timeline timeline, long totalRows, long totalBatches, long startNanos) {
        this.job = job;
        this.timeline = timeline;
        this.totalRows = totalRows;
        this.totalBatches = totalBatches;
        this.startNanos = startNanos;
    }

    public Timeline timeline() {
        return timeline;
    }

    @Override
    public void onEvent(Event e) {
        long key = e.batchIndex();
        long[] times = e.kind() == EventKind.BATCH_QUEUED
                ? open.compute(key, (k, old) -> new long[] {e.atNanos(), -1, -1, -1, -1})
                : open.get(key);
        synchronized (this) {
            Worker w = workers.computeIfAbsent(e.worker(), name -> new Worker());
            switch (e.kind()) {
                case BATCH_QUEUED -> {
                    queued++;
                    w.state = WorkerState.WAITING_FOR_DATA;
                    w.currentBatch = e.batchIndex();
                }
                case DATA_RECEIVED -> set(times, 1, e.atNanos());
                case COMPUTE_STARTED -> {
                    set(times, 2, e.atNanos());
                    queued--;
                    computing++;
                    w.state = WorkerState.COMPUTING;
                    w.currentBatch = e.batchIndex();
                    w.computeStart = e.atNanos();
                }
                case COMPUTE_FINISHED -> {
                    set(times, 3, e.atNanos());
                    computing--;
                    w.state = WorkerState.IDLE;
                    w.busyNanos += e.atNanos() - w.computeStart;
                    w.batchesDone++;
                }
                case RESULT_RECEIVED -> {
                    set(times, 4, e.atNanos());
                    done++;
                    rowsDone += e.rowCount();
                    close(e, times);
                }
                case RETRIED, FAILED -> {
                    if (times != null && times[2] >= 0 && times[3] < 0) {
                        computing--;
                    } else if (times != null && times[2] < 0) {
                        queued--;
                    }
                    if (e.kind() == EventKind.RETRIED) {
                        retries++;
                    } else {
                        failed++;
                    }
                    w.state = WorkerState.IDLE;
                    if (errors.size() < MAX_ERRORS) {
                        errors.add("batch " + e.batchIndex() + " on " + e.worker() + ": " + e.detail());
                    }
                    close(e, times);
                }
            }
        }
    }

    private static void set(long[] times, int step, long at) {
        if (times != null) {
            times[step] = at;
        }
    }

    private void close(Event e, long[] t) {
        if (t == null) {
            return;
        }
        open.remove(e.batchIndex(), t);
        timeline.record(new BatchTimes(e.batchIndex(), e.rowOffset(), e.rowCount(), e.worker(), e.attempt(),
                t[0], t[1], t[2], t[3], t[4], e.heapBytes(), e.rssBytes(), e.privateBytes()));
    }

    /** The run's state now. */
    public synchronized Status status() {
        List<WorkerStatus> ws = new ArrayList<>();
        workers.forEach((name, w) -> ws.add(new WorkerStatus(name, w.state, w.state == WorkerState.IDLE ? -1 : w.currentBatch,
                w.batchesDone, w.busyNanos / 1e9)));
        return new Status(job, totalRows, rowsDone, totalBatches, Math.max(0, queued), Math.max(0, computing), done, failed,
                retries, (System.nanoTime() - startNanos) / 1e9, ws, List.copyOf(errors));
    }

    /** Rows whose results the coordinator has received. */
    public synchronized long rowsDone() {
        return rowsDone;
    }
}
