package dev.tsproc.cli;

import dev.tsproc.exec.Executor;
import dev.tsproc.exec.Transfer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Locale;

/** Checks on option values that picocli's types cannot express. */
final class Checks {
    private Checks() {}

    /** Fails with a usage error unless {@code value >= min}. */
    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be at least " + min + ", got " + value);
        }
    }

    /** The executor named {@code value} of {@code option}: threads or processes, any case. */
    static Executor.Kind executor(CommandSpec spec, String option, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "threads" -> Executor.Kind.THREADS;
            case "processes" -> Executor.Kind.PROCESSES;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown " + option + " '" + value + "'; choose threads or processes");
        };
    }

    /** The transfer named {@code value} of {@code option}: shared or copy, any case. */
    static Transfer transfer(CommandSpec spec, String option, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "shared" -> Transfer.SHARED;
            case "copy" -> Transfer.COPY;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown " + option + " '" + value + "'; choose shared or copy");
        };
    }
}
