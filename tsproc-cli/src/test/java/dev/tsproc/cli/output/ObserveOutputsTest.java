package dev.tsproc.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tsproc.cli.status.StatusServer;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Run;
import dev.tsproc.observe.RunListener;
import dev.tsproc.observe.RunMonitor;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.Plan;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObserveOutputsTest {
    private static final long MS = 1_000_000;

    /** A run of 4 batches of 100 rows on a clock the test sets, in milliseconds. */
    private static Run run(AtomicLong nowMillis, RunListener listener) {
        return Run.start("sum", "threads/shared ×2", Map.of(), new Plan(0, 400, 100), () -> nowMillis.get() * MS, listener);
    }

    /** Batch {@code index} through every step on {@code worker}, starting at {@code at} ms: 10 ms of computing. */
    private static void fullBatch(Run run, AtomicLong now, String worker, long index, long at) {
        Batch batch = new Batch(index, index * 100, 100);
        now.set(at);
        long queued = run.queued(batch, worker, 1);
        now.set(at + 2);
        run.computing(batch, worker, 1);
        now.set(at + 13);
        run.finished(new BatchTimes(batch, worker, 1, queued, (at + 1) * MS, (at + 2) * MS, (at + 12) * MS, -1,
                50_000_000, 120_000_000, 30_000_000));
    }

    @Test
    void theRunKeepsTheLiveStateAndTheTimelineAsEventsHappen() {
        AtomicLong now = new AtomicLong();
        Run run = run(now, RunListener.NONE);
        fullBatch(run, now, "worker-1", 0, 0);
        fullBatch(run, now, "worker-2", 1, 0);
        Batch hanging = new Batch(2, 200, 100);
        now.set(20);
        run.queued(hanging, "worker-1", 1);
        now.set(21);
        run.computing(hanging, "worker-1", 1);
        now.set(1_021);
        RunMonitor.Status s = run.status();
        assertThat(s.rowsDone()).isEqualTo(200);
        assertThat(s.batchesDone()).isEqualTo(2);
        assertThat(s.batchesComputing()).isEqualTo(1);
        assertThat(s.workers()).extracting(RunMonitor.WorkerStatus::state)
                .containsExactly(RunMonitor.WorkerState.COMPUTING, RunMonitor.WorkerState.IDLE);
        assertThat(s.workers().get(0).currentBatch()).isEqualTo(2);
        assertThat(s.workers().get(0).busySeconds()).as("the hanging batch's second counts while it hangs").isEqualTo(1.011);
        assertThat(s.workers().get(1).busySeconds()).isEqualTo(0.011);
        assertThat(s.inFlight()).singleElement().isEqualTo(new RunMonitor.InFlight(hanging, "worker-1", 1, true, 1.001));
        assertThat(run.timeline().batches()).hasSize(2);
        assertThat(run.timeline().batches().getFirst().computeStart()).isEqualTo(2 * MS);
        assertThat(run.timeline().batches().getFirst().resultReceived()).as("stamped by the run").isEqualTo(13 * MS);
        now.set(1_030);
        run.failed(hanging, "worker-1", 1, "boom");
        assertThat(run.status().batchesFailed()).isEqualTo(1);
        assertThat(run.status().batchesComputing()).isZero();
        assertThat(run.status().inFlight()).isEmpty();
        assertThat(run.status().errors()).containsExactly("batch 2 on worker-1: boom");
        assertThat(run.timeline().batches()).hasSize(3).last()
                .satisfies(b -> assertThat(b.computeStart()).isEqualTo(21 * MS))
                .satisfies(b -> assertThat(b.computed()).isFalse());
    }

    @Test
    void theTextLogColoursEachWorkerOnlyWhenAsked() {
        StringWriter plain = new StringWriter();
        Batch seven = new Batch(7, 700, 100);
        try (EventLog log = new EventLog(new PrintWriter(plain), EventLog.Format.text, false)) {
            log.computing(seven, "worker-2", 1, 1500 * MS);
            log.finished(new BatchTimes(seven, "worker-2", 1, 1400 * MS, 1450 * MS, 1500 * MS, 1512_300_000, 1513 * MS,
                    50_000_000, 120_000_000, 30_000_000));
        }
        assertThat(plain.toString()).isEqualTo(
                "    1.500s worker-2   compute started  batch 7 rows 700..799\n"
                + "    1.513s worker-2   result received  batch 7 rows 700..799  computed 12.3 ms  heap 50 MB rss 120 MB"
                + " private 30 MB\n");
        StringWriter coloured = new StringWriter();
        try (EventLog log = new EventLog(new PrintWriter(coloured), EventLog.Format.text, true)) {
            log.queued(new Batch(1, 100, 100), "worker-1", 1, MS);
            log.queued(new Batch(2, 200, 100), "worker-2", 1, MS);
        }
        String[] lines = coloured.toString().split("\n");
        assertThat(lines[0]).contains("\u001b[36mworker-1");
        assertThat(lines[1]).contains("\u001b[33mworker-2");
    }

    @Test
    void theJsonLogIsOneObjectPerLine() throws Exception {
        String line = EventLog.json(new EventLog.Line("failed", 2_000_000_000L, new Batch(4, 400, 100), "worker-3", 2, null,
                "say \"no\""));
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            p.skipChildren();
            assertThat(p.nextToken()).isNull();
        }
        assertThat(line).isEqualTo("{\"t\":2.0,\"event\":\"failed\",\"worker\":\"worker-3\",\"batch\":4,\"rowOffset\":400,"
                + "\"rows\":100,\"attempt\":2,\"detail\":\"say \\\"no\\\"\"}");
    }

    @Test
    void theStatusEndpointServesJsonAndMetricsOnLoopbackOnly() throws Exception {
        AtomicLong now = new AtomicLong();
        Run run = run(now, RunListener.NONE);
        fullBatch(run, now, "worker-1", 0, 0);
        now.set(20);
        run.queued(new Batch(1, 100, 100), "worker-2", 1);
        now.set(2_520);
        try (StatusServer server = StatusServer.start(InetAddress.getLoopbackAddress(), 0, run::status, 4096);
             HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"rowsDone\":100", "\"progress\":0.25", "\"done\":1", "\"queued\":1",
                    "{\"name\":\"worker-1\",\"state\":\"idle\",\"batch\":null,\"batchesDone\":1,\"busySeconds\":0.011}",
                    "\"inFlight\":[{\"batch\":1,\"rowOffset\":100,\"rows\":100,\"worker\":\"worker-2\",\"attempt\":1,"
                            + "\"state\":\"queued\",\"ageSeconds\":2.5}]");
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("tsproc_rows_processed_total 100\n", "tsproc_batches{state=\"done\"} 1\n",
                    "tsproc_bytes_mapped 4096\n", "tsproc_worker_busy_seconds_total{worker=\"worker-1\"} 0.011000\n",
                    "tsproc_workers_busy 0\n", "tsproc_oldest_batch_age_seconds 2.500000\n");
        }
        InetAddress nonLoopback = InetAddress.getByName("0.0.0.0");
        assertThatThrownBy(() -> StatusServer.start(nonLoopback, 0, run::status, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
    }
}
