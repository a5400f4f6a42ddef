package dev.tsproc.exec;

import dev.tsproc.Tsproc;
import dev.tsproc.store.Store;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoordinatorTest {
    @TempDir
    Path dir;

    /**
     * A batch that fails at once can cancel the group before the other workers' threads have
     * started; the run must still end (it used to wait forever for those workers).
     */
    @RepeatedTest(20)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFailureBeforeOtherWorkersStartStillEndsTheRun() throws Exception {
        try (Store store = Store.open(TestStores.write(dir.resolve("s.tsp"), new double[1000]))) {
            RunOptions options = RunOptions.defaults().withWorkers(8).withBatchRows(10);
            assertThatThrownBy(() -> Tsproc.of(store).run(new TestJobs.PeekPastEnd(), options))
                    .isInstanceOf(JobFailedException.class);
        }
    }
}
