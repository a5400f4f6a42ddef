package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tsproc clean}: removes shared-memory segments left behind by runs that died. */
@Command(name = "clean", mixinStandardHelpOptions = true,
        description = {"Remove shared-memory segments left by tsproc runs that died (killed, crashed).",
                "Segments of running jobs and of other users are never touched."})
final class CleanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--stores", description = "Also remove stores made by 'tsproc generate --shm'.")
    boolean stores;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> removed = SharedSegments.sweepStale();
        if (stores) {
            removed = new java.util.ArrayList<>(removed);
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
