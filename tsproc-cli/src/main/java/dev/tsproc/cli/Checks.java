package dev.tsproc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Range checks on option values that picocli's types cannot express. */
final class Checks {
    private Checks() {}

    /** Fails with a usage error unless {@code value >= min}. */
    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be at least " + min + ", got " + value);
        }
    }
}
