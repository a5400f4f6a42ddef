package dev.tsproc.exec.process;

import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The coordinator's side of the channel trusts no answer (RELIABILITY rows 7 and 37): a result
 * for another batch, a duplicated, bit-flipped, truncated or oversized one, or a worker that
 * exits mid-batch each end in one clear error — never a hang, never a wrong partial — and the
 * worker is gone afterwards.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerProcessTest {
    static WorkerProcess misbehaving(String how) throws Exception {
        WorkerCommand command = new WorkerCommand(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), MisbehavingWorker.class.getName(), how));
        WorkerProcess w = WorkerProcess.start("worker-x", command, List.of(), line -> {});
        w.awaitReady(Duration.ofSeconds(20));
        w.openJob(Path.of("/nowhere.tsp"), JobRequest.builtin("count"));
        return w;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "wrong-index | answered batch 4 (rows 4000..4999) with the result of batch 5 (rows 4000..4999)",
            "wrong-rows  | answered batch 4 (rows 4000..4999) with the result of batch 4 (rows 4000..4998)",
            "oversized   | sent a malformed message: payloadLength=2147483647 exceeds the limit",
            "bit-flip    | sent a malformed message: BATCH_DONE payloadCrc32c",
            "truncated   | broke its channel",
            "silent-exit | closed its channel; it exited with status 7",
            "computing-another | said it began computing batch 5 while running batch 4"})
    void aWrongAnswerIsOneClearErrorAndTheWorkerIsGone(String how, String message) throws Exception {
        try (WorkerProcess w = misbehaving(how)) {
            assertThatThrownBy(() -> w.runBatch(new Batch(4, 4_000, 1_000), null))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("worker-x").hasMessageContaining(message);
            java.util.Optional<ProcessHandle> handle = ProcessHandle.of(w.pid());
            if (handle.isPresent()) {
                handle.get().onExit().get(5, TimeUnit.SECONDS);
            }
            assertThat(w.isAlive()).isFalse();
            assertThatThrownBy(() -> w.runBatch(new Batch(5, 5_000, 1_000), null)).as("later requests fail the same way")
                    .hasMessageContaining(message);
        }
    }

    @Test
    void aDuplicatedResultIsRejectedWhenTheNextBatchExpectsItsOwn() throws Exception {
        try (WorkerProcess w = misbehaving("duplicate")) {
            assertThat(w.runBatch(new Batch(0, 0, 1_000), null).partial().remaining()).isEqualTo(8);
            assertThatThrownBy(() -> w.runBatch(new Batch(1, 1_000, 1_000), null))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("answered batch 1 (rows 1000..1999) with the result of batch 0 (rows 0..999)");
        }
    }
}
