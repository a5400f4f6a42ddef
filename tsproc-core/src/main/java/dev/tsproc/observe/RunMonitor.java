package dev.tsproc.observe;

import dev.tsproc.data.Batch;
import dev.tsproc.plan.Plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live state of a {@link Run}: what every worker is doing, which batches are in flight and
 * since when, and how many are done — what the status endpoint and the metrics show while the
 * run goes on, a hanging batch included.
 *
 * <p>Not thread-safe on its own: its {@link Run} calls it under the run's lock.
 */
public final class RunMonitor {

    /** What a worker is doing now. */
    public enum WorkerState { IDLE, WAITING_FOR_DATA, COMPUTING }

    /**
     * A worker's live state.
     *
     * @param currentBatch the batch it holds, or -1 when idle
     * @param busySeconds  seconds spent computing, the batch it computes now included
     */
    public record WorkerStatus(String worker, WorkerState state, long currentBatch, long batchesDone,
                               double busySeconds) {}

    /**
     * A batch handed to a worker whose result has not come back.
     *
     * @param computing whether its worker has begun computing it (else it is queued: being handed over)
     * @param ageSeconds seconds since it was queued
     */
    public record InFlight(Batch batch, String worker, int attempt, boolean computing, double ageSeconds) {}

    /** A snapshot of the run. */
    public record Status(String job, long totalRows, long rowsDone, long totalBatches, long batchesQueued,
                         long batchesComputing, long batchesDone, long batchesFailed, long retries,
                         double elapsedSeconds, List<WorkerStatus> workers, List<InFlight> inFlight, List<String> errors) {}

    private static final int MAX_ERRORS = 100;

    private final Plan plan;
    private final Map<Long, Flight> inFlight = new HashMap<>();
    private final Map<String, Worker> workers = new TreeMap<>(Comparator.comparing(Timeline::workerOrder));
    private final List<String> errors = new ArrayList<>();
    private long rowsDone, done, failed, retries;

    /** A batch in flight: when it was queued and, once begun, when it began computing (else -1). */
    private record Flight(Batch batch, String worker, int attempt, long queued, long computing) {}

    private static final class Worker {
        WorkerState state = WorkerState.IDLE;
        long currentBatch = -1;
        long batchesDone;
        long busyNanos;
        long computeStart;
    }

    RunMonitor(Plan plan) {
        this.plan = plan;
    }

    void queued(Batch batch, String worker, int attempt, long at) {
        inFlight.put(batch.index(), new Flight(batch, worker, attempt, at, -1));
        Worker w = worker(worker);
        w.state = WorkerState.WAITING_FOR_DATA;
        w.currentBatch = batch.index();
    }

    void computing(Batch batch, String worker, long at) {
        Flight f = inFlight.get(batch.index());
        if (f != null) {
            inFlight.put(batch.index(), new Flight(f.batch(), f.worker(), f.attempt(), f.queued(), at));
        }
        Worker w = worker(worker);
        w.state = WorkerState.COMPUTING;
        w.currentBatch = batch.index();
        w.computeStart = at;
    }

    void finished(BatchTimes t) {
        inFlight.remove(t.batch().index());
        Worker w = worker(t.worker());
        idle(w, t.resultReceived());
        w.batchesDone++;
        done++;
        rowsDone += t.batch().rowCount();
    }

    /** A batch's attempt ended without a result: retried, or failed for good. Returns its times so far. */
    BatchTimes ended(Batch batch, String worker, int attempt, boolean retried, String error, long at) {
        Flight f = inFlight.remove(batch.index());
        idle(worker(worker), at);
        if (retried) {
            retries++;
        } else {
            failed++;
        }
        if (errors.size() < MAX_ERRORS) {
            errors.add("batch " + batch.index() + " on " + worker + ": " + error);
        }
        return new BatchTimes(batch, worker, attempt, f == null ? -1 : f.queued(), -1, f == null ? -1 : f.computing(), -1, -1);
    }

    /** The worker is idle again; computing time up to {@code at} counts as busy. */
    private static void idle(Worker w, long at) {
        if (w.state == WorkerState.COMPUTING && at >= w.computeStart) {
            w.busyNanos += at - w.computeStart;
        }
        w.state = WorkerState.IDLE;
        w.currentBatch = -1;
    }

    private Worker worker(String name) {
        return workers.computeIfAbsent(name, n -> new Worker());
    }

    Status status(String job, long now) {
        List<WorkerStatus> ws = new ArrayList<>();
        workers.forEach((name, w) -> ws.add(new WorkerStatus(name, w.state, w.currentBatch, w.batchesDone,
                (w.busyNanos + (w.state == WorkerState.COMPUTING ? Math.max(0, now - w.computeStart) : 0)) / 1e9)));
        List<InFlight> flying = new ArrayList<>();
        long computing = 0;
        for (Flight f : inFlight.values()) {
            flying.add(new InFlight(f.batch(), f.worker(), f.attempt(), f.computing() >= 0, (now - f.queued()) / 1e9));
            computing += f.computing() >= 0 ? 1 : 0;
        }
        flying.sort(Comparator.comparingLong(f -> f.batch().index()));
        return new Status(job, plan.rowCount(), rowsDone, plan.batchCount(), flying.size() - computing, computing, done,
                failed, retries, now / 1e9, ws, flying, List.copyOf(errors));
    }
}
