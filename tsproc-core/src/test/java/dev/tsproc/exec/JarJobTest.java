package dev.tsproc.exec;

import dev.tsproc.Tsproc;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.JobJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A user's job class from a jar on no class path runs in threads and worker JVMs alike. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JarJobTest {
    @TempDir
    Path dir;

    @Test
    void aJobFromAJarGivesTheSameAnswerOnEveryExecutorAndTransfer() throws Exception {
        Path jar = JobJars.compile(dir, "example.AboveJob", JobJars.ABOVE_JOB, dir.resolve("my-jobs.jar"));
        Path file = dir.resolve("talk.tsp");
        Generator.generate(GeneratorSpec.talk(200_000), file, 2);
        JobRequest spec = JobRequest.custom("example.AboveJob", Map.of("threshold", "0.5"), List.of(jar));
        List<Object> answers = new ArrayList<>();
        try (Store store = Store.open(file)) {
            for (Executor.Kind kind : Executor.Kind.values()) {
                for (Transfer transfer : Transfer.values()) {
                    RunOptions options = RunOptions.defaults().withWorkers(2).withBatchRows(30_000)
                            .withExecutor(kind).withTransfer(transfer);
                    answers.add(Tsproc.of(store).run(spec, options).result());
                }
            }
        }
        assertThat(answers).hasSize(4).containsOnly(answers.getFirst());
        assertThat((Long) answers.getFirst()).isBetween(60_000L, 74_000L); // about a third of the rows are 1
    }
}
