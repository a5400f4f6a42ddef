package dev.tsproc.exec.process;

import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QueryResult;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.SharedSegments;
import dev.tsproc.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker in this JVM, over pipes: what it accepts and what it refuses. The refusals are the
 * security boundary of RELIABILITY row 36: only its own stores, only rows inside them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerTest {
    @TempDir
    Path dir;

    Path allowed;
    double[] values;
    FrameWriter toWorker;
    FrameReader fromWorker;
    Pipe.SinkChannel stdin;
    CompletableFuture<Integer> exit;

    @BeforeEach
    void startWorker() throws IOException {
        values = TestStores.awkwardValues(5, 10_000, false);
        allowed = TestStores.write(dir.resolve("allowed.tsp"), values);
        Pipe in = Pipe.open();
        Pipe out = Pipe.open();
        stdin = in.sink();
        toWorker = new FrameWriter(Channels.newOutputStream(in.sink()));
        fromWorker = new FrameReader(Channels.newInputStream(out.source()));
        Worker worker = new Worker(Channels.newInputStream(in.source()), Channels.newOutputStream(out.sink()), pid -> {});
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return worker.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                try {
                    out.sink().close();
                } catch (IOException ignored) {
                    // test teardown
                }
            }
        });
        toWorker.write(new Message.Hello("worker-t", ProcessHandle.current().pid(), List.of(allowed.toString())));
        assertThat(fromWorker.read()).isInstanceOf(Message.Ready.class);
    }

    @AfterEach
    void endWorker() throws Exception {
        stdin.close();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isIn(0, 2);
    }

    /** Sends {@code m} and reads the worker's answer (the reply to a batch may follow its progress messages). */
    private Message send(Message m) throws IOException {
        toWorker.write(m);
        return m instanceof Message.RunBatch run ? batchReply(run.batch().index()) : fromWorker.read();
    }

    /**
     * The worker's reply to batch {@code batchIndex}, after the progress messages the protocol
     * lets a worker send while a batch runs — COMPUTING once as it begins, HEARTBEAT every
     * {@link Worker#HEARTBEAT_PERIOD} — so a slow run may put them before the reply, but never
     * for another batch.
     */
    private Message batchReply(long batchIndex) throws IOException {
        while (true) {
            Message m = fromWorker.read();
            if (m instanceof Message.Heartbeat beat) {
                assertThat(beat.batchIndex()).as("heartbeat during batch %d", batchIndex).isEqualTo(batchIndex);
            } else if (m instanceof Message.Computing computing) {
                assertThat(computing.batchIndex()).as("computing during batch %d", batchIndex).isEqualTo(batchIndex);
            } else {
                return m;
            }
        }
    }

    private void assertRefusedAndEnded(Message reply, String... fragments) throws Exception {
        assertThat(reply).isInstanceOf(Message.Error.class);
        assertThat(((Message.Error) reply).errorMessage()).contains(fragments);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void saysWhenItBeginsComputingABatchBeforeItsResult() throws Exception {
        send(new Message.OpenJob(allowed.toString(), JobRequest.builtin("sum")));
        toWorker.write(new Message.RunBatch(new Batch(7, 0, 1_000), false));
        List<Message> before = new java.util.ArrayList<>();
        Message m;
        while (!((m = fromWorker.read()) instanceof Message.BatchDone)) {
            before.add(m);
        }
        Message.BatchDone done = (Message.BatchDone) m;
        assertThat(before).filteredOn(Message.Computing.class::isInstance).singleElement()
                .isEqualTo(new Message.Computing(7, done.computeStartNanos()));
        assertThat(before).allSatisfy(b -> assertThat(b).isInstanceOfAny(Message.Computing.class, Message.Heartbeat.class));
    }

    @Test
    void runsBatchesOfAnAllowedStoreInSharedAndCopyMode() throws Exception {
        assertThat(send(new Message.OpenJob(allowed.toString(), JobRequest.builtin("stats"))))
                .isEqualTo(new Message.JobOpened(identityOf(allowed)));
        Message.BatchDone shared = (Message.BatchDone) send(new Message.RunBatch(new Batch(0, 100, 5_000), false));
        toWorker.write(new Message.RunBatch(new Batch(1, 100, 5_000), true));
        try (var store = dev.tsproc.store.Store.open(allowed)) {
            var view = store.view(new Batch(1, 100, 5_000));
            toWorker.writeColumn(1, 1, view.ts());
            toWorker.writeColumn(1, 2, view.values());
        }
        Message.BatchDone copied = (Message.BatchDone) batchReply(1);
        assertThat(shared.batch().rowOffset()).isEqualTo(100);
        assertThat(copied.batch().index()).isEqualTo(1);
        assertThat(copied.partial()).isEqualTo(shared.partial());
        QueryJob stats = BuiltinJob.named("stats");
        QueryResult s = stats.finish(stats.readPartial(new DataInputStream(new ByteArrayInputStream(bytes(copied)))));
        assertThat((long) (s.get(Aggregate.COUNT) + s.get(Aggregate.MISSING))).isEqualTo(5_000);
        assertThat(send(new Message.CloseJob())).isInstanceOf(Message.JobClosed.class);
    }

    private static byte[] bytes(Message.BatchDone d) {
        byte[] b = new byte[d.partial().remaining()];
        d.partial().duplicate().get(b);
        return b;
    }

    @Test
    void refusesAStoreOutsideRunDirectoriesAndNotAllowed() throws Exception {
        Path other = TestStores.write(dir.resolve("other.tsp"), values);
        Message reply = send(new Message.OpenJob(other.toString(), JobRequest.builtin("sum")));
        assertThat(reply).isInstanceOf(Message.Error.class);
        assertThat(((Message.Error) reply).errorMessage()).contains("other.tsp").contains("refused");
        // The worker is still usable: a refused job is not a broken channel.
        assertThat(send(new Message.Ping(1))).isInstanceOf(Message.Pong.class);
    }

    @Test
    void refusesASymlinkInARunDirectoryPointingOutside() throws Exception {
        try (SharedSegments run = SharedSegments.create()) {
            Path link = run.newStorePath();
            Files.createSymbolicLink(link, TestStores.write(dir.resolve("outside.tsp"), values));
            Message reply = send(new Message.OpenJob(link.toString(), JobRequest.builtin("sum")));
            assertThat(reply).isInstanceOf(Message.Error.class);
            assertThat(((Message.Error) reply).errorMessage()).contains("refused");
        }
    }

    @Test
    void acceptsAStoreInARunDirectory() throws Exception {
        try (SharedSegments run = SharedSegments.create()) {
            Path store = TestStores.write(run.newStorePath(), values);
            assertThat(send(new Message.OpenJob(store.toString(), JobRequest.builtin("sum"))))
                    .isEqualTo(new Message.JobOpened(identityOf(store)));
            assertThat(send(new Message.CloseJob())).isInstanceOf(Message.JobClosed.class);
        }
    }

    @Test
    void refusesRowsOutsideTheStore() throws Exception {
        send(new Message.OpenJob(allowed.toString(), JobRequest.builtin("sum")));
        assertRefusedAndEnded(send(new Message.RunBatch(new Batch(0, values.length - 10, 11), false)),
                "rowOffset=" + (values.length - 10), "rowCount=11", "outside the store's " + values.length + " rows");
    }

    @Test
    void refusesRowsBeyondLongRange() throws Exception {
        send(new Message.OpenJob(allowed.toString(), JobRequest.builtin("sum")));
        assertRefusedAndEnded(send(new Message.RunBatch(new Batch(0, Long.MAX_VALUE, Long.MAX_VALUE), false)), "outside the store");
    }

    @Test
    void refusesAChunkOfTheWrongColumnOrOffset() throws Exception {
        send(new Message.OpenJob(allowed.toString(), JobRequest.builtin("sum")));
        toWorker.write(new Message.RunBatch(new Batch(0, 0, 10), true));
        toWorker.writeColumn(0, 2, MemorySegment.ofArray(new byte[80])); // values before ts
        assertRefusedAndEnded(batchReply(0), "columnId=2", "is not the next piece of batch 0 column 1");
    }

    @Test
    void refusesMoreColumnBytesThanTheBatchHas() throws Exception {
        send(new Message.OpenJob(allowed.toString(), JobRequest.builtin("sum")));
        toWorker.write(new Message.RunBatch(new Batch(0, 0, 10), true));
        toWorker.writeColumn(0, 1, MemorySegment.ofArray(new byte[88]));
        assertRefusedAndEnded(batchReply(0), "length=88", "of 80");
    }

    @Test
    void refusesBatchesBeforeAJobIsOpen() throws Exception {
        assertRefusedAndEnded(send(new Message.RunBatch(new Batch(0, 0, 1), false)), "RUN_BATCH came before OPEN_JOB");
    }

    @Test
    void refusesMessagesOnlyAWorkerSends() throws Exception {
        assertRefusedAndEnded(send(new Message.JobOpened(new dev.tsproc.store.Store.Identity(1, 2, 3, 4))), "JOB_OPENED is not a message a worker accepts");
    }

    @Test
    void refusesTheComputingMessageOnlyAWorkerSends() throws Exception {
        assertRefusedAndEnded(send(new Message.Computing(0, 1)), "COMPUTING is not a message a worker accepts");
    }

    @Test
    void refusesGarbageAndEnds() throws Exception {
        stdinRaw(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        assertRefusedAndEnded(fromWorker.read(), "magic=0x1020304");
    }

    @Test
    void endsAtEndOfStream() throws Exception {
        stdin.close();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    private static dev.tsproc.store.Store.Identity identityOf(Path store) throws IOException {
        try (dev.tsproc.store.Store open = dev.tsproc.store.Store.open(store)) {
            return open.identity();
        }
    }

    private void stdinRaw(byte[] bytes) throws IOException {
        stdin.write(java.nio.ByteBuffer.wrap(bytes));
    }
}
