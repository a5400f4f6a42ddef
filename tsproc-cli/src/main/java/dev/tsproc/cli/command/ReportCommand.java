package dev.tsproc.cli.command;

import dev.tsproc.cli.report.HtmlReport;
import dev.tsproc.observe.Timeline;
import dev.tsproc.observe.TimelineJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tsproc report}: draws saved timelines on one time axis, e.g. copy against shared. Like
 * {@code import} and {@code export}, it refuses to overwrite a file unless told to
 * ({@code --force}).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Draw timelines saved with 'run --timeline' on one time axis in a self-contained HTML file.",
                "Example: tsproc report copy.json shared.json --out cmp.html"})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Parameters(arity = "1..*", paramLabel = "TIMELINE", description = "Timeline JSON files.")
    List<Path> timelines;

    @Option(names = "--out", paramLabel = "FILE",
            description = "The HTML file to write. Default: report.html beside the first timeline.")
    Path out;

    @Option(names = "--force", description = "Replace the output file if it exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Path target = out != null ? out : timelines.getFirst().toAbsolutePath().resolveSibling("report.html");
        List<Timeline> runs = new ArrayList<>();
        for (Path file : timelines) {
            try (Reader in = Files.newBufferedReader(file)) {
                runs.add(TimelineJson.read(in, file.toString()));
            }
        }
        Errors.requireOutput(target, force);
        HtmlReport.write(runs, HtmlReport.Result.NONE, target, force);
        spec.commandLine().getOut().println(target);
        return ExitCodes.OK;
    }
}
