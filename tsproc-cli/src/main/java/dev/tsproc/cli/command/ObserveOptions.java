package dev.tsproc.cli.command;

import dev.tsproc.cli.output.EventLog;
import dev.tsproc.cli.output.Progress;
import dev.tsproc.cli.output.QueryPrinter;
import dev.tsproc.cli.report.HtmlReport;
import dev.tsproc.cli.status.StatusServer;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.RunResult;
import dev.tsproc.observe.BatchTimes;
import dev.tsproc.observe.Run;
import dev.tsproc.observe.RunListener;
import dev.tsproc.observe.RunMonitor;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import dev.tsproc.data.Batch;
import dev.tsproc.store.AtomicFile;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code tsproc run}'s ways of seeing where the time goes: progress, the per-worker log, the
 * timeline and HTML report, and the live status endpoint. All of them follow the run's events.
 */
final class ObserveOptions {
    /** The result rows a report shows; the run prints them all. */
    private static final int REPORT_ROWS = 100;

    @Option(names = "--log", description = "Print one line per batch event: worker (coloured), seconds, event, batch, rows, memory.")
    boolean log;

    @Option(names = "--log-format", defaultValue = "text", description = "text or json (one object per line). Default: ${DEFAULT-VALUE}.")
    EventLog.Format logFormat;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a self-contained HTML report: Gantt chart, per-worker summary, result.")
    Path report;

    @Option(names = "--timeline", paramLabel = "FILE", description = "Save the per-batch timeline (JSON), to compare runs with 'tsproc report'.")
    Path timeline;

    @Option(names = "--status-port", paramLabel = "PORT", converter = Checks.Port.class,
            description = "Serve GET /status (JSON) and GET /metrics (Prometheus) on 127.0.0.1:PORT while the job runs.")
    Integer statusPort;

    /**
     * What one run is observed with: a listener of the run's events that feeds the progress
     * bar, the log and the status endpoint; writes the timeline and report when the run is
     * done. Close after the run.
     */
    final class Session implements RunListener, AutoCloseable {
        private final String job;
        private final boolean quiet;
        private final PrintWriter err;
        private final EventLog eventLog;
        private final StatusServer status;
        private final AtomicLong rowsDone = new AtomicLong();
        private volatile Run run;
        private volatile Progress progress;

        /**
         * @param job         the job's name, for the progress bar and the status before the run starts
         * @param mappedBytes bytes of the store mapped by the run, for {@code /metrics}
         */
        Session(String job, long mappedBytes, boolean quiet, PrintWriter err) throws IOException {
            for (Path output : new Path[] {timeline, report}) {
                if (output != null) {
                    AtomicFile.requireAbsent(output); // before the run, not after it
                }
            }
            this.job = job;
            this.quiet = quiet;
            this.err = err;
            eventLog = log ? new EventLog(err, logFormat, logFormat == EventLog.Format.text && EventLog.colourWanted()) : null;
            // Bound now, so a port in use fails before any work; announced once the run has begun.
            status = statusPort == null ? null
                    : StatusServer.start(InetAddress.getLoopbackAddress(), statusPort, this::status, mappedBytes);
        }

        /** {@code options} with this session listening to the run, before any listener they have. */
        RunOptions options(RunOptions options) {
            return options.withListener(listener());
        }

        /** What listens to the run's events: this session, then the log if there is one. */
        RunListener listener() {
            return eventLog == null ? this : andThen(eventLog);
        }

        private RunMonitor.Status status() {
            Run r = run;
            return r != null ? r.status()
                    : new RunMonitor.Status(job, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), List.of());
        }

        @Override
        public void started(Run run) {
            this.run = run;
            progress = new Progress(job, run.plan().rowCount(), log ? Progress.Mode.QUIET : Progress.mode(quiet), err);
            if (status != null) { // through the bar, which it must not be written over
                progress.message(String.format(Locale.ROOT, "status: http://127.0.0.1:%d/status and /metrics while the job runs",
                        status.port()));
            }
        }

        @Override
        public void finished(BatchTimes times) {
            progress.advanceTo(rowsDone.addAndGet(times.batch().rowCount()));
        }

        /**
         * A batch run again because its worker was lost says so in one line even without
         * {@code --log}: the answer stays exact, but a crashing worker is worth knowing about.
         */
        @Override
        public void retried(Batch batch, String worker, int attempt, long atNanos, String error) {
            if (eventLog == null) {
                progress.message("tsproc: " + batch + " runs again on a fresh worker: " + worker + " was lost (" + error + ")");
            }
        }

        /**
         * Ends the progress bar, so the answer and the summary start lines of their own, and
         * writes the timeline and the report of a finished run.
         */
        void finished(RunResult<?> result) throws IOException {
            if (progress != null) {
                progress.close();
            }
            Timeline t = result.timeline();
            if (timeline != null) {
                try (AtomicFile file = AtomicFile.create(timeline)) {
                    TimelineJson.write(t, file.writer());
                    file.commit();
                }
            }
            if (report != null) {
                List<List<String>> rows = QueryPrinter.asRows(result.job(), result.result());
                HtmlReport.write(List.of(t), new HtmlReport.Result(rows.getFirst(),
                        rows.subList(1, Math.min(rows.size(), 1 + REPORT_ROWS)), rows.size() - 1), report, false);
            }
        }

        @Override
        public void close() {
            if (eventLog != null) {
                eventLog.close();
            }
            if (progress != null) {
                progress.close();
            }
            if (status != null) {
                status.close();
            }
        }
    }
}
