package dev.tsproc.cli.command;

import dev.tsproc.cli.output.Progress;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.store.SharedSegments;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code tsproc generate}: writes a synthetic store, by default the talk's workload. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate a synthetic time series store, reproducible from its seed.",
                "The default is the talk's workload: values from {0, 1, missing}, timestamps 1 ms apart."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    QuietOption quiet;

    @Option(names = "--rows", required = true, description = "Number of rows.")
    long rows;

    @Option(names = "--series", defaultValue = "0",
            description = "Number of series, drawn at random per row (0 or 1: no series column). Default: ${DEFAULT-VALUE}.")
    int series;

    @Option(names = "--missing", defaultValue = "" + GeneratorSpec.TALK_MISSING,
            description = "Fraction of missing values, 0..1. Default: ${DEFAULT-VALUE}.")
    double missing;

    @Option(names = "--distribution", defaultValue = "talk",
            description = "talk ({0, 1, missing}), walk (random walk per series) or gauss (standard normal). Default: ${DEFAULT-VALUE}.")
    String distribution;

    @Option(names = "--seed", defaultValue = "" + GeneratorSpec.TALK_SEED, description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", description = "Threads to generate with. Default: all cores.")
    Integer threads;

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--out", description = "Write the store to this file.")
        Path out;

        @Option(names = "--shm", description = "Write the store to shared memory (/dev/shm) and print its path.")
        boolean shm;
    }

    @Override
    public Integer call() throws Exception {
        Checks.atLeast(spec, "--rows", rows, 0);
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Checks.atLeast(spec, "--threads", threadCount, 1);
        Checks.between(spec, "--series", series, 0, SeriesDictionary.MAX_SERIES);
        Checks.between(spec, "--missing", missing, 0, 1);
        GeneratorSpec generatorSpec;
        try {
            generatorSpec = new GeneratorSpec(rows, series, missing, distribution(), seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return ShutdownGuard.run(spec.commandLine().getErr(), () -> generate(generatorSpec, threadCount));
    }

    private int generate(GeneratorSpec generatorSpec, int threadCount) throws Exception {
        Path path = target.shm ? SharedSegments.newStandaloneStorePath() : target.out;
        long start = System.nanoTime();
        try (Progress progress = new Progress("generate", rows, Progress.mode(quiet.quiet), spec.commandLine().getErr())) {
            Generator.generate(generatorSpec, path, threadCount, progress::advanceTo);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().println(path);
        quiet.summary(spec.commandLine().getErr()).printf(Locale.ROOT, "generated %,d rows in %.3f s%s%n", rows, seconds,
                target.shm ? "; remove the store with 'rm' or 'tsproc clean --stores' when done" : "");
        return ExitCodes.OK;
    }

    private Distribution distribution() {
        try {
            return Distribution.valueOf(distribution.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown distribution '" + distribution + "'; choose talk, walk or gauss");
        }
    }
}
