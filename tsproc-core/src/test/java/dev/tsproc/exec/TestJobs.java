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
        protected CountingJob() {}

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
        public PeekPastEnd() {}

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

    /**
     * Counts rows, and injects faults on chosen batches. Parameters (all optional), each a
     * comma-separated list of batch indexes:
     * <ul>
     * <li>{@code throw}: throws {@code IllegalStateException("injected failure in batch N")};
     * <li>{@code hang}: sleeps (responds to interruption); {@code spin}: busy-waits ignoring
     *     interrupts, for {@code spinMillis} (default 1 hour);
     * <li>{@code exit}: {@code System.exit(3)}; {@code halt}: {@code Runtime.halt(9)}; {@code stop}:
     *     SIGSTOP to its own JVM, which stops every thread, heartbeats too — worker JVMs only;
     * <li>{@code oom}: allocates without bound until {@code OutOfMemoryError} (worker JVMs with a
     *     small heap); {@code oomThrow}: throws {@code OutOfMemoryError} without allocating;
     * </ul>
     * and {@code millis}: sleep per batch before counting (default 0). {@code open} and
     * {@code encode} take an action instead of batches — {@code throw}, {@code exit} or
     * {@code halt} — done when a worker JVM creates the job (never in the coordinator, which
     * creates it too) or encodes any partial: the protocol phases around the batch. With {@code once} naming a
     * directory, each fault happens only on the first attempt at its batch (a marker file per
     * batch remembers it across worker JVMs), so a retried batch succeeds. With {@code marks}
     * naming a directory, every batch makes a file {@code ran-N} there as it starts, so a test
     * can tell which batches really ran. With
     * {@code checksum=true} the partial is not the row count but a sum of a hash of every row's
     * index and value bits, so that a batch lost, run twice or read at the wrong rows shows.
     */
    public static final class Faulty extends CountingJob {
        private final Map<String, java.util.Set<Long>> faults = new java.util.HashMap<>();
        private final long millis;
        private final long spinMillis;
        private final java.nio.file.Path once;
        private final java.nio.file.Path marks;
        private final boolean checksum;
        private final String encodeFault;

        public Faulty(Map<String, String> parameters) {
            for (String kind : java.util.List.of("throw", "hang", "spin", "exit", "halt", "stop", "oom", "oomThrow")) {
                java.util.Set<Long> at = new java.util.HashSet<>();
                String list = parameters.getOrDefault(kind, "");
                for (String i : list.split(",")) {
                    if (!i.isBlank()) {
                        at.add(Long.parseLong(i.strip()));
                    }
                }
                faults.put(kind, at);
            }
            this.millis = Long.parseLong(parameters.getOrDefault("millis", "0"));
            this.spinMillis = Long.parseLong(parameters.getOrDefault("spinMillis", "3600000"));
            this.once = parameters.containsKey("once") ? java.nio.file.Path.of(parameters.get("once")) : null;
            this.marks = parameters.containsKey("marks") ? java.nio.file.Path.of(parameters.get("marks")) : null;
            this.checksum = Boolean.parseBoolean(parameters.getOrDefault("checksum", "false"));
            this.encodeFault = parameters.get("encode");
            String openFault = parameters.get("open");
            if (openFault != null && StackWalker.getInstance().walk(frames -> frames.anyMatch(
                    f -> f.getClassName().equals("dev.tsproc.exec.process.Worker")))) {
                act(openFault, "opening the job");
            }
        }

        /** Throws, exits or halts, as {@code action} says. */
        private static void act(String action, String phase) {
            switch (action) {
                case "throw" -> throw new IllegalStateException("injected failure while " + phase);
                case "exit" -> System.exit(3);
                case "halt" -> Runtime.getRuntime().halt(9);
                default -> throw new IllegalArgumentException("unknown fault action " + action);
            }
        }

        @Override public void writePartial(long[] partial, DataOutput out) throws IOException {
            if (encodeFault != null) {
                act(encodeFault, "encoding a partial");
            }
            super.writePartial(partial, out);
        }

        /** A hash of every row (index and value bits), summed: the same however the rows are batched. */
        public static long checksum(long rowOffset, double[] values) {
            long sum = 0;
            for (int i = 0; i < values.length; i++) {
                sum += mix(rowOffset + i, values[i]);
            }
            return sum;
        }

        private static long mix(long row, double value) {
            long h = row * 0x9E3779B97F4A7C15L ^ Double.doubleToRawLongBits(value);
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            return h ^ (h >>> 29);
        }

        /** The parameters for faults of {@code kind} on {@code batches}. */
        public static String at(long... batches) {
            return java.util.Arrays.stream(batches).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(","));
        }

        @Override public String name() { return "faulty"; }

        private boolean fault(String kind, long batch) {
            if (!faults.get(kind).contains(batch)) {
                return false;
            }
            if (once == null) {
                return true;
            }
            try {
                java.nio.file.Files.createFile(once.resolve("batch-" + batch));
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override public long[] map(BatchView batch) {
            long i = batch.batchIndex();
            if (marks != null) {
                try {
                    java.nio.file.Files.createFile(marks.resolve("ran-" + i));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // a retried batch
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (millis > 0) {
                sleep(millis);
            }
            if (fault("throw", i)) {
                throw new IllegalStateException("injected failure in batch " + i);
            }
            if (fault("hang", i)) {
                sleep(3_600_000);
            }
            if (fault("spin", i)) {
                long end = System.nanoTime() + spinMillis * 1_000_000;
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
            }
            if (fault("exit", i)) {
                System.exit(3);
            }
            if (fault("halt", i)) {
                Runtime.getRuntime().halt(9);
            }
            if (fault("stop", i)) {
                try {
                    new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException("could not stop this JVM", e);
                }
            }
            if (fault("oomThrow", i)) {
                throw new OutOfMemoryError("injected: no memory for batch " + i);
            }
            if (fault("oom", i)) {
                java.util.List<long[]> hoard = new java.util.ArrayList<>();
                while (true) {
                    hoard.add(new long[1 << 20]);
                }
            }
            if (checksum) {
                long sum = 0;
                for (long r = 0; r < batch.rowCount(); r++) {
                    sum += mix(batch.rowOffset() + r, batch.value(r));
                }
                return new long[] {sum};
            }
            return new long[] {batch.rowCount()};
        }

        @Override public long[] readPartial(DataInput in) throws IOException {
            return new long[] {in.readLong()}; // a checksum may be negative
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                throw new java.util.concurrent.CancellationException("cancelled");
            }
        }
    }
}
