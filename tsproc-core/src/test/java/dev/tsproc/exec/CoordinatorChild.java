package dev.tsproc.exec;

import dev.tsproc.Tsproc;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.store.Store;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A coordinator in a process of its own, for {@link ProcessLifecycleTest} to SIGKILL: makes a
 * run directory under ROOT with a store in it, starts two worker JVMs, prints
 * {@code READY <run dir> <worker pid> <worker pid>}, and runs a job whose first two batches
 * hang, each making a marker file in ONCE (the second argument) as it starts.
 */
public final class CoordinatorChild {
    private CoordinatorChild() {}

    public static void main(String[] args) throws Exception {
        SharedSegments run = SharedSegments.create(Path.of(args[0]));
        Path path = run.newStorePath();
        Generator.generate(GeneratorSpec.talk(100_000), path, 1);
        ProcessExecutor pool = ProcessExecutor.start(2, ProcessExecutor.Config.defaults()
                .withAllowedStores(List.of(path)).withWorkerLog(line -> {}));
        System.out.println("READY " + run.directory() + " "
                + pool.processes().stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(" ")));
        System.out.flush();
        JobRequest spec = JobRequest.custom(TestJobs.Faulty.class.getName(), Map.of("hang", "0,1", "once", args[1]), List.of());
        try (Store store = Store.open(path)) {
            Tsproc.of(store).run(spec, RunOptions.defaults().withWorkers(2).withBatchRows(1_000), pool);
        }
    }
}
