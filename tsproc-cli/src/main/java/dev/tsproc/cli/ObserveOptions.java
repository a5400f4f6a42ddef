package dev.tsproc.cli;

import dev.tsproc.exec.Plan;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.observe.EventKind;
import dev.tsproc.observe.RunListener;
import dev.tsproc.observe.RunMonitor;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import dev.tsproc.store.AtomicFile;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tsproc run}'s ways of seeing where the time goes: progress, the per-worker log, the
 * timeline and HTML report, and the live status endpoint. All of them follow the run's events.
 */
final class ObserveOptions {
    @Option(names = "--log", description = "Print one line per batch event: worker (coloured), seconds, event, batch, rows, memory.")
    boolean log;

    @Option(names = "--log-format", defaultValue = "text", description = "text or json (one object per line). Default: ${DEFAULT-VALUE}.")
    EventLog.Format logFormat;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Write a self-contained HTML report: Gantt chart, per-worker summary, result.")
    Path report;

    @Option(names = "--timeline", paramLabel = "FILE.json", description = "Save the per-batch timeline, to compare runs with 'tsproc report'.")
    Path timeline;

    @Option(names = "--status-port", paramLabel = "PORT", converter = Checks.Port.class,
            description = "Serve GET /status (JSON) and GET /metrics (Prometheus) on 127.0.0.1:PORT while the job runs.")
    Integer statusPort;

    /** What one run is observed with; close after the run. */
    final class Session implements AutoCloseable {
        private final RunMonitor monitor;
        private final Progress progress;
        private final StatusServer status;
        private final EventLog eventLog;
        private final RunOptions options;

        Session(String job, String label, Map<String, String> configuration, long rows, RunOptions base,
                long mappedBytes, boolean quiet, PrintWriter err) throws IOException {
            for (Path output : new Path[] {timeline, report}) {
                if (output != null) {
                    AtomicFile.requireAbsent(output); // before the run, not after it
                }
            }
            long batches = new Plan(rows, base.batchRows()).batchCount();
            monitor = new RunMonitor(job, new Timeline(label, System.currentTimeMillis(), configuration), rows, batches,
                    System.nanoTime());
            progress = new Progress(job, rows, log ? Progress.Mode.QUIET : Progress.mode(quiet), err);
            RunListener listener = monitor.andThen(e -> {
                if (e.kind() == EventKind.RESULT_RECEIVED) {
                    progress.advanceTo(monitor.rowsDone());
                }
            });
            eventLog = log ? new EventLog(err, logFormat, logFormat == EventLog.Format.text && EventLog.colourWanted()) : null;
            if (eventLog != null) {
                listener = listener.andThen(eventLog);
            }
            options = base.withListener(listener);
            status = statusPort == null ? null
                    : StatusServer.start(InetAddress.getLoopbackAddress(), statusPort, monitor::status, mappedBytes);
            if (status != null) {
                err.printf(Locale.ROOT, "status: http://127.0.0.1:%d/status and /metrics while the job runs%n", status.port());
            }
        }

        RunOptions options() {
            return options;
        }

        /** Writes the timeline and the report of a finished run. */
        void finished(RunResult<?> run, Map<String, String> result) throws IOException {
            Timeline t = monitor.timeline();
            t.finish(run.elapsed().toNanos());
            if (timeline != null) {
                try (AtomicFile file = AtomicFile.create(timeline)) {
                    TimelineJson.write(t, file.writer());
                    file.commit();
                }
            }
            if (report != null) {
                HtmlReport.write(java.util.List.of(t), result, report);
            }
        }

        @Override
        public void close() {
            if (eventLog != null) {
                eventLog.close();
            }
            progress.close();
            if (status != null) {
                status.close();
            }
        }
    }

    /** The run's settings as shown in reports. */
    static Map<String, String> configuration(Path store, String job, RunOptions options) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("store", store.toString());
        c.put("job", job);
        c.put("executor", options.executor().name().toLowerCase(Locale.ROOT));
        c.put("transfer", options.transfer().label());
        c.put("workers", Integer.toString(options.workers()));
        c.put("batch rows", Long.toString(options.batchRows()));
        c.put("on failure", options.onFailure().name().toLowerCase(Locale.ROOT));
        c.put("java", Runtime.version().toString());
        c.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return c;
    }
}
