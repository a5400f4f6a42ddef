package dev.tsproc.cli.command;

import dev.tsproc.exec.BatchFailedException;
import dev.tsproc.exec.JobCancelledException;
import dev.tsproc.exec.JobFailedException;
import dev.tsproc.ingest.csv.CsvError;
import dev.tsproc.ingest.csv.CsvFormatException;
import dev.tsproc.ingest.BadInputException;
import dev.tsproc.exec.JobTimedOutException;
import dev.tsproc.observe.TimelineFormatException;
import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.CorruptStoreException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns exceptions into what a user should read: one sentence saying what went wrong and what to
 * do, and a non-zero exit code. The stack trace only with {@code --verbose}.
 */
public final class Errors implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof InterruptedException interrupted) {
            return interrupted(interrupted, err);
        }
        if (e instanceof JobTimedOutException late) {
            err.println("tsproc: " + late.getMessage() + ".");
            for (Throwable earlier : late.getSuppressed()) {
                err.println("  before that: " + earlier.getMessage());
            }
            if (isVerbose(parsed)) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.TIMED_OUT;
        }
        if (e instanceof CsvFormatException csv && csv.errors().size() > 1) {
            err.println("tsproc: " + sentence(e, parsed));
            err.printf("the first %d of %,d bad lines:%n", csv.errors().size(), csv.errorCount());
            for (CsvError line : csv.errors()) {
                err.println("  " + line.message());
            }
        } else if (e instanceof JobFailedException failed && failed.damagedStore().isPresent()) {
            err.println("tsproc: " + failed.damagedStore().get() + ".");
        } else if (e instanceof JobFailedException failed) {
            printReport(failed, err);
        } else {
            err.println("tsproc: " + sentence(e, parsed) + (isVerbose(parsed) ? "" : " (--verbose shows details)"));
        }
        if (isVerbose(parsed)) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILED;
    }

    /**
     * Reports an interrupted command (Ctrl-C, SIGTERM), with how far its job got if it ran one.
     * Commands that install a {@link ShutdownGuard} call this before closing it, so the message
     * is out before the JVM halts.
     */
    static int interrupted(InterruptedException e, PrintWriter err) {
        if (e instanceof JobCancelledException cancelled) {
            err.println("tsproc: interrupted after " + cancelled.progress().describe() + "; workers stopped, nothing was left behind.");
        } else {
            err.println("tsproc: interrupted; nothing was left behind.");
        }
        err.flush();
        return ExitCodes.INTERRUPTED;
    }

    /** Most batch failures listed one per line; the rest are counted. */
    public static final int MAX_REPORTED_FAILURES = 20;

    /**
     * The grouped report of a failed job: one header sentence, then one line per failed batch
     * (batch, rows, worker, attempts, original error), out of memory first, then by batch.
     */
    static void printReport(JobFailedException failed, PrintWriter err) {
        err.println("tsproc: " + failed.getMessage() + ":");
        List<BatchFailedException> failures = failed.failures();
        for (BatchFailedException f : failures.subList(0, Math.min(MAX_REPORTED_FAILURES, failures.size()))) {
            err.println("  " + f.getMessage());
        }
        if (failures.size() > MAX_REPORTED_FAILURES) {
            err.println("  ... and " + (failures.size() - MAX_REPORTED_FAILURES) + " more");
        }
    }

    /** A wrong command line: the problem and where to look, exit code 2. */
    public static int usage(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        // picocli starts some messages (a missing argument of a group) with its own "Error: "
        String message = e.getMessage().startsWith("Error: ") ? e.getMessage().substring("Error: ".length()) : e.getMessage();
        err.println("tsproc: " + message + " (see 'tsproc " + commandPath(cli) + "--help')");
        err.flush();
        return ExitCodes.USAGE;
    }

    private static String commandPath(CommandLine cli) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = cli; c.getParent() != null; c = c.getParent()) {
            path.insert(0, c.getCommandName() + " ");
        }
        return path.toString();
    }

    /** The reason of a {@link FileAlreadyExistsException} that {@code --force} would avoid. */
    private static final String FORCE_REPLACES = "--force replaces it";

    /**
     * Fails, before any work, unless a command with {@code --force} may write {@code target}:
     * nothing may be there unless {@code force} (and then not a directory); a file that is there
     * is refused in a sentence that names {@code --force}.
     */
    static void requireOutput(Path target, boolean force) throws IOException {
        if (force) {
            AtomicFile.requireReplaceable(target);
            return;
        }
        try {
            AtomicFile.requireAbsent(target);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(e.getFile(), null, FORCE_REPLACES);
        }
    }

    /** The message of ENOSPC, as the JDK reports it from a write. */
    private static final String NO_SPACE = "No space left on device";

    /** One readable sentence for {@code e}, thrown by the command {@code parsed} ran. */
    static String sentence(Throwable e, ParseResult parsed) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        return switch (t) {
            case CorruptStoreException c -> c.getMessage() + ".";
            case TimelineFormatException f -> f.getMessage() + "; give a file saved with 'tsproc run --timeline'.";
            case CsvFormatException c -> c.getMessage() + ".";
            case BadInputException b -> b.getMessage() + "; nothing was " + (ran(parsed).equals("run") ? "run." : "imported.");
            case NoSuchFileException n -> n.getFile() + " does not exist; check the path.";
            case FileAlreadyExistsException x -> x.getFile() + (FORCE_REPLACES.equals(x.getReason())
                    ? " already exists; add --force to replace it, or choose another path."
                    : " already exists; remove it or choose another path.");
            case AccessDeniedException a -> "permission denied for " + a.getFile() + ".";
            case FileSystemException f -> f.getFile() + ": " + f.getReason() + ".";
            case ConnectException c -> c.getMessage() + ".";
            case IOException io when NO_SPACE.equals(io.getMessage()) ->
                    "no space left on the device being written to; free some space there (df -h shows it)"
                            + " or write elsewhere — nothing was left behind.";
            case IOException io -> "I/O error: " + io.getMessage() + ".";
            case IllegalArgumentException ia -> ia.getMessage() + ".";
            case OutOfMemoryError oom -> "out of memory; give the JVM more heap (-Xmx) or use fewer workers.";
            default -> t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        };
    }

    /** The name of the subcommand that ran, such as {@code run}; empty for none. */
    private static String ran(ParseResult parsed) {
        String name = "";
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            name = p.commandSpec().name();
        }
        return name;
    }

    private static boolean isVerbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
