package dev.tsproc.exec.process;

import dev.tsproc.observe.MemorySample;
import dev.tsproc.data.Batch;

import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A worker JVM that speaks the protocol until its first batch, then answers it wrongly in the
 * way its argument says — for {@link WorkerProcessTest}, which checks that the coordinator
 * side rejects each answer with a clear error instead of trusting it.
 */
public final class MisbehavingWorker {
    private MisbehavingWorker() {}

    public static void main(String[] args) throws IOException {
        FileOutputStream raw = new FileOutputStream(FileDescriptor.out);
        FrameWriter out = new FrameWriter(raw);
        FrameReader in = new FrameReader(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        for (Message m; (m = in.read()) != null; ) {
            switch (m) {
                case Message.Hello h -> out.write(new Message.Ready(ProcessHandle.current().pid(), System.nanoTime(),
                        new MemorySample(0, -1, -1)));
                case Message.Ping p -> out.write(new Message.Pong(p.id(), System.nanoTime()));
                case Message.OpenJob o -> out.write(new Message.JobOpened(new dev.tsproc.store.Store.Identity(1, 2, 3, 4)));
                case Message.RunBatch r -> {
                    Message.BatchDone done = new Message.BatchDone(r.batch(), 1, 2, 3,
                            new MemorySample(0, -1, -1), ByteBuffer.wrap(new byte[8]));
                    switch (args[0]) {
                        case "wrong-index" -> out.write(new Message.BatchDone(new Batch(r.batch().index() + 1, r.batch().rowOffset(), r.batch().rowCount()),
                                1, 2, 3, done.memory(), done.partial()));
                        case "wrong-rows" -> out.write(new Message.BatchDone(new Batch(r.batch().index(), r.batch().rowOffset(), r.batch().rowCount() - 1),
                                1, 2, 3, done.memory(), done.partial()));
                        case "duplicate" -> {
                            out.write(done);
                            out.write(done);
                        }
                        case "oversized" -> {
                            ByteBuffer header = ByteBuffer.allocate(Frame.HEADER_SIZE);
                            Frame.writeHeader(header, Message.BATCH_DONE, Integer.MAX_VALUE, 0);
                            raw.write(header.array());
                        }
                        case "bit-flip" -> {
                            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
                            new FrameWriter(frame).write(done);
                            byte[] bytes = frame.toByteArray();
                            bytes[bytes.length - 3] ^= 4;
                            raw.write(bytes);
                        }
                        case "truncated" -> {
                            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
                            new FrameWriter(frame).write(done);
                            raw.write(frame.toByteArray(), 0, frame.size() - 5);
                            raw.flush();
                            System.exit(0);
                        }
                        case "computing-another" -> out.write(new Message.Computing(r.batch().index() + 1, 0));
                        case "silent-exit" -> System.exit(7);
                        default -> throw new IllegalArgumentException(args[0]);
                    }
                    raw.flush();
                }
                default -> { }
            }
        }
    }
}
