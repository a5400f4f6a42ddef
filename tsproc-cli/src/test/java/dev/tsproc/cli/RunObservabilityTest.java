package dev.tsproc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class RunObservabilityTest {
    @TempDir
    Path dir;

    private Path store(long rows) {
        Path file = dir.resolve("s" + rows + ".tsp");
        assertThat(Cli.run("generate", "--rows", Long.toString(rows), "--out", file.toString(), "--quiet").exitCode()).isZero();
        return file;
    }

    /** The events of a batch as they happen; the result's line also carries when its worker had the data and finished. */
    private static final List<String> STEPS = List.of("batch queued", "compute started", "result received");

    @ParameterizedTest
    @ValueSource(strings = {"threads", "processes"})
    void theJsonLogHasEveryStepOfEveryBatchInOrderAndTheTimelineAddsUp(String executor) throws Exception {
        Path file = store(100_000);
        Path timeline = dir.resolve("t.json");
        Path report = dir.resolve("r.html");
        Cli cli = Cli.run("run", file.toString(), "--executor", executor, "--workers", "2", "--batch-rows", "7000",
                "--log", "--log-format", "json", "--timeline", timeline.toString(), "--report", report.toString(), "--job", "sum");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        Map<Long, List<String>> stepsByBatch = new HashMap<>();
        double previous = 0;
        for (String line : cli.err().lines().filter(l -> l.startsWith("{")).toList()) {
            Map<String, String> fields = parse(line);
            long batch = Long.parseLong(fields.get("batch"));
            stepsByBatch.computeIfAbsent(batch, b -> new ArrayList<>()).add(fields.get("event"));
            double t = Double.parseDouble(fields.get("t"));
            assertThat(t).as("the log is in time order, at batch %d: %s", batch, line).isGreaterThanOrEqualTo(previous);
            previous = t;
        }
        assertThat(stepsByBatch).hasSize(15);
        stepsByBatch.values().forEach(steps -> assertThat(steps).isEqualTo(STEPS));

        Timeline t;
        try (Reader in = Files.newBufferedReader(timeline)) {
            t = TimelineJson.read(in, "t.json");
        }
        assertThat(t.batches()).hasSize(15);
        long tolerance = 1_000_000; // 1 ms
        for (Timeline.WorkerSummary w : t.summarize()) {
            assertThat(w.waitingNanos() + w.computingNanos() + w.idleNanos()).isCloseTo(t.wallNanos(), org.assertj.core.data.Offset.offset(tolerance));
        }
        long firstStart = t.batches().stream().mapToLong(b -> b.computeStart()).min().orElseThrow();
        long lastReceived = t.batches().stream().mapToLong(b -> b.resultReceived()).max().orElseThrow();
        assertThat(t.openedNanos()).as("the job was open before any batch began").isBetween(0L, firstStart);
        assertThat(t.combinedNanos()).as("every partial was combined after the last arrived, before the end")
                .isBetween(lastReceived, t.wallNanos());
        assertThat(Files.readString(report)).contains("id=\"chart\"", "<tr><th>sum</th></tr>",
                        "opening the job in the workers", "finishing the result")
                .doesNotContainPattern("(src|href)=\"https?:");
    }

    /**
     * The endpoint a run announces answers while the run is going: batch 0 is held (blocked on a
     * file the test creates) until the test has read {@code /status}, so a fast run cannot end
     * and close the endpoint first.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theStatusEndpointAnswersDuringARealRun() throws Exception {
        Path file = store(30_000);
        Path gate = dir.resolve("gate");
        Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/status");
        CompletableFuture<String> announced = new CompletableFuture<>();
        StringWriter err = new StringWriter() {
            @Override
            public void flush() { // the run's stderr is flushed at each line: look for the announcement there
                Matcher m = url.matcher(toString());
                if (m.find()) {
                    announced.complete(m.group(0));
                }
            }
        };
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.commandLine(new PrintWriter(out, true),
                new PrintWriter(err, true)).execute("run", file.toString(), "--workers", "2", "--batch-rows", "300",
                "--job", GateJob.class.getName(), "--param", "batch=0", "--param", "gate=" + gate,
                "--status-port", "0", "--quiet"));
        run.whenComplete((exit, e) -> announced.completeExceptionally(new AssertionError("the run ended without announcing "
                + "its status endpoint: " + err)));
        String status;
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(announced.get())).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = response.body();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(run).as("the run is held open until the gate exists").isNotDone();
        } finally {
            Files.createFile(gate);
        }
        assertThat(status).contains("\"job\":\"gate\"", "\"totalRows\":30000", "\"total\":100", "\"workers\":[");
        assertThat(run.get()).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("gate  30000\n");
    }

    /**
     * A batch that hangs — blocked on a file the test creates — is in {@code /status} while it
     * hangs, computing on its worker, and that worker is busy in {@code /metrics}; released, the
     * run ends with every row counted.
     */
    @ParameterizedTest
    @ValueSource(strings = {"threads", "processes"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHangingBatchIsInTheStatusWithItsWorkerWhileItHangs(String executor) throws Exception {
        Path file = store(10_000);
        Path gate = dir.resolve("gate-" + executor);
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.commandLine(new PrintWriter(out, true),
                new PrintWriter(err, true)).execute("run", file.toString(), "--executor", executor, "--workers", "2",
                "--batch-rows", "1000", "--job", GateJob.class.getName(), "--param", "batch=3", "--param", "gate=" + gate,
                "--status-port", "0", "--quiet"));
        try (HttpClient http = HttpClient.newHttpClient()) {
            Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/status");
            Matcher m;
            while (!(m = url.matcher(err.toString())).find()) {
                assertThat(run).as(err.toString()).isNotDone();
                Thread.sleep(5); // the run announces its endpoint when it begins
            }
            URI status = URI.create(m.group(0));
            Pattern hanging = Pattern.compile("\\{\"batch\":3,\"rowOffset\":3000,\"rows\":1000,\"worker\":\"(worker-\\d+)\","
                    + "\"attempt\":1,\"state\":\"computing\",\"ageSeconds\":[0-9.E-]+}");
            String body;
            Matcher h;
            do {
                assertThat(run).as(err.toString()).isNotDone();
                body = http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body();
            } while (!(h = hanging.matcher(body)).find());
            // Every other batch can end while batch 3 hangs; the hanging one stays, with its worker computing it.
            assertThat(body).contains("{\"name\":\"" + h.group(1) + "\",\"state\":\"computing\",\"batch\":3,");
            String metrics = http.send(HttpRequest.newBuilder(URI.create(status.toString().replace("/status", "/metrics"))).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("tsproc_workers_busy [12]\n");
        } finally {
            Files.createFile(gate);
        }
        assertThat(run.get()).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("gate  10000\n");
    }

    private static Map<String, String> parse(String line) throws Exception {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, p.getText());
            }
        }
        return fields;
    }
}
