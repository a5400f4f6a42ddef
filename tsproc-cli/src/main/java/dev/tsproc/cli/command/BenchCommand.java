package dev.tsproc.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code tsproc bench}: reproducible measurements; each experiment is a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure tsproc: each subcommand reproduces one experiment and prints its table.",
        subcommands = {BenchTalkCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
