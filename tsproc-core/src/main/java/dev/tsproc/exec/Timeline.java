package dev.tsproc.exec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened in a run, batch by batch and worker by worker: the raw material of the
 * timeline report, the progress display, and {@code tsproc bench talk}'s receive and compute
 * columns.
 *
 * <p>Thread safety: workers' tasks record concurrently while the run goes on; read it after
 * the run has returned, when every task has ended.
 */
public final class Timeline {
    private final long startNanos;
    private final ConcurrentLinkedQueue<BatchTimes> batches = new ConcurrentLinkedQueue<>();
    private final AtomicLong coordinatorPeakPrivateBytes = new AtomicLong(-1);
    private volatile List<WorkerReport> workers = List.of();

    Timeline(long startNanos) {
        this.startNanos = startNanos;
    }

    void add(BatchTimes times) {
        batches.add(times);
    }

    void coordinatorPrivateBytes(long bytes) {
        coordinatorPeakPrivateBytes.accumulateAndGet(bytes, Math::max);
    }

    void workers(List<WorkerReport> reports) {
        workers = List.copyOf(reports);
    }

    /** When the run started, on the coordinator's {@link System#nanoTime()} clock. */
    public long startNanos() {
        return startNanos;
    }

    /** Every batch that produced a result, by batch index. */
    public List<BatchTimes> batches() {
        List<BatchTimes> all = new ArrayList<>(batches);
        all.sort(Comparator.comparingLong(BatchTimes::batchIndex));
        return all;
    }

    /** Every worker, in order of name. */
    public List<WorkerReport> workers() {
        return workers;
    }

    /** The coordinator's highest private memory seen as batches ended, or -1. */
    public long coordinatorPeakPrivateBytes() {
        return coordinatorPeakPrivateBytes.get();
    }

    /**
     * One worker's totals over the run.
     *
     * @param receiveNanos time its batches spent being handed over
     * @param computeNanos time it spent computing
     * @param peakPrivateBytes its highest private memory at the end of a batch, or -1
     */
    public record WorkerTotals(String worker, int batches, long rows, long receiveNanos, long computeNanos,
                               long peakPrivateBytes) {}

    /** Totals per worker, in order of name. */
    public List<WorkerTotals> totalsByWorker() {
        Map<String, WorkerTotals> totals = new LinkedHashMap<>();
        for (WorkerReport w : workers) {
            totals.put(w.worker(), new WorkerTotals(w.worker(), 0, 0, 0, 0, w.peakPrivateBytes()));
        }
        for (BatchTimes b : batches()) {
            WorkerTotals t = totals.getOrDefault(b.worker(), new WorkerTotals(b.worker(), 0, 0, 0, 0, -1));
            totals.put(b.worker(), new WorkerTotals(b.worker(), t.batches() + 1, t.rows() + b.rowCount(),
                    t.receiveNanos() + b.receiveNanos(), t.computeNanos() + b.computeNanos(),
                    Math.max(t.peakPrivateBytes(), b.privateBytes())));
        }
        return List.copyOf(totals.values());
    }
}
