package dev.tsproc.cli.command;

import dev.tsproc.ingest.arrow.ArrowExporter;
import dev.tsproc.ingest.csv.CsvExporter;
import dev.tsproc.ingest.parquet.ParquetCodec;
import dev.tsproc.ingest.parquet.ParquetExporter;
import dev.tsproc.store.Store;
import dev.tsproc.store.VerifiedMarks;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code tsproc export}: a store as CSV, Arrow or Parquet that {@code tsproc import} reads back to the same store. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a store as CSV: series,ts,value (or ts,value), in store order; or as an Arrow IPC file (--format arrow)"
                + " or a Parquet file (--format parquet).",
                "Values in shortest round-trip form, missing values empty, formula-like series names defused with an apostrophe.",
                "'tsproc import' of the result gives back the same store."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    QuietOption quiet;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store.")
    Path store;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to this file (it must not exist). Default: standard output.")
    Path out;

    @Option(names = "--format", defaultValue = "csv", description = "Output format: csv; arrow (an Arrow IPC file, needs --out:"
            + " ts timestamp[ns, UTC], value double with missing values null, series dictionary<int32, utf8>); or parquet (needs"
            + " --out: the same columns, series dictionary-encoded). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--codec", paramLabel = "CODEC", description = "Parquet page compression: none, snappy or zstd. Default: snappy.")
    String codec;

    @Option(names = "--ts-format", paramLabel = "FORMAT", defaultValue = "epoch-ns",
            description = "epoch-ns (integers, what import reads by default) or iso (ISO-8601 UTC). Default: ${DEFAULT-VALUE}.")
    String tsFormat;

    @Option(names = "--no-header", description = "Leave out the header line.")
    boolean noHeader;

    @Option(names = "--threads", description = "Formatting (CSV) or encoding (Parquet) threads. Default: all cores.")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        String chosen = format.toLowerCase(Locale.ROOT);
        if (!List.of("csv", "arrow", "parquet").contains(chosen)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --format '" + format + "'; choose csv, arrow or parquet");
        }
        if (codec != null && !chosen.equals("parquet")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--codec applies to --format parquet only");
        }
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Checks.atLeast(spec, "--threads", threadCount, 1);
        if (!chosen.equals("csv") && out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format " + chosen + " needs --out FILE");
        }
        if (chosen.equals("arrow")) {
            return ShutdownGuard.run(spec.commandLine().getErr(), () -> exportBinary(ArrowExporter::export));
        }
        if (chosen.equals("parquet")) {
            ParquetExporter.Options options;
            try {
                options = new ParquetExporter.Options(codec == null ? ParquetCodec.SNAPPY : ParquetCodec.named(codec), threadCount);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage().replace("codec", "--codec"));
            }
            return ShutdownGuard.run(spec.commandLine().getErr(),
                    () -> exportBinary((opened, target) -> ParquetExporter.export(opened, target, options)));
        }
        CsvExporter.TimestampStyle style = switch (tsFormat.toLowerCase(Locale.ROOT)) {
            case "epoch-ns" -> CsvExporter.TimestampStyle.EPOCH_NS;
            case "iso" -> CsvExporter.TimestampStyle.ISO;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --ts-format '" + tsFormat + "'; choose epoch-ns or iso");
        };
        CsvExporter.Options options = new CsvExporter.Options(style, !noHeader, threadCount);
        return ShutdownGuard.run(spec.commandLine().getErr(), () -> export(options));
    }

    private int export(CsvExporter.Options options) throws Exception {
        long start = System.nanoTime();
        long rows;
        try (Store opened = openChecked(store)) {
            if (out != null) {
                rows = CsvExporter.export(opened, out, options);
            } else {
                PrintWriter writer = spec.commandLine().getOut();
                rows = CsvExporter.export(opened, new WriterStream(writer), options);
                writer.flush();
            }
        }
        if (out != null) {
            quiet.summary(spec.commandLine().getErr()).printf(Locale.ROOT, "exported %s to %s in %.3f s%n", Plurals.count(rows, "row", "rows"), out,
                    (System.nanoTime() - start) / 1e9);
        }
        return ExitCodes.OK;
    }

    /**
     * Opens {@code path} to be exported, which checks the blocks it reads (version 2); a version-1
     * store is verified whole first unless it was since it last changed, as {@code run} does.
     */
    private static Store openChecked(Path path) throws IOException {
        Store opened = Store.open(path);
        try {
            if (!opened.checksBlocksAsRead()) {
                VerifiedMarks.ofUser().verifyOnce(opened); // a damaged store is never exported
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** How a file format other than CSV writes a store to a new file; returns the rows written. */
    private interface FileExport {
        long export(Store store, Path target) throws Exception;
    }

    private int exportBinary(FileExport format) throws Exception {
        long start = System.nanoTime();
        long rows;
        try (Store opened = openChecked(store)) {
            rows = format.export(opened, out);
        }
        quiet.summary(spec.commandLine().getErr()).printf(Locale.ROOT, "exported %s to %s in %.3f s%n", Plurals.count(rows, "row", "rows"), out,
                (System.nanoTime() - start) / 1e9);
        return ExitCodes.OK;
    }

    /** Bytes of whole lines of UTF-8 text to a writer (the exporter writes whole lines per call). */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter writer;

        WriterStream(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) {
            writer.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writer.write(new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            writer.flush();
        }
    }
}
