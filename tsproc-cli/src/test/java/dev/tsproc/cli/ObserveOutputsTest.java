package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tsproc.observe.Event;
import dev.tsproc.observe.EventKind;
import dev.tsproc.observe.RunMonitor;
import dev.tsproc.observe.Timeline;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObserveOutputsTest {

    private static Event event(EventKind kind, long atMillis, String worker, long batch) {
        return new Event(kind, atMillis * 1_000_000, worker, batch, batch * 100, 100, 1, 50_000_000, 120_000_000, 30_000_000, "");
    }

    private static void fullBatch(RunMonitor monitor, String worker, long batch, long at) {
        monitor.onEvent(event(EventKind.BATCH_QUEUED, at, worker, batch));
        monitor.onEvent(event(EventKind.DATA_RECEIVED, at + 1, worker, batch));
        monitor.onEvent(event(EventKind.COMPUTE_STARTED, at + 2, worker, batch));
        monitor.onEvent(event(EventKind.COMPUTE_FINISHED, at + 12, worker, batch));
        monitor.onEvent(event(EventKind.RESULT_RECEIVED, at + 13, worker, batch));
    }

    @Test
    void theMonitorAssemblesTimelinesAndCountsStates() {
        RunMonitor monitor = new RunMonitor("sum", new Timeline("t", 0, Map.of()), 400, 4, System.nanoTime());
        fullBatch(monitor, "worker-1", 0, 0);
        fullBatch(monitor, "worker-2", 1, 0);
        monitor.onEvent(event(EventKind.BATCH_QUEUED, 20, "worker-1", 2));
        monitor.onEvent(event(EventKind.COMPUTE_STARTED, 21, "worker-1", 2));
        RunMonitor.Status s = monitor.status();
        assertThat(s.rowsDone()).isEqualTo(200);
        assertThat(s.batchesDone()).isEqualTo(2);
        assertThat(s.batchesComputing()).isEqualTo(1);
        assertThat(s.workers()).extracting(RunMonitor.WorkerStatus::state)
                .containsExactly(RunMonitor.WorkerState.COMPUTING, RunMonitor.WorkerState.IDLE);
        assertThat(s.workers().get(0).currentBatch()).isEqualTo(2);
        assertThat(s.workers().get(1).busySeconds()).isEqualTo(0.010);
        assertThat(monitor.timeline().batches()).hasSize(2);
        assertThat(monitor.timeline().batches().getFirst().computeStart()).isEqualTo(2_000_000);
        monitor.onEvent(new Event(EventKind.FAILED, 30_000_000, "worker-1", 2, 200, 100, 1, -1, -1, -1, "boom"));
        assertThat(monitor.status().batchesFailed()).isEqualTo(1);
        assertThat(monitor.status().batchesComputing()).isZero();
        assertThat(monitor.status().errors()).containsExactly("batch 2 on worker-1: boom");
    }

    @Test
    void theTextLogColoursEachWorkerOnlyWhenAsked() {
        StringWriter plain = new StringWriter();
        try (EventLog log = new EventLog(new PrintWriter(plain), EventLog.Format.text, false)) {
            log.onEvent(event(EventKind.COMPUTE_STARTED, 1500, "worker-2", 7));
        }
        assertThat(plain.toString()).isEqualTo(
                "    1.500s worker-2   compute started  batch 7 rows 700..799  heap 50 MB rss 120 MB private 30 MB\n");
        StringWriter coloured = new StringWriter();
        try (EventLog log = new EventLog(new PrintWriter(coloured), EventLog.Format.text, true)) {
            log.onEvent(event(EventKind.COMPUTE_STARTED, 1, "worker-1", 1));
            log.onEvent(event(EventKind.COMPUTE_STARTED, 1, "worker-2", 2));
        }
        String[] lines = coloured.toString().split("\n");
        assertThat(lines[0]).contains("\u001b[36mworker-1");
        assertThat(lines[1]).contains("\u001b[33mworker-2");
    }

    @Test
    void theJsonLogIsOneObjectPerLine() throws Exception {
        String line = EventLog.json(new Event(EventKind.FAILED, 2_000_000_000L, "worker-3", 4, 400, 100, 2, 1, 2, 3, "say \"no\""));
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            p.skipChildren();
            assertThat(p.nextToken()).isNull();
        }
        assertThat(line).isEqualTo("{\"t\":2.0,\"event\":\"failed\",\"worker\":\"worker-3\",\"batch\":4,\"rowOffset\":400,"
                + "\"rows\":100,\"attempt\":2,\"heapBytes\":1,\"rssBytes\":2,\"privateBytes\":3,\"detail\":\"say \\\"no\\\"\"}");
    }

    @Test
    void theStatusEndpointServesJsonAndMetricsOnLoopbackOnly() throws Exception {
        RunMonitor monitor = new RunMonitor("sum", new Timeline("t", 0, Map.of()), 400, 4, System.nanoTime());
        fullBatch(monitor, "worker-1", 0, 0);
        try (StatusServer server = StatusServer.start(InetAddress.getLoopbackAddress(), 0, monitor::status, 4096);
             HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"rowsDone\":100", "\"progress\":0.25", "\"done\":1",
                    "{\"name\":\"worker-1\",\"state\":\"idle\",\"batch\":null,\"batchesDone\":1,\"busySeconds\":0.01}");
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("tsproc_rows_processed_total 100\n", "tsproc_batches{state=\"done\"} 1\n",
                    "tsproc_bytes_mapped 4096\n", "tsproc_worker_busy_seconds_total{worker=\"worker-1\"} 0.010000\n");
        }
        InetAddress nonLoopback = InetAddress.getByName("0.0.0.0");
        assertThatThrownBy(() -> StatusServer.start(nonLoopback, 0, monitor::status, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
    }
}
