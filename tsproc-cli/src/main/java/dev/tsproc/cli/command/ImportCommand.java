package dev.tsproc.cli.command;

import dev.tsproc.cli.output.Progress;
import dev.tsproc.data.Column;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.ingest.ColumnarFormat;
import dev.tsproc.ingest.ColumnarImport;
import dev.tsproc.ingest.StoreMerge;
import dev.tsproc.ingest.csv.CsvError;
import dev.tsproc.ingest.csv.CsvImporter;
import dev.tsproc.ingest.csv.CsvOptions;
import dev.tsproc.ingest.csv.ImportResult;
import dev.tsproc.ingest.csv.TimestampFormat;
import dev.tsproc.ingest.arrow.ArrowImporter;
import dev.tsproc.ingest.parquet.ParquetImporter;
import dev.tsproc.ingest.parquet.ParquetOptions;
import dev.tsproc.ingest.parquet.ParquetSources;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.StoreLayout;
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
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tsproc import}: CSV files (plain or gzip, or stdin), Parquet or Arrow files, into a new store or appended to one. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import CSV files (plain or .gz, or standard input), Parquet files (files, directories or globs)"
                + " or Arrow files into a store, or append them to one, on every core.",
                "Rows out of time order are sorted; series names become a dictionary sorted by name.",
                "Bad lines are reported with line number, byte offset and reason; a failed import leaves nothing behind."})
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    QuietOption quiet;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = {"CSV files (gzip is recognised by its content; - or"
            + " /dev/stdin reads standard input, as it comes), or Parquet files, directories of them, or Arrow files;"
            + " a quoted glob such as 'logs/*.csv.gz' is expanded by tsproc.",
            "Several files become one store, merged in time order; they must be of one kind (CSV, Parquet or Arrow)."})
    List<String> files;

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--out", paramLabel = "STORE", description = "Write the store to this file (it must not exist).")
        Path out;

        @Option(names = "--shm", description = "Write the store to shared memory (/dev/shm) and print its path.")
        boolean shm;

        @Option(names = "--append-to", paramLabel = "STORE", description = "Add the rows to this store: the old and new"
                + " rows, merged in time order, are written as a new store that replaces it in one step.")
        Path appendTo;
    }

    @Mixin
    ColumnOptions columns;

    @Option(names = "--header", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Whether the first line is a header (--no-header: it is data). Default: a header.")
    boolean header;

    @Option(names = "--delimiter", paramLabel = "CHAR", defaultValue = ",",
            description = "Field delimiter: one ASCII character, or 'tab'. Default: '${DEFAULT-VALUE}'.")
    String delimiter;

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

    private static final String EARLY_NOTE = "note: every timestamp is before 1973: integers this small are read as epoch"
            + " nanoseconds; if they are epoch seconds or milliseconds, import again with --ts-format epoch-s or epoch-ms";

    /** The note that {@code --ts-format auto} read integer timestamps in {@code unit}. */
    private static String unitTold(TimestampFormat unit) {
        return "timestamps read as " + unit + ", as their magnitude tells; --ts-format says otherwise";
    }

    /** The newest timestamp of the imported store, or {@link Long#MAX_VALUE} if it has no rows. */
    private static long lastTimestamp(Path store, long rows) throws IOException {
        if (rows == 0) {
            return Long.MAX_VALUE;
        }
        try (Store s = Store.open(store)) {
            return s.column(Column.TS).getAtIndex(Column.TS_LAYOUT, s.rowCount() - 1);
        }
    }

    /** One kind of input: what its files are, by their content. */
    private enum Kind {
        CSV("CSV"), PARQUET("Parquet"), ARROW("Arrow");

        final String title;

        Kind(String title) {
            this.title = title;
        }
    }

    /** Whether several sources are imported, so that what is said of one names it. */
    private boolean several;

    /** Whether each source is read into a store of its own first, to be merged into the one asked for. */
    private boolean merging() {
        return several || target.appendTo != null;
    }

    /** An input file, or standard input ({@code -}, {@code /dev/stdin}), and its kind. */
    private record Input(Path path, Kind kind) {
        boolean stdin() {
            return path.toString().equals("-") || path.toString().equals("/dev/stdin");
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Input> inputs = inputs();
        Kind kind = inputs.getFirst().kind();
        for (Input input : inputs) {
            if (input.kind() != kind) {
                throw new CommandLine.ParameterException(spec.commandLine(), inputs.getFirst().path() + " is "
                        + kind.title + " and " + input.path() + " is " + input.kind().title + "; one import takes files of"
                        + " one kind: import the others with --append-to");
            }
        }
        if (kind == Kind.CSV) {
            CsvOptions options = options();
            return ShutdownGuard.run(spec.commandLine().getErr(), () -> importAll(inputs, options, null));
        }
        ParquetOptions options = parquetOptions(inputs.getFirst().path());
        return ShutdownGuard.run(spec.commandLine().getErr(), () -> importAll(inputs, null, options));
    }

    /**
     * The files the arguments name, in their order: each file itself, each directory its Parquet
     * files, each glob the files it matches (in path order, for shells that leave it as it is).
     */
    private List<Input> inputs() throws IOException {
        List<Input> inputs = new ArrayList<>();
        for (String argument : files) {
            Input stdin = new Input(Path.of(argument), Kind.CSV);
            if (stdin.stdin()) {
                inputs.add(stdin);
                continue;
            }
            Path named = Path.of(argument);
            // Anything there but a directory is itself an input: a FIFO or device is refused by the importer, unopened.
            boolean one = Files.exists(named) && !Files.isDirectory(named);
            for (Path file : one ? List.of(named) : ParquetSources.resolve(argument)) {
                if (isStore(file)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), file + " is a tsproc store, which import"
                            + " does not read; to add rows to it, import them with --append-to " + file);
                }
                ColumnarFormat format = ColumnarFormat.of(file);
                inputs.add(new Input(file, format == ColumnarFormat.ARROW ? Kind.ARROW
                        : format == ColumnarFormat.PARQUET ? Kind.PARQUET : Kind.CSV));
            }
        }
        if (inputs.stream().filter(Input::stdin).count() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "standard input can be read only once");
        }
        if (inputs.size() > 1 && errorsOut != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--errors-out lists the bad lines of one input file;"
                    + " import the files one by one, or leave it out: the first bad lines of each are shown");
        }
        return inputs;
    }

    private static boolean hasSeries(Path store) throws IOException {
        try (Store s = Store.open(store)) {
            return s.hasSeries();
        }
    }

    /** Whether {@code file} is a regular file that starts as a store does; nothing else is opened. */
    private static boolean isStore(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(StoreLayout.MAGIC.length), StoreLayout.MAGIC);
        }
    }

    /**
     * Imports {@code inputs} into the store asked for: one source straight into it; several, or
     * an append, each into a store of its own in a scratch directory beside the target, then
     * merged ({@link StoreMerge}). Parquet files are one source, read together.
     */
    private int importAll(List<Input> inputs, CsvOptions csv, ParquetOptions columnar) throws Exception {
        Path path = target.shm ? SharedSegments.newStandaloneStorePath() : target.out != null ? target.out : target.appendTo;
        List<List<Input>> sources = inputs.getFirst().kind() == Kind.PARQUET ? List.of(inputs)
                : inputs.stream().map(List::of).toList();
        several = sources.size() > 1;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (sources.size() == 1 && target.appendTo == null) {
            importSource(sources.getFirst(), csv, columnar, path);
        } else {
            mergeSources(sources, csv, columnar, path);
        }
        out.println(path);
        out.flush();
        if (target.shm) {
            err.println("remove the store with 'rm' or 'tsproc clean --stores' when done");
        }
        err.flush();
        return ExitCodes.OK;
    }

    /** Imports each source into a store of its own in a scratch directory, then merges them into {@code path}. */
    private void mergeSources(List<List<Input>> sources, CsvOptions csv, ParquetOptions columnar, Path path) throws Exception {
        int threads = csv != null ? csv.threads() : columnar.threads();
        long start = System.nanoTime();
        try (StoreMerge.Append append = target.appendTo != null ? StoreMerge.Append.begin(path) : null) {
            if (append == null) {
                AtomicFile.requireAbsent(path); // before any work whose result could not be published
            }
            // A locked run directory beside the target: removed at the end, or by 'tsproc clean DIR' if killed.
            try (SharedSegments scratch = SharedSegments.create(path.toAbsolutePath().getParent())) {
                List<Path> stores = new ArrayList<>();
                // Stores to merge all have a series column or none: said here, before more work, naming the user's files.
                Path first = append != null ? path : null;
                boolean firstHasSeries = append != null && hasSeries(path);
                for (List<Input> source : sources) {
                    Path store = scratch.newStorePath();
                    importSource(source, csv, columnar, store);
                    stores.add(store);
                    Path named = source.getFirst().path();
                    boolean has = hasSeries(store);
                    if (first == null) {
                        first = named;
                        firstHasSeries = has;
                    } else if (has != firstHasSeries) {
                        throw new BadInputException(has ? first : named, "it has no series column and " + (has ? named : first)
                                + " has one; a store holds both or neither (--no-series leaves a series column out)");
                    }
                }
                ColumnarImport.Result merged = append != null ? append.commit(stores, scratch.newStorePath(), threads)
                        : StoreMerge.write(stores, path, threads);
                quiet.summary(spec.commandLine().getErr()).printf(Locale.ROOT, "%s %s%s in %s in %.3f s%s%n",
                        append != null ? "appended: the store now holds" : "merged", Plurals.count(merged.rows(), "row", "rows"),
                        merged.series() > 0 ? String.format(Locale.ROOT, " of %,d series", merged.series()) : "",
                        path, (System.nanoTime() - start) / 1e9, merged.sorted() ? "; rows were merged into time order" : "");
            }
        }
    }

    /** Imports one source — a CSV file or stdin, an Arrow file, or Parquet files — into a new store at {@code path}. */
    private void importSource(List<Input> source, CsvOptions csv, ParquetOptions columnar, Path path) throws Exception {
        switch (source.getFirst().kind()) {
            case CSV -> importCsv(source.getFirst(), csv, path);
            case ARROW -> importArrow(source.getFirst().path(), columnar, path);
            case PARQUET -> importParquet(source.stream().map(Input::path).toList(), columnar, path);
        }
    }

    private void importCsv(Input input, CsvOptions options, Path path) throws Exception {
        Path file = input.path();
        ImportResult result;
        boolean stdin = input.stdin();
        boolean sizeUnknown = stdin || file.getFileName().toString().endsWith(".gz");
        try (Progress progress = new Progress("import", sizeUnknown ? 0 : Files.size(file), "bytes",
                Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
            result = stdin
                    // A channel, unlike System.in, wakes a read blocked on a pipe when Ctrl-C interrupts the import.
                    ? CsvImporter.importStream(Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()),
                            Path.of(file.toString().equals("-") ? "stdin" : file.toString()), path, options, progress::advanceTo)
                    : CsvImporter.importFile(file, path, options, progress::advanceTo);
        }
        PrintWriter err = spec.commandLine().getErr();
        double seconds = result.elapsedNanos() / 1e9;
        quiet.summary(err).printf(Locale.ROOT, "%s %s%s from %s: %,.1f MB in %.3f s, %,.0f MB/s%s%n", merging() ? "read" : "imported",
                Plurals.count(result.rows(), "row", "rows"),
                result.series() > 0 ? String.format(Locale.ROOT, " of %,d series", result.series()) : "",
                stdin && file.toString().equals("-") ? "stdin" : file, result.inputBytes() / 1e6, seconds,
                seconds == 0 ? 0 : result.inputBytes() / 1e6 / seconds,
                result.sorted() ? "; rows were sorted into time order" : "");
        String of = several ? file + ": " : "";
        if (result.delimiter() != (char) options.delimiter()) {
            err.println(of + "fields separated by '" + (result.delimiter() == '\t' ? "tab" : String.valueOf(result.delimiter()))
                    + "', as the header shows; --delimiter says otherwise");
        }
        if (result.timestampFormat() != options.timestampFormat()) {
            err.println(of + unitTold(result.timestampFormat()));
        } else if (options.timestampFormat() == TimestampFormat.AUTO && lastTimestamp(path, result.rows()) < EARLY_1973) {
            err.println(of + EARLY_NOTE);
        }
        if (result.badLines() > 0) {
            err.printf(Locale.ROOT, "%sskipped %s%s:%n", of, Plurals.count(result.badLines(), "bad line", "bad lines"),
                    result.badLines() > result.firstErrors().size() ? ", the first " + result.firstErrors().size() : "");
            for (CsvError e : result.firstErrors()) {
                err.println("  " + e.message());
            }
            if (errorsOut != null) {
                err.println("all bad lines are listed in " + errorsOut);
            } else if (result.badLines() > result.firstErrors().size()) {
                err.println("--errors-out FILE lists them all");
            }
        }
        err.flush();
    }

    private void importArrow(Path file, ParquetOptions options, Path path) throws Exception {
        ArrowImporter.Result result = ArrowImporter.importFile(file, path, options);
        PrintWriter err = spec.commandLine().getErr();
        double seconds = result.elapsedNanos() / 1e9;
        quiet.summary(err).printf(Locale.ROOT, "%s %s%s from %s (%s): %,.1f MB in %.3f s%s%n",
                merging() ? "read" : "imported", Plurals.count(result.rows(), "row", "rows"), result.series() > 0 ? String.format(Locale.ROOT, " of %,d series", result.series()) : "",
                several ? file : "an Arrow file", Plurals.count(result.batches(), "record batch", "record batches"), result.inputBytes() / 1e6, seconds, result.sorted() ? "; rows were sorted into time order" : "");
        if (result.unitTold() != null) {
            err.println((several ? file + ": " : "") + unitTold(result.unitTold()));
        }
        err.flush();
    }

    private void importParquet(List<Path> parquetFiles, ParquetOptions options, Path path) throws Exception {
        ParquetImporter.Result result;
        long bytes = 0;
        for (Path f : parquetFiles) {
            bytes += Files.size(f);
        }
        try (Progress progress = new Progress("import", bytes, "bytes", Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
            result = ParquetImporter.importFiles(Path.of(files.getFirst()), parquetFiles, path, options, progress::advanceTo);
        }
        PrintWriter err = spec.commandLine().getErr();
        double seconds = result.elapsedNanos() / 1e9;
        quiet.summary(err).printf(Locale.ROOT, "%s %s%s from %s (%s): %,.1f MB in %.3f s, %,.0f MB/s%s%n",
                merging() ? "read" : "imported", Plurals.count(result.rows(), "row", "rows"), result.series() > 0 ? String.format(Locale.ROOT, " of %,d series", result.series()) : "",
                Plurals.count(result.files(), "Parquet file", "Parquet files"), Plurals.count(result.rowGroups(), "row group",
                "row groups"), result.inputBytes() / 1e6, seconds,
                seconds == 0 ? 0 : result.inputBytes() / 1e6 / seconds,
                result.sorted() ? "; rows were sorted into time order" : "");
        Map<Path, TimestampFormat> told = result.unitsTold();
        if (told.size() == result.files() && told.values().stream().distinct().count() == 1) {
            err.println(unitTold(told.values().iterator().next()));
        } else {
            told.forEach((file, unit) -> err.println(file + ": " + unitTold(unit)));
        }
        if (result.unitGuessed() && lastTimestamp(path, result.rows()) < EARLY_1973) {
            err.println(EARLY_NOTE);
        }
        err.flush();
    }

    /** The options that apply to Parquet; the CSV-only ones are refused rather than ignored. */
    private ParquetOptions parquetOptions(Path file) {
        try {
            String csvOnly = errorsOut != null ? "--errors-out" : !onError.equals("fail") ? "--on-error"
                    : !delimiter.equals(",") ? "--delimiter" : missing != null ? "--missing" : !header ? "--no-header"
                    : maxLineBytes != CsvOptions.DEFAULT_MAX_LINE_BYTES ? "--max-line-bytes" : null;
            if (csvOnly != null) {
                throw new IllegalArgumentException(csvOnly + " applies to CSV input only; " + file + " is Parquet or Arrow");
            }
            return columns.parquet(threads != null ? threads : Runtime.getRuntime().availableProcessors());
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
                    .tsColumn(columns.tsColumn).valueColumn(columns.valueColumn).seriesColumn(columns.seriesColumn)
                    .noSeries(columns.noSeries).header(header).delimiter(delimiter())
                    .timestampFormat(columns.timestampFormat())
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
            if (columns.noSeries && columns.seriesColumn != null) {
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
