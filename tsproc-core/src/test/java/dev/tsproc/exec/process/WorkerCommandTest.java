package dev.tsproc.exec.process;

import org.junit.jupiter.api.Test;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

class WorkerCommandTest {
    @Test
    void aWorkerSharesTheCoordinatorsModuleFlagsAheadOfTimeCacheKernelsAndJitButNotItsHeapOrCollector() {
        List<String> coordinator = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmx8g",
                "-XX:AOTCache=/opt/tsproc/tsproc.aot", "--add-modules", "jdk.incubator.vector", "-ea",
                "--add-exports", "java.base/jdk.internal.module=ALL-UNNAMED", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=CompileThresholdScaling,dev.tsproc.job.VectorBlockKernels::*,0.01",
                "-XX:TieredStopAtLevel=1", "-Dtsproc.kernels=scalar", "-Dother=1");

        assertThat(WorkerCommand.inheritedFlags(coordinator)).containsExactly("--enable-native-access=ALL-UNNAMED",
                "-XX:AOTCache=/opt/tsproc/tsproc.aot", "--add-modules", "jdk.incubator.vector", "-ea",
                "--add-exports", "java.base/jdk.internal.module=ALL-UNNAMED", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=CompileThresholdScaling,dev.tsproc.job.VectorBlockKernels::*,0.01",
                "-XX:TieredStopAtLevel=1", "-Dtsproc.kernels=scalar");
    }

    @Test
    void aTrainingRunsCacheOutputIsNotInherited() {
        // Workers of a training run must not each write the cache the coordinator is recording.
        assertThat(WorkerCommand.inheritedFlags(List.of("-XX:AOTCacheOutput=/tmp/x.aot", "-XX:AOTMode=record")))
                .isEmpty();
    }
}
