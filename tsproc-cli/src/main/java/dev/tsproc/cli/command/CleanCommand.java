package dev.tsproc.cli.command;

import dev.tsproc.store.AtomicFile;
import dev.tsproc.store.SharedSegments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tsproc clean}: removes what tsproc commands that died left behind: shared-memory
 * segments of runs, and half-written files in shared memory or in the directories named.
 */
@Command(name = "clean", mixinStandardHelpOptions = true,
        description = {"Remove what tsproc commands that died (killed, crashed) left behind.",
                "Shared-memory segments of runs, and files half-written in shared memory and in each DIR given.",
                "Segments and files of running commands and of other users are never touched."})
public final class CleanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--stores", description = "Also remove stores made by 'tsproc generate --shm' or 'import --shm' that no running job reads.")
    boolean stores;

    @Parameters(paramLabel = "DIR", arity = "0..*",
            description = "Also look here for files half-written by 'generate', 'import' or 'export --out' that were killed,"
                    + " and the scratch directories of imports of several files.")
    List<Path> directories = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> removed = new ArrayList<>(SharedSegments.sweepStale());
        removed.addAll(AtomicFile.sweepAbandoned(SharedSegments.root()));
        for (Path dir : directories) {
            removed.addAll(AtomicFile.sweepAbandoned(dir));
            removed.addAll(SharedSegments.sweepStale(dir)); // an import of several files keeps its scratch stores there
        }
        if (stores) {
            removed.addAll(SharedSegments.removeStandaloneStores());
        }
        for (Path p : removed) {
            out.println("removed " + p);
        }
        out.println(removed.isEmpty() ? "nothing to clean" : "removed " + removed.size() + " item(s)");
        out.flush();
        return ExitCodes.OK;
    }
}
