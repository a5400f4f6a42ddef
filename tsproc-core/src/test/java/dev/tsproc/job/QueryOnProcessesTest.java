package dev.tsproc.job;

import dev.tsproc.Tsproc;
import dev.tsproc.exec.Executor;
import dev.tsproc.exec.ProcessExecutor;
import dev.tsproc.exec.RunOptions;
import dev.tsproc.exec.ThreadExecutor;
import dev.tsproc.exec.Transfer;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.ReferenceQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queries in real worker processes: the workers rebuild the query from its {@link JobRequest} over
 * the same store, and their partials cross a pipe; the answer is the same bits as on threads.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QueryOnProcessesTest {
    @TempDir
    static Path dir;

    static final List<QueryJobTest.Data> DATA = new ArrayList<>();
    static final List<Path> FILES = new ArrayList<>();
    static ProcessExecutor pool;

    @BeforeAll
    static void startPool() throws Exception {
        for (long seed = 11; FILES.size() < 4; seed++) {
            QueryJobTest.Data data = QueryJobTest.randomData(seed, 30_000);
            if (data.series() == null && FILES.size() > 1) {
                continue; // most datasets should have series to group and filter by
            }
            DATA.add(data);
            FILES.add(data.write(dir.resolve("q" + seed + ".tsp")));
        }
        pool = ProcessExecutor.start(2, ProcessExecutor.Config.defaults().withAllowedStores(FILES));
    }

    @AfterAll
    static void stopPool() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void everyQueryGivesTheSameBitsOnProcessesAsOnThreadsAndMatchesTheReference() throws Exception {
        try (ThreadExecutor threads = new ThreadExecutor(2)) {
            for (int d = 0; d < FILES.size(); d++) {
                QueryJobTest.Data data = DATA.get(d);
                try (Store store = Store.open(FILES.get(d))) {
                    for (long seed = 0; seed < 6; seed++) {
                        boolean exact = seed % 3 == 2;
                        QuerySpec spec = QueryJobTest.randomSpec(seed * 31 + d, data, exact);
                        QueryResult onThreads = run(store, spec, threads, Executor.Kind.THREADS, Transfer.SHARED);
                        for (Transfer transfer : Transfer.values()) {
                            QueryResult onProcesses = run(store, spec, pool, Executor.Kind.PROCESSES, transfer);
                            assertThat(QueryJobTest.bits(onProcesses)).as("%s on processes, %s", spec, transfer)
                                    .isEqualTo(QueryJobTest.bits(onThreads));
                        }
                        QueryJobTest.assertMatches(onThreads,
                                ReferenceQuery.run(spec, data.ts(), data.values(), data.series(), data.dictionary()), exact);
                    }
                }
            }
        }
    }

    private static QueryResult run(Store store, QuerySpec spec, Executor executor, Executor.Kind kind, Transfer transfer)
            throws Exception {
        RunOptions options = RunOptions.defaults().withWorkers(2).withBatchRows(4_321).withExecutor(kind).withTransfer(transfer);
        return (QueryResult) Tsproc.of(store).run(JobRequest.query(spec), options, executor).result();
    }

    @Test
    void theFluentApiRunsAQueryOnWorkerProcessesOfItsOwn() throws Exception {
        Path file = FILES.stream().filter(f -> DATA.get(FILES.indexOf(f)).series() != null).findFirst().orElseThrow();
        try (Tsproc ts = Tsproc.open(file)) {
            String name = ts.store().dictionary().name(0);
            QueryResult onThreads = ts.query().agg("stats,first,last,p50,p99").bySeries().every(Duration.ofSeconds(1))
                    .series(name).workers(2).batchRows(1_000).run();
            QueryResult onProcesses = ts.query().agg("stats,first,last,p50,p99").bySeries().every(Duration.ofSeconds(1))
                    .series(name).workers(2).batchRows(1_000).executor(Executor.Kind.PROCESSES).run();
            assertThat(onProcesses.rows()).isNotEmpty().allMatch(r -> r.series().equals(name));
            assertThat(QueryJobTest.bits(onProcesses)).isEqualTo(QueryJobTest.bits(onThreads));
        }
    }
}
