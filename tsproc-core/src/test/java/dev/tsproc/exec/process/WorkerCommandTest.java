package dev.tsproc.exec.process;

import org.junit.jupiter.api.Test;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

class WorkerCommandTest {
    @Test
    void aWorkerSharesTheCoordinatorsModuleFlagsAndAheadOfTimeCacheButNotItsHeapOrCollector() {
        List<String> coordinator = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmx8g",
                "-XX:AOTCache=/opt/tsproc/tsproc.aot", "--add-modules", "jdk.incubator.vector", "-ea");

        assertThat(WorkerCommand.inheritedFlags(coordinator)).containsExactly("--enable-native-access=ALL-UNNAMED",
                "-XX:AOTCache=/opt/tsproc/tsproc.aot", "--add-modules", "jdk.incubator.vector", "-ea");
    }

    @Test
    void aTrainingRunsCacheOutputIsNotInherited() {
        // Workers of a training run must not each write the cache the coordinator is recording.
        assertThat(WorkerCommand.inheritedFlags(List.of("-XX:AOTCacheOutput=/tmp/x.aot", "-XX:AOTMode=record")))
                .isEmpty();
    }
}
