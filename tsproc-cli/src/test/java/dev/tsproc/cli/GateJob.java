package dev.tsproc.cli;

import dev.tsproc.data.BatchView;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * A row count whose batch {@code batch} blocks until the file {@code gate} exists: a batch that
 * hangs for exactly as long as a test wants, in a worker thread or a worker JVM alike. As it
 * begins to wait it makes the file {@code <gate>.reached}, so a test knows the batch is under way. Public, so
 * the CLI (and its worker JVMs) can load it by name.
 */
public final class GateJob implements Job<long[], Long>, PartialCodec<long[]> {
    private final long gated;
    private final Path gate;

    public GateJob(Map<String, String> parameters) {
        gated = Long.parseLong(parameters.get("batch"));
        gate = Path.of(parameters.get("gate"));
    }

    @Override public String name() { return "gate"; }
    @Override public long[] empty() { return new long[1]; }
    @Override public long[] combine(long[] earlier, long[] later) { earlier[0] += later[0]; return earlier; }
    @Override public Long finish(long[] partial) { return partial[0]; }
    @Override public void writePartial(long[] partial, DataOutput out) throws IOException { out.writeLong(partial[0]); }
    @Override public long[] readPartial(DataInput in) throws IOException { return new long[] {in.readLong()}; }

    @Override
    public long[] map(BatchView batch) {
        if (batch.batchIndex() == gated) {
            try {
                Files.createFile(gate.resolveSibling(gate.getFileName() + ".reached"));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // a retried batch
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            while (!Files.exists(gate)) {
                try {
                    Thread.sleep(5); // a file is the one latch a worker JVM and the test share
                } catch (InterruptedException e) {
                    throw new CancellationException("cancelled");
                }
            }
        }
        return new long[] {batch.rowCount()};
    }
}
