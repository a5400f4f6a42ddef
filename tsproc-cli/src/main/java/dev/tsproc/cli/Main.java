package dev.tsproc.cli;

import dev.tsproc.cli.command.BenchCommand;
import dev.tsproc.cli.command.CleanCommand;
import dev.tsproc.cli.command.Errors;
import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.cli.command.ExportCommand;
import dev.tsproc.cli.command.GenerateCommand;
import dev.tsproc.cli.command.ImportCommand;
import dev.tsproc.cli.command.InfoCommand;
import dev.tsproc.cli.command.ReportCommand;
import dev.tsproc.cli.command.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code tsproc} command: map-reduce over huge time series on every core, without copying
 * the data.
 *
 * <p>Exit codes, also listed in every command's help: {@value ExitCodes#OK} success,
 * {@value ExitCodes#FAILED} the work failed (bad input file, failed batch),
 * {@value ExitCodes#USAGE} the command line was wrong, {@value ExitCodes#TIMED_OUT} the job missed
 * its deadline, {@value ExitCodes#INTERRUPTED} Ctrl-C, {@value ExitCodes#TERMINATED} SIGTERM.
 */
@Command(name = "tsproc",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Map-reduce jobs over huge time series on every core, without copying the data.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                ExitCodes.OK + ":success",
                ExitCodes.FAILED + ":the work failed: bad input file, failed batch, I/O error",
                ExitCodes.USAGE + ":wrong command line",
                ExitCodes.TIMED_OUT + ":the job missed its --timeout",
                ExitCodes.INTERRUPTED + ":interrupted (Ctrl-C)",
                ExitCodes.TERMINATED + ":terminated (SIGTERM)"})
public final class Main {
    /**
     * The Parquet library's logger, held so that its level sticks: it logs at INFO whether it
     * found the Vector API, and a command's stderr is for the command's own messages.
     */
    private static final Logger HARDWOOD = Logger.getLogger("dev.hardwood");

    /** A subcommand: the name its {@code @Command} gives it, and how to make one. */
    private record Subcommand(String name, Supplier<Object> create) {}

    /** The subcommands, in the order help lists them. */
    private static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand("generate", GenerateCommand::new), new Subcommand("import", ImportCommand::new),
            new Subcommand("export", ExportCommand::new), new Subcommand("info", InfoCommand::new),
            new Subcommand("run", RunCommand::new), new Subcommand("report", ReportCommand::new),
            new Subcommand("bench", BenchCommand::new), new Subcommand("clean", CleanCommand::new),
            new Subcommand("help", CommandLine.HelpCommand::new));

    /** Runs tsproc with {@code args} and exits with its exit code. */
    public static void main(String[] args) {
        HARDWOOD.setLevel(Level.WARNING);
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args).execute(args));
    }

    /** A command line writing results to {@code out} and messages to {@code err}; for tests too. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, SUBCOMMANDS);
    }

    /**
     * As {@link #commandLine(PrintWriter, PrintWriter)}, for running {@code args}: when they start
     * with a subcommand's name, only that subcommand is built. picocli builds a command's model by
     * reflection over its annotations, and the models of all of them cost a one-row {@code run}
     * a fifth of its CPU time (docs/DESIGN-NOTES.md, "A one-shot run starts warm"). {@code help}
     * and anything else, a mistyped name included, get them all.
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        if (args.length > 0 && !args[0].equals("help")) {
            for (Subcommand s : SUBCOMMANDS) {
                if (s.name().equals(args[0])) {
                    return commandLine(out, err, List.of(s));
                }
            }
        }
        return commandLine(out, err, SUBCOMMANDS);
    }

    private static CommandLine commandLine(PrintWriter out, PrintWriter err, List<Subcommand> subcommands) {
        CommandLine cli = new CommandLine(new Main());
        // Before the settings below: picocli passes them on to the subcommands it has at the time.
        for (Subcommand s : subcommands) {
            cli.addSubcommand(s.create().get());
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(new Errors());
        cli.setParameterExceptionHandler(Errors::usage);
        // Path.of("") is the working directory: an empty file name is a wrong command line, not "'' already exists".
        cli.registerConverter(Path.class, value -> {
            if (value.isBlank()) {
                throw new CommandLine.TypeConversionException("an empty path names no file");
            }
            return Path.of(value);
        });
        return cli;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tsproc " + (v == null ? "(development build)" : v)
                    + ", Java " + Runtime.version()};
        }
    }
}
