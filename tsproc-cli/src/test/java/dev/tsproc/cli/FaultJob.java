package dev.tsproc.cli;

import dev.tsproc.data.BatchView;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;

/**
 * A row count that fails ({@code fail}) or hangs ({@code hang}) on the listed batches and
 * sleeps {@code millis} per batch; with {@code read=true} it counts the present values instead,
 * reading every value; with {@code marks} naming a directory, each batch makes a file
 * {@code batch-N} there as it starts, so a test can wait until batches are under way; with
 * {@code deaf=true} its sleeps ignore interrupts, as a job that never checks for cancellation
 * would. Public, so
 * the CLI (and its worker JVMs) can load it by name.
 */
public final class FaultJob implements Job<long[], Long>, PartialCodec<long[]> {
    private final Set<Long> fail;
    private final Set<Long> hang;
    private final long millis;
    private final boolean read;
    private final Path marks;
    private final boolean deaf;

    public FaultJob(Map<String, String> parameters) {
        fail = batches(parameters.getOrDefault("fail", ""));
        hang = batches(parameters.getOrDefault("hang", ""));
        millis = Long.parseLong(parameters.getOrDefault("millis", "0"));
        read = Boolean.parseBoolean(parameters.getOrDefault("read", "false"));
        marks = parameters.containsKey("marks") ? Path.of(parameters.get("marks")) : null;
        deaf = Boolean.parseBoolean(parameters.getOrDefault("deaf", "false"));
    }

    private static Set<Long> batches(String list) {
        return Arrays.stream(list.split("[,;]")).filter(s -> !s.isBlank()).map(Long::valueOf).collect(Collectors.toSet());
    }

    @Override public String name() { return "fault"; }
    @Override public long[] empty() { return new long[1]; }
    @Override public long[] combine(long[] earlier, long[] later) { earlier[0] += later[0]; return earlier; }
    @Override public Long finish(long[] partial) { return partial[0]; }
    @Override public void writePartial(long[] partial, DataOutput out) throws IOException { out.writeLong(partial[0]); }
    @Override public long[] readPartial(DataInput in) throws IOException { return new long[] {in.readLong()}; }

    @Override
    public long[] map(BatchView batch) {
        long i = batch.batchIndex();
        if (marks != null) {
            try {
                Files.createFile(marks.resolve("batch-" + i));
            } catch (FileAlreadyExistsException e) {
                // a retried batch
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        sleep(hang.contains(i) ? 3_600_000 : millis);
        if (fail.contains(i)) {
            throw new IllegalStateException("injected failure in batch " + i);
        }
        if (!read) {
            return new long[] {batch.rowCount()};
        }
        long present = 0;
        for (long r = 0; r < batch.rowCount(); r++) {
            present += Double.isNaN(batch.value(r)) ? 0 : 1;
        }
        return new long[] {present};
    }

    private void sleep(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                if (!deaf) {
                    throw new CancellationException("cancelled");
                }
            }
        }
    }
}
