package dev.tsproc.cli.command;

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

    /** Fails with a usage error unless {@code min <= value <= max}. */
    static void between(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** Fails with a usage error unless {@code min <= value <= max} (so always for NaN). */
    static void between(CommandSpec spec, String option, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** A TCP port for a server on this machine: 1 to 65535, or 0 for any free port. */
    static final class Port implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int port;
            try {
                port = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a port number");
            }
            if (port < 0 || port > 65535) {
                throw new CommandLine.TypeConversionException("a port is 1 to 65535 (or 0 for any free port), got " + port);
            }
            return port;
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
