package dev.tsproc.observe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-batch times of one run, and the talk's view of them: for every worker, how long it
 * waited for data, how long it computed, and how long it sat idle.
 *
 * <p>A worker's wall time is the run's; within it, each batch contributes its waiting time — from
 * when it was queued (or the worker finished its previous batch, if later) to the start of its
 * computation — and its computing time; whatever remains is idle. The three add up to the wall
 * time exactly, by construction, so a report can show them side by side.
 *
 * <p>Thread safety: {@link #record} may be called from any thread; the other methods take a
 * snapshot.
 */
public final class Timeline {
    /** One worker's account of the run. */
    public record WorkerSummary(String worker, int batches, long rows, long waitingNanos, long computingNanos,
                                long idleNanos, long wallNanos) {}

    private final String label;
    private final long startEpochMillis;
    private final Map<String, String> configuration;
    private final List<BatchTimes> batches = new ArrayList<>();
    private volatile long wallNanos;
    private volatile long loadNanos;
    private volatile long openedNanos = -1;
    private volatile long combinedNanos = -1;

    /**
     * @param label            a name for the run in reports, e.g. {@code processes/shared ×4}
     * @param startEpochMillis wall-clock start, for display only; all durations are read from
     *                         the run's {@link dev.tsproc.concurrent.NanoClock}
     * @param configuration    the run's settings, shown in reports
     */
    public Timeline(String label, long startEpochMillis, Map<String, String> configuration) {
        this.label = label;
        this.startEpochMillis = startEpochMillis;
        this.configuration = new LinkedHashMap<>(configuration);
    }

    public String label() {
        return label;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public Map<String, String> configuration() {
        return Map.copyOf(configuration);
    }

    /** Records a batch's times. */
    public void record(BatchTimes times) {
        synchronized (batches) {
            batches.add(times);
        }
    }

    /** Sets the run's wall time, from start to result. */
    public void finish(long wallNanos) {
        this.wallNanos = wallNanos;
    }

    public long wallNanos() {
        return wallNanos;
    }

    /** Marks when the job was open in every worker (batches could start), since the run started. */
    public void opened(long sinceStartNanos) {
        this.openedNanos = sinceStartNanos;
    }

    /**
     * When the job was open in every worker, since the run started; -1 if not recorded (a
     * timeline saved before this was). Before it the workers were opening the job.
     */
    public long openedNanos() {
        return openedNanos;
    }

    /** Marks when the last partial was combined, since the run started. */
    public void combined(long sinceStartNanos) {
        this.combinedNanos = sinceStartNanos;
    }

    /**
     * When every partial had been combined, since the run started; -1 if not recorded. From
     * here to {@link #wallNanos()} the coordinator finished the result (e.g. merged percentile
     * sketches, sorted the groups).
     */
    public long combinedNanos() {
        return combinedNanos;
    }

    /** Sets how long writing the run's store took before the run, when the run loaded its files itself. */
    public void load(long loadNanos) {
        this.loadNanos = loadNanos;
    }

    /** The load time before the run, apart from {@link #wallNanos()}; 0 if the store was there already. */
    public long loadNanos() {
        return loadNanos;
    }

    /** Every recorded batch, ordered by batch index then attempt. */
    public List<BatchTimes> batches() {
        synchronized (batches) {
            List<BatchTimes> copy = new ArrayList<>(batches);
            copy.sort(Comparator.comparingLong((BatchTimes b) -> b.batch().index()).thenComparingInt(BatchTimes::attempt));
            return copy;
        }
    }

    /** Per worker, by name: batches, rows, and waiting + computing + idle = wall time. */
    public List<WorkerSummary> summarize() {
        Map<String, List<BatchTimes>> byWorker = new TreeMap<>(Comparator.comparing(Timeline::workerOrder));
        for (BatchTimes b : batches()) {
            byWorker.computeIfAbsent(b.worker(), w -> new ArrayList<>()).add(b);
        }
        List<WorkerSummary> summaries = new ArrayList<>();
        for (var entry : byWorker.entrySet()) {
            List<BatchTimes> own = entry.getValue();
            own.sort(Comparator.comparingLong(BatchTimes::computeStart));
            long waiting = 0, computing = 0, rows = 0, freeSince = 0;
            for (BatchTimes b : own) {
                if (!b.computed()) {
                    continue;
                }
                long waitFrom = Math.max(b.queued(), freeSince);
                waiting += Math.max(0, b.computeStart() - waitFrom);
                computing += b.computeEnd() - b.computeStart();
                freeSince = b.computeEnd();
                rows += b.batch().rowCount();
            }
            long wall = Math.max(wallNanos, waiting + computing);
            summaries.add(new WorkerSummary(entry.getKey(), own.size(), rows, waiting, computing,
                    wall - waiting - computing, wall));
        }
        return summaries;
    }

    /** Sorts worker-2 before worker-10. */
    static String workerOrder(String worker) {
        int digits = 0;
        while (digits < worker.length() && Character.isDigit(worker.charAt(worker.length() - 1 - digits))) {
            digits++;
        }
        String prefix = worker.substring(0, worker.length() - digits);
        return prefix + "0".repeat(Math.max(0, 10 - digits)) + worker.substring(worker.length() - digits);
    }
}
