package dev.tsproc.cli.command;

import dev.tsproc.cli.output.Progress;
import dev.tsproc.data.Column;
import dev.tsproc.ingest.ColumnarFormat;
import dev.tsproc.ingest.csv.CsvError;
import dev.tsproc.ingest.csv.CsvImporter;
import dev.tsproc.ingest.csv.CsvOptions;
import dev.tsproc.ingest.csv.ImportResult;
import dev.tsproc.ingest.csv.TimestampFormat;
import dev.tsproc.ingest.arrow.ArrowImporter;
import dev.tsproc.ingest.parquet.ParquetImporter;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.ingest.parquet.ParquetSources;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code tsproc import}: a CSV file (plain or gzip), or Parquet files, into a store. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a CSV file (plain or .gz), or Parquet files (a file, a directory or a glob), into a store, on every core.",
                "Rows out of time order are sorted; series names become a dictionary sorted by name.",
                "Bad lines are reported with line number, byte offset and reason; a failed import leaves nothing behind."})
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    QuietOption quiet;

    @Parameters(index = "0", paramLabel = "FILE", description = "The CSV file (gzip is recognised by its content; - or"
            + " /dev/stdin reads standard input, as it comes), or a"
            + " Parquet file, a directory of them or a quoted glob such as 'data/*.parquet'.")
    Path file;

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--out", paramLabel = "STORE", description = "Write the store to this file (it must not exist).")
        Path out;

        @Option(names = "--shm", description = "Write the store to shared memory (/dev/shm) and print its path.")
        boolean shm;
    }

    @Option(names = "--ts-col", paramLabel = "COLUMN",
            description = "Timestamp column: header name or 1-based position. Default: the column named ts, timestamp or time"
                    + " (without a header: field 1 of 2, field 2 of 3).")
    String tsColumn;

    @Option(names = "--value-col", paramLabel = "COLUMN",
            description = "Value column: header name or 1-based position. Default: the column named value (without a header: the last of 2 or 3).")
    String valueColumn;

    @Option(names = "--series-col", paramLabel = "COLUMN",
            description = "Series column: header name or 1-based position. Default: the column named series, if any"
                    + " (without a header: field 1 of 3).")
    String seriesColumn;

    @Option(names = "--no-series", description = "Import no series column even if there is one named series.")
    boolean noSeries;

    @Option(names = "--header", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Whether the first line is a header (--no-header: it is data). Default: a header.")
    boolean header;

    @Option(names = "--delimiter", paramLabel = "CHAR", defaultValue = ",",
            description = "Field delimiter: one ASCII character, or 'tab'. Default: '${DEFAULT-VALUE}'.")
    String delimiter;

    @Option(names = "--ts-format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "auto (integers in the epoch unit their magnitude tells, text as ISO-8601), iso, epoch-s, epoch-ms, epoch-us, epoch-ns,"
                    + " or pattern:<java.time pattern> (UTC unless it has an offset). Default: ${DEFAULT-VALUE}.")
    String tsFormat;

    @Option(names = "--missing", paramLabel = "LIST", split = ",", splitSynopsisLabel = ",",
            description = "Spellings of a missing value besides the empty field, comma-separated."
                    + " Default: NaN,nan,null,NULL,NA,N/A,None.")
    List<String> missing;

    @Option(names = "--on-error", paramLabel = "POLICY", defaultValue = "fail",
            description = "fail (stop at the first bad line, write nothing) or skip (import the rest and report). Default: ${DEFAULT-VALUE}.")
    String onError;

    @Option(names = "--errors-out", paramLabel = "FILE", description = "List every bad line in this file.")
    Path errorsOut;

    @Option(names = "--max-line-bytes", paramLabel = "N", defaultValue = "" + CsvOptions.DEFAULT_MAX_LINE_BYTES,
            description = "Longest accepted line in bytes. Default: ${DEFAULT-VALUE}.")
    int maxLineBytes;

    @Option(names = "--threads", description = "Parser threads. Default: all cores.")
    Integer threads;

    /**
     * 1973-03-03 in epoch nanoseconds: 1e17. Epoch seconds and milliseconds of any date since then
     * (below 1e10 and 1e13) land before it when read as nanoseconds; real data seldom does.
     */
    private static final long EARLY_1973 = 100_000_000_000_000_000L;

    private static final String EARLY_NOTE = "note: every timestamp is before 1973, as if epoch seconds or milliseconds"
            + " were read as the nanoseconds --ts-format auto takes integers for; if so, import again with --ts-format epoch-s or epoch-ms";

    /** The newest timestamp of the imported store, or {@link Long#MAX_VALUE} if it has no rows. */
    private static long lastTimestamp(Path store, long rows) throws IOException {
        if (rows == 0) {
            return Long.MAX_VALUE;
        }
        try (Store s = Store.open(store)) {
            return s.column(Column.TS).getAtIndex(Column.TS_LAYOUT, s.rowCount() - 1);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (readsStdin()) {
            CsvOptions options = options();
            return ShutdownGuard.run(spec.commandLine().getErr(), () -> importFile(options));
        }
        ColumnarFormat format = ColumnarFormat.of(file);
        if (format == ColumnarFormat.ARROW) {
            ParquetOptions options = parquetOptions();
            return ShutdownGuard.run(spec.commandLine().getErr(), () -> importArrow(options));
        }
        if (format == ColumnarFormat.PARQUET) {
            ParquetOptions options = parquetOptions();
            return ShutdownGuard.run(spec.commandLine().getErr(), () -> importParquet(options));
        }
        CsvOptions options = options();
        return ShutdownGuard.run(spec.commandLine().getErr(), () -> importFile(options));
    }

    /** Whether {@link #file} names this process's standard input: {@code -} or {@code /dev/stdin}. */
    private boolean readsStdin() {
        return file.toString().equals("-") || file.toString().equals("/dev/stdin");
    }

    private int importFile(CsvOptions options) throws Exception {
        Path path = target.shm ? SharedSegments.newStandaloneStorePath() : target.out;
        ImportResult result;
        boolean stdin = readsStdin();
        boolean sizeUnknown = stdin || file.getFileName().toString().endsWith(".gz");
        try (Progress progress = new Progress("import", sizeUnknown ? 0 : Files.size(file), "bytes",
                Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
            result = stdin
                    // A channel, unlike System.in, wakes a read blocked on a pipe when Ctrl-C interrupts the import.
                    ? CsvImporter.importStream(Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()),
                            Path.of(file.toString().equals("-") ? "stdin" : file.toString()), path, options, progress::advanceTo)
                    : CsvImporter.importFile(file, path, options, progress::advanceTo);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.println(path);
        out.flush();
        double seconds = result.elapsedNanos() / 1e9;
        err.printf(Locale.ROOT, "imported %,d rows%s from %s: %,.1f MB in %.3f s, %,.0f MB/s%s%n", result.rows(),
                result.series() > 0 ? String.format(Locale.ROOT, " of %,d series", result.series()) : "",
                stdin ? "stdin" : file, result.inputBytes() / 1e6, seconds, seconds == 0 ? 0 : result.inputBytes() / 1e6 / seconds,
                result.sorted() ? "; rows were sorted into time order" : "");
        if (result.delimiter() != (char) options.delimiter()) {
            err.println("fields separated by '" + (result.delimiter() == '\t' ? "tab" : String.valueOf(result.delimiter()))
                    + "', as the header shows; --delimiter says otherwise");
        }
        if (result.timestampFormat() != options.timestampFormat()) {
            err.println("timestamps read as " + result.timestampFormat() + ", as their magnitude tells; --ts-format says otherwise");
        } else if (options.timestampFormat() == TimestampFormat.AUTO && lastTimestamp(path, result.rows()) < EARLY_1973) {
            err.println(EARLY_NOTE);
        }
        if (result.badLines() > 0) {
            err.printf(Locale.ROOT, "skipped %,d bad line%s%s:%n", result.badLines(), result.badLines() == 1 ? "" : "s",
                    result.badLines() > result.firstErrors().size() ? ", the first " + result.firstErrors().size() : "");
            for (CsvError e : result.firstErrors()) {
                err.println("  " + e.message());
            }
            if (errorsOut != null) {
                err.println("all bad lines are listed in " + errorsOut);
            }
        }
        if (target.shm) {
            err.println("remove the store with 'rm' or 'tsproc clean --stores' when done");
        }
        err.flush();
        return ExitCodes.OK;
    }

    private int importArrow(ParquetOptions options) throws Exception {
        Path path = target.shm ? SharedSegments.newStandaloneStorePath() : target.out;
        ArrowImporter.Result result = ArrowImporter.importFile(file, path, options);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.println(path);
        out.flush();
        double seconds = result.elapsedNanos() / 1e9;
        err.printf(Locale.ROOT, "imported %,d rows%s from an Arrow file (%,d record batch%s): %,.1f MB in %.3f s%s%n",
                result.rows(), result.series() > 0 ? String.format(Locale.ROOT, " of %,d series", result.series()) : "",
                result.batches(), result.batches() == 1 ? "" : "es", result.inputBytes() / 1e6, seconds, result.sorted() ? "; rows were sorted into time order" : "");
        if (target.shm) {
            err.println("remove the store with 'rm' or 'tsproc clean --stores' when done");
        }
        err.flush();
        return ExitCodes.OK;
    }

    private int importParquet(ParquetOptions options) throws Exception {
        List<Path> files = ParquetSources.resolve(file.toString());
        Path path = target.shm ? SharedSegments.newStandaloneStorePath() : target.out;
        ParquetImporter.Result result;
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        try (Progress progress = new Progress("import", bytes, "bytes", Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
            result = ParquetImporter.importFiles(file, files, path, options, progress::advanceTo);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.println(path);
        out.flush();
        double seconds = result.elapsedNanos() / 1e9;
        err.printf(Locale.ROOT, "imported %,d rows%s from %,d Parquet file%s (%,d row groups): %,.1f MB in %.3f s, %,.0f MB/s%s%n",
                result.rows(), result.series() > 0 ? String.format(Locale.ROOT, " of %,d series", result.series()) : "",
                result.files(), result.files() == 1 ? "" : "s", result.rowGroups(), result.inputBytes() / 1e6, seconds,
                seconds == 0 ? 0 : result.inputBytes() / 1e6 / seconds,
                result.sorted() ? "; rows were sorted into time order" : "");
        if (result.unitGuessed() && lastTimestamp(path, result.rows()) < EARLY_1973) {
            err.println(EARLY_NOTE);
        }
        if (target.shm) {
            err.println("remove the store with 'rm' or 'tsproc clean --stores' when done");
        }
        err.flush();
        return ExitCodes.OK;
    }

    /** The options that apply to Parquet; the CSV-only ones are refused rather than ignored. */
    private ParquetOptions parquetOptions() {
        try {
            String csvOnly = errorsOut != null ? "--errors-out" : !onError.equals("fail") ? "--on-error"
                    : !delimiter.equals(",") ? "--delimiter" : missing != null ? "--missing" : !header ? "--no-header"
                    : maxLineBytes != CsvOptions.DEFAULT_MAX_LINE_BYTES ? "--max-line-bytes" : null;
            if (csvOnly != null) {
                throw new IllegalArgumentException(csvOnly + " applies to CSV input only; " + file + " is Parquet or Arrow");
            }
            return new ParquetOptions(tsColumn, valueColumn, seriesColumn, noSeries, TimestampFormat.parse(tsFormat),
                    threads != null ? threads : Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private CsvOptions options() {
        Checks.atLeast(spec, "--max-line-bytes", maxLineBytes, CsvOptions.MIN_MAX_LINE_BYTES);
        if (threads != null) {
            Checks.atLeast(spec, "--threads", threads, 1);
        }
        try {
            CsvOptions.Builder b = CsvOptions.builder()
                    .tsColumn(tsColumn).valueColumn(valueColumn).seriesColumn(seriesColumn).noSeries(noSeries)
                    .header(header).delimiter(delimiter())
                    .timestampFormat(TimestampFormat.parse(tsFormat))
                    .onError(switch (onError.toLowerCase(Locale.ROOT)) {
                        case "fail" -> CsvOptions.OnError.FAIL;
                        case "skip" -> CsvOptions.OnError.SKIP;
                        default -> throw new IllegalArgumentException("unknown --on-error '" + onError + "'; choose fail or skip");
                    })
                    .errorsOut(errorsOut)
                    .maxLineBytes(maxLineBytes);
            if (missing != null) {
                b.missing(missing);
            }
            if (threads != null) {
                b.threads(threads);
            }
            if (noSeries && seriesColumn != null) {
                throw new IllegalArgumentException("--no-series and --series-col contradict each other");
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private char delimiter() {
        String d = delimiter;
        if (d.equalsIgnoreCase("tab") || d.equals("\\t")) {
            return '\t';
        }
        if (d.length() != 1) {
            throw new IllegalArgumentException("--delimiter must be one character or 'tab', got '" + d + "'");
        }
        return d.charAt(0);
    }
}
