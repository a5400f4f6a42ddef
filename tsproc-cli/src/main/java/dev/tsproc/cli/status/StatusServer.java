package dev.tsproc.cli.status;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tsproc.observe.RunMonitor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves a running job's state while it runs ({@code --status-port}): {@code GET /status} as
 * JSON and {@code GET /metrics} in the Prometheus text format.
 *
 * <p>The status shows every worker's state and every batch in flight — queued or computing, on
 * which worker, for how long — as the run's events happen, so a batch that hangs is visible
 * while it hangs. Loopback only: the endpoint has no authentication, so binding any other address
 * is refused, and a request must name a loopback host ({@link #refusal} says what else HTTP requires).
 * Requests are served on virtual threads, so the endpoint answers while every core computes —
 * the talk's event loop staying responsive. The JDK's built-in server is enough for this.
 */
public final class StatusServer implements AutoCloseable {
    private final HttpServer server;

    private StatusServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving {@code status} on {@code address}.
     *
     * @param mappedBytes bytes of the store mapped by the run, for {@code /metrics}
     * @throws IllegalArgumentException if {@code address} is not a loopback address
     */
    public static StatusServer start(InetAddress address, int port, Supplier<RunMonitor.Status> status, long mappedBytes)
            throws IOException {
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("the status endpoint serves only on the loopback address, not " + address.getHostAddress());
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Map<String, Page> pages = Map.of(
                "/status", new Page("application/json", () -> statusJson(status.get())),
                "/metrics", new Page("text/plain; version=0.0.4", () -> metrics(status.get(), mappedBytes)));
        server.createContext("/", exchange -> serve(exchange, pages));
        server.start();
        return new StatusServer(server);
    }

    /** The port served, useful when started on port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** What a path serves: its content type and how to render its body now. */
    private record Page(String contentType, Body body) {}

    @FunctionalInterface
    private interface Body {
        String render() throws IOException;
    }

    private static void serve(HttpExchange exchange, Map<String, Page> pages) throws IOException {
        try (exchange) {
            int refusal = refusal(exchange, pages.keySet());
            if (refusal != 0) {
                if (refusal == 405) {
                    exchange.getResponseHeaders().set("Allow", "GET");
                }
                exchange.sendResponseHeaders(refusal, -1);
                return;
            }
            Page page = pages.get(exchange.getRequestURI().getRawPath());
            byte[] bytes = page.body().render().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", page.contentType());
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The host names under which a page on this machine may reach the endpoint. */
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    /**
     * The status code that refuses {@code exchange}, or 0 to serve it: 505 for an HTTP version
     * other than 1.0 and 1.1; 400 for an HTTP/1.1 request without exactly one {@code Host}
     * (RFC 9112 §3.2); 421 for a host that is not a loopback name with no port or the served
     * port — a web page whose own name an attacker has pointed at 127.0.0.1 (DNS rebinding)
     * sends its own name, so it cannot read the run's state; 404 for any path but the exact
     * pages; 405 for any method but GET. The JDK's server answers malformed request lines and
     * headers with 400 itself.
     */
    static int refusal(HttpExchange exchange, Set<String> paths) {
        String version = exchange.getProtocol();
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            return 505;
        }
        List<String> hosts = exchange.getRequestHeaders().get("Host");
        if (hosts == null ? version.equals("HTTP/1.1") : hosts.size() != 1) {
            return 400;
        }
        URI uri = exchange.getRequestURI();
        // An absolute-form target (GET http://host/status) names the host instead of the header (RFC 9112 §3.2.2).
        String host = uri.getRawAuthority() != null ? uri.getRawAuthority() : hosts == null ? null : hosts.getFirst();
        if (host != null && !isLoopbackName(host.strip(), exchange.getLocalAddress().getPort())) {
            return 421;
        }
        if (!paths.contains(uri.getRawPath())) {
            return 404;
        }
        return exchange.getRequestMethod().equals("GET") ? 0 : 405;
    }

    private static boolean isLoopbackName(String host, int port) {
        String name = host.toLowerCase(Locale.ROOT);
        String withPort = ":" + port;
        if (name.endsWith(withPort)) {
            name = name.substring(0, name.length() - withPort.length());
        }
        return LOOPBACK_NAMES.contains(name);
    }

    static String statusJson(RunMonitor.Status s) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("job", s.job());
            json.writeNumberField("elapsedSeconds", s.elapsedSeconds());
            json.writeNumberField("rowsDone", s.rowsDone());
            json.writeNumberField("totalRows", s.totalRows());
            json.writeNumberField("progress", s.totalRows() == 0 ? 1.0 : (double) s.rowsDone() / s.totalRows());
            json.writeObjectFieldStart("batches");
            json.writeNumberField("total", s.totalBatches());
            json.writeNumberField("queued", s.batchesQueued());
            json.writeNumberField("computing", s.batchesComputing());
            json.writeNumberField("done", s.batchesDone());
            json.writeNumberField("failed", s.batchesFailed());
            json.writeNumberField("retries", s.retries());
            json.writeEndObject();
            json.writeArrayFieldStart("workers");
            for (RunMonitor.WorkerStatus w : s.workers()) {
                json.writeStartObject();
                json.writeStringField("name", w.worker());
                json.writeStringField("state", w.state().name().toLowerCase(Locale.ROOT));
                if (w.currentBatch() >= 0) {
                    json.writeNumberField("batch", w.currentBatch());
                } else {
                    json.writeNullField("batch");
                }
                json.writeNumberField("batchesDone", w.batchesDone());
                json.writeNumberField("busySeconds", w.busySeconds());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("inFlight");
            for (RunMonitor.InFlight f : s.inFlight()) {
                json.writeStartObject();
                json.writeNumberField("batch", f.batch().index());
                json.writeNumberField("rowOffset", f.batch().rowOffset());
                json.writeNumberField("rows", f.batch().rowCount());
                json.writeStringField("worker", f.worker());
                json.writeNumberField("attempt", f.attempt());
                json.writeStringField("state", f.computing() ? "computing" : "queued");
                json.writeNumberField("ageSeconds", f.ageSeconds());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("errors");
            for (String error : s.errors()) {
                json.writeString(error);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return text.toString();
    }

    static String metrics(RunMonitor.Status s, long mappedBytes) {
        StringBuilder m = new StringBuilder();
        m.append("# HELP tsproc_rows_processed_total Rows whose results the coordinator has received.\n")
                .append("# TYPE tsproc_rows_processed_total counter\n")
                .append("tsproc_rows_processed_total ").append(s.rowsDone()).append('\n');
        m.append("# HELP tsproc_batches Batches by state.\n# TYPE tsproc_batches gauge\n");
        m.append("tsproc_batches{state=\"queued\"} ").append(s.batchesQueued()).append('\n');
        m.append("tsproc_batches{state=\"computing\"} ").append(s.batchesComputing()).append('\n');
        m.append("tsproc_batches{state=\"done\"} ").append(s.batchesDone()).append('\n');
        m.append("tsproc_batches{state=\"failed\"} ").append(s.batchesFailed()).append('\n');
        m.append("# HELP tsproc_retries_total Batches run again after a failure.\n# TYPE tsproc_retries_total counter\n")
                .append("tsproc_retries_total ").append(s.retries()).append('\n');
        m.append("# HELP tsproc_bytes_mapped Bytes of the store mapped by the run.\n# TYPE tsproc_bytes_mapped gauge\n")
                .append("tsproc_bytes_mapped ").append(mappedBytes).append('\n');
        m.append("# HELP tsproc_workers_busy Workers computing a batch now.\n# TYPE tsproc_workers_busy gauge\n")
                .append("tsproc_workers_busy ").append(s.workers().stream().filter(w -> w.state() == RunMonitor.WorkerState.COMPUTING)
                        .count()).append('\n');
        m.append("# HELP tsproc_oldest_batch_age_seconds Seconds since the oldest batch in flight was queued (0 when none is).\n")
                .append("# TYPE tsproc_oldest_batch_age_seconds gauge\n")
                .append(String.format(Locale.ROOT, "tsproc_oldest_batch_age_seconds %.6f%n",
                        s.inFlight().stream().mapToDouble(RunMonitor.InFlight::ageSeconds).max().orElse(0)));
        m.append("# HELP tsproc_worker_busy_seconds_total Seconds each worker spent computing.\n")
                .append("# TYPE tsproc_worker_busy_seconds_total counter\n");
        for (RunMonitor.WorkerStatus w : s.workers()) {
            m.append(String.format(Locale.ROOT, "tsproc_worker_busy_seconds_total{worker=\"%s\"} %.6f%n", w.worker(), w.busySeconds()));
        }
        return m.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).close();
    }
}
