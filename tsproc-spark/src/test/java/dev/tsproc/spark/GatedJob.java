package dev.tsproc.spark;

import dev.tsproc.data.BatchView;
import dev.tsproc.exec.TestJobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Counts present values; at batch {@code at} it first writes its process id to file
 * {@code arrived} and waits until file {@code gate} exists, so a test can act on the JVM
 * computing that batch (kill it, or let the deadline pass) at a moment it controls.
 */
public final class GatedJob extends TestJobs.CountingJob {
    private final long at;
    private final Path arrived;
    private final Path gate;

    public GatedJob(Map<String, String> parameters) {
        this.at = Long.parseLong(parameters.get("at"));
        this.arrived = Path.of(parameters.get("arrived"));
        this.gate = Path.of(parameters.get("gate"));
    }

    @Override public String name() { return "gated"; }

    @Override
    public long[] map(BatchView batch) {
        if (batch.batchIndex() == at) {
            if (!Files.exists(arrived)) { // a retry finds it there
                try {
                    Path aside = arrived.resolveSibling(arrived.getFileName() + "." + ProcessHandle.current().pid());
                    Files.writeString(aside, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
                    Files.move(aside, arrived, StandardCopyOption.ATOMIC_MOVE); // whole, for the test that reads it
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            while (!Files.exists(gate)) {
                try {
                    Thread.sleep(10); // a file has no notification to wait on
                } catch (InterruptedException e) {
                    throw new CancellationException("cancelled at the gate");
                }
            }
        }
        long n = 0;
        for (long i = 0; i < batch.rowCount(); i++) {
            if (!Double.isNaN(batch.value(i))) {
                n++;
            }
        }
        return new long[] {n};
    }
}
