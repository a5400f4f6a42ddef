package dev.tsproc.exec;

import dev.tsproc.data.BatchView;
import dev.tsproc.job.Job;
import dev.tsproc.job.PartialCodec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;

/** Jobs for executor tests; public with public constructors, so worker JVMs can create them by name. */
public final class TestJobs {
    private TestJobs() {}

    /** Base for jobs whose partial is a count. */
    public abstract static class CountingJob implements Job<long[], Long>, PartialCodec<long[]> {
        @Override public long[] empty() { return new long[1]; }
        @Override public long[] combine(long[] earlier, long[] later) { earlier[0] += later[0]; return earlier; }
        @Override public Long finish(long[] partial) { return partial[0]; }
        @Override public void writePartial(long[] partial, DataOutput out) throws IOException { out.writeLong(partial[0]); }
        @Override public long[] readPartial(DataInput in) throws IOException {
            long n = in.readLong();
            if (n < 0) {
                throw new IOException("count=" + n + " is negative");
            }
            return new long[] {n};
        }
    }

    /** Reads one row past the end of its batch: must fail, whatever the executor. */
    public static final class PeekPastEnd extends CountingJob {
        @Override public String name() { return "peek-past-end"; }
        @Override public long[] map(BatchView batch) {
            double beyond = batch.value(batch.rowCount());
            return new long[] {Double.isNaN(beyond) ? 0 : 1};
        }
    }

    /** Counts values above a threshold given as parameter {@code threshold}. */
    public static final class Above extends CountingJob {
        private final double threshold;

        public Above(Map<String, String> parameters) {
            String t = parameters.get("threshold");
            if (t == null || parameters.size() != 1) {
                throw new IllegalArgumentException("takes exactly one parameter, threshold");
            }
            this.threshold = Double.parseDouble(t);
        }

        @Override public String name() { return "above"; }
        @Override public long[] map(BatchView batch) {
            long n = 0;
            for (long i = 0; i < batch.rowCount(); i++) {
                n += batch.value(i) > threshold ? 1 : 0;
            }
            return new long[] {n};
        }
    }

    /** Fails on the batch with index {@code failAt}; prints {@code stderrBytes} to stdout (which a worker points at stderr) first. */
    public static final class Noisy extends CountingJob {
        private final long failAt;
        private final int stderrBytes;

        public Noisy(Map<String, String> parameters) {
            this.failAt = Long.parseLong(parameters.getOrDefault("failAt", "-1"));
            this.stderrBytes = Integer.parseInt(parameters.getOrDefault("stdoutBytes", "0"));
        }

        @Override public String name() { return "noisy"; }
        @Override public long[] map(BatchView batch) {
            if (stderrBytes > 0) {
                String line = "x".repeat(99) + "\n";
                for (int i = 0; i < stderrBytes / 100; i++) {
                    System.out.print(line);
                }
                System.out.flush();
            }
            if (batch.batchIndex() == failAt) {
                throw new ArithmeticException("batch " + failAt + " is unlucky");
            }
            return new long[] {batch.rowCount()};
        }
    }

    /** Sleeps {@code millis} per batch (checking for cancellation), then counts rows; {@code exitAt} makes the worker JVM exit. */
    public static final class Sleepy extends CountingJob {
        private final long millis;
        private final long exitAt;

        public Sleepy(Map<String, String> parameters) {
            this.millis = Long.parseLong(parameters.getOrDefault("millis", "100"));
            this.exitAt = Long.parseLong(parameters.getOrDefault("exitAt", "-1"));
        }

        @Override public String name() { return "sleepy"; }
        @Override public long[] map(BatchView batch) {
            if (batch.batchIndex() == exitAt) {
                Runtime.getRuntime().halt(42);
            }
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                throw new java.util.concurrent.CancellationException("cancelled");
            }
            return new long[] {batch.rowCount()};
        }
    }
}
