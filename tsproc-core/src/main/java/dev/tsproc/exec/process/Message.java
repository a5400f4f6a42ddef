package dev.tsproc.exec.process;

import dev.tsproc.observe.MemorySample;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import dev.tsproc.store.Store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages between a coordinator and its worker processes, each a record of plain fields.
 *
 * <p>A conversation, coordinator (C) and worker (W):
 * <pre>
 *   C: HELLO(name, coordinator pid, stores allowed)      W: READY(pid, clock, memory)
 *   C: PING(id)                                          W: PONG(id, clock)
 *   C: OPEN_JOB(store path, job request)                 W: JOB_OPENED(store identity) | ERROR
 *   C: RUN_BATCH(batch: index, offset, rows; columns follow?)
 *     [C: COLUMN_CHUNK(index, column, byte offset, bytes) ... under --transfer copy]
 *                                                        W: COMPUTING(index, clock) as it begins
 *                                                        [W: HEARTBEAT(index) every 200 ms while computing]
 *                                                        W: BATCH_DONE(batch, times, memory, partial)
 *                                                         | BATCH_FAILED(error)
 *   C: CANCEL(index)                                     W: BATCH_CANCELLED(index) (or the result)
 *   C: CLOSE_JOB                                         W: JOB_CLOSED(peak memory)
 *   C: SHUTDOWN, or end of stream                        W: exits
 * </pre>
 *
 * <p>Every decoder checks its fields' ranges and sizes and that no byte is left over; strings
 * are length-prefixed UTF-8 with a cap per field. Times are the worker's
 * {@link System#nanoTime()}; the coordinator maps them onto its own clock with the offset it
 * measures by PING. Nothing here is Java serialization.
 */
sealed interface Message {
    int HELLO = 1, READY = 2, PING = 3, PONG = 4, OPEN_JOB = 5, JOB_OPENED = 6, RUN_BATCH = 7,
            COLUMN_CHUNK = 8, BATCH_DONE = 9, BATCH_FAILED = 10, CANCEL = 11, BATCH_CANCELLED = 12,
            CLOSE_JOB = 13, JOB_CLOSED = 14, ERROR = 15, SHUTDOWN = 16, HEARTBEAT = 17, COMPUTING = 18;

    /** Longest worker name, in UTF-8 bytes. */
    int MAX_NAME_BYTES = 256;
    /** Longest path, in UTF-8 bytes. */
    int MAX_PATH_BYTES = 4096;
    /** Most store paths a worker may be allowed at start-up. */
    int MAX_ALLOWED_STORES = 64;
    /** Longest error message a worker reports; longer ones are cut. */
    int MAX_ERROR_BYTES = 8192;
    /** Longest stack trace a worker reports; longer ones are cut. */
    int MAX_TRACE_BYTES = 16384;

    /** This message's type code. */
    int type();

    /** Writes the payload. */
    void write(Payload.Writer out);

    /** Whether {@code type} is a type code of this protocol version. */
    static boolean isKnownType(int type) {
        return type >= HELLO && type <= COMPUTING;
    }

    /** The name of a type code, for errors. */
    static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case READY -> "READY";
            case PING -> "PING";
            case PONG -> "PONG";
            case OPEN_JOB -> "OPEN_JOB";
            case JOB_OPENED -> "JOB_OPENED";
            case RUN_BATCH -> "RUN_BATCH";
            case COLUMN_CHUNK -> "COLUMN_CHUNK";
            case BATCH_DONE -> "BATCH_DONE";
            case BATCH_FAILED -> "BATCH_FAILED";
            case CANCEL -> "CANCEL";
            case BATCH_CANCELLED -> "BATCH_CANCELLED";
            case CLOSE_JOB -> "CLOSE_JOB";
            case JOB_CLOSED -> "JOB_CLOSED";
            case ERROR -> "ERROR";
            case SHUTDOWN -> "SHUTDOWN";
            case HEARTBEAT -> "HEARTBEAT";
            case COMPUTING -> "COMPUTING";
            default -> "type " + type;
        };
    }

    /**
     * Decodes a payload of message type {@code type}, validating every field.
     *
     * @throws ProtocolException naming the message, the field and its value
     */
    static Message decode(int type, ByteBuffer payload) throws ProtocolException {
        Payload.Reader in = new Payload.Reader(payload, typeName(type));
        Message m = switch (type) {
            case HELLO -> {
                String name = in.str("workerName", MAX_NAME_BYTES);
                long pid = in.i64("coordinatorPid", 1, Long.MAX_VALUE);
                int n = in.i32("allowedStores", 0, MAX_ALLOWED_STORES);
                List<String> stores = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    stores.add(in.str("allowedStore[" + i + "]", MAX_PATH_BYTES));
                }
                yield new Hello(name, pid, stores);
            }
            case READY -> new Ready(in.i64("pid", 1, Long.MAX_VALUE), in.i64("clockNanos"), readMemory(in));
            case PING -> new Ping(in.i64("id"));
            case PONG -> new Pong(in.i64("id"), in.i64("clockNanos"));
            case OPEN_JOB -> readOpenJob(in);
            case JOB_OPENED -> new JobOpened(new Store.Identity(in.i64("device"), in.i64("inode"),
                    in.i64("fileSize", 0, Long.MAX_VALUE), in.i32("headerCrc", Integer.MIN_VALUE, Integer.MAX_VALUE)));
            case RUN_BATCH -> new RunBatch(readBatch(in), in.bool("columnsFollow"));
            case COLUMN_CHUNK -> {
                ColumnChunk c = new ColumnChunk(in.i64("batchIndex", 0, Long.MAX_VALUE), in.u8("columnId"),
                        in.i64("byteOffset", 0, Long.MAX_VALUE), in.rest());
                if (!c.data().hasRemaining()) {
                    throw new ProtocolException("COLUMN_CHUNK carries no bytes");
                }
                yield c;
            }
            case BATCH_DONE -> {
                Batch batch = readBatch(in);
                long received = in.i64("receivedNanos");
                long started = in.i64("computeStartNanos");
                long finished = in.i64("computeEndNanos");
                if (started - received < 0 || finished - started < 0) {
                    throw new ProtocolException("BATCH_DONE times received=" + received + " computeStart=" + started
                            + " computeEnd=" + finished + " are out of order");
                }
                yield new BatchDone(batch, received, started, finished, readMemory(in), in.rest());
            }
            case BATCH_FAILED -> new BatchFailed(in.i64("batchIndex", 0, Long.MAX_VALUE),
                    in.str("errorClass", MAX_NAME_BYTES), in.str("errorMessage", MAX_ERROR_BYTES),
                    in.str("stackTrace", MAX_TRACE_BYTES));
            case CANCEL -> new Cancel(in.i64("batchIndex", 0, Long.MAX_VALUE));
            case BATCH_CANCELLED -> new BatchCancelled(in.i64("batchIndex", 0, Long.MAX_VALUE));
            case CLOSE_JOB -> new CloseJob();
            case JOB_CLOSED -> new JobClosed(in.i64("peakRssBytes", -1, Long.MAX_VALUE),
                    in.i64("peakPrivateBytes", -1, Long.MAX_VALUE));
            case ERROR -> new Error(in.str("errorMessage", MAX_ERROR_BYTES));
            case SHUTDOWN -> new Shutdown();
            case HEARTBEAT -> new Heartbeat(in.i64("batchIndex", 0, Long.MAX_VALUE));
            case COMPUTING -> new Computing(in.i64("batchIndex", 0, Long.MAX_VALUE), in.i64("clockNanos"));
            default -> throw new ProtocolException("type=" + type + " is not a known message type");
        };
        in.end();
        return m;
    }

    private static MemorySample readMemory(Payload.Reader in) throws ProtocolException {
        return new MemorySample(in.i64("heapUsedBytes", 0, Long.MAX_VALUE), in.i64("rssBytes", -1, Long.MAX_VALUE),
                in.i64("privateBytes", -1, Long.MAX_VALUE));
    }

    private static Batch readBatch(Payload.Reader in) throws ProtocolException {
        long index = in.i64("batchIndex", 0, Long.MAX_VALUE);
        long offset = in.i64("rowOffset", 0, Long.MAX_VALUE);
        long rows = in.i64("rowCount", 1, Long.MAX_VALUE);
        return new Batch(index, offset, rows);
    }

    private static void writeBatch(Payload.Writer out, Batch batch) {
        out.i64(batch.index()).i64(batch.rowOffset()).i64(batch.rowCount());
    }

    /** The request follows the store path as its own encoding ({@link JobRequest#encode()}), to the end of the payload. */
    private static OpenJob readOpenJob(Payload.Reader in) throws ProtocolException {
        String store = in.str("storePath", MAX_PATH_BYTES);
        try {
            return new OpenJob(store, JobRequest.decode(in.rest()));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("OPEN_JOB " + e.getMessage());
        }
    }

    private static void writeMemory(Payload.Writer out, MemorySample m) {
        out.i64(m.heapUsedBytes()).i64(m.rssBytes()).i64(m.privateBytes());
    }

    /** C→W, first message: who the worker is and which stores it may open besides run directories. */
    record Hello(String workerName, long coordinatorPid, List<String> allowedStores) implements Message {
        public Hello {
            allowedStores = List.copyOf(allowedStores);
        }

        public int type() {
            return HELLO;
        }

        public void write(Payload.Writer out) {
            out.str(workerName, MAX_NAME_BYTES).i64(coordinatorPid).i32(allowedStores.size());
            allowedStores.forEach(s -> out.str(s, MAX_PATH_BYTES));
        }
    }

    /** W→C: started. */
    record Ready(long pid, long clockNanos, MemorySample memory) implements Message {
        public int type() {
            return READY;
        }

        public void write(Payload.Writer out) {
            out.i64(pid).i64(clockNanos);
            writeMemory(out, memory);
        }
    }

    /** C→W: asks for the worker's clock (and, later, shows it is alive). */
    record Ping(long id) implements Message {
        public int type() {
            return PING;
        }

        public void write(Payload.Writer out) {
            out.i64(id);
        }
    }

    /** W→C: answer to {@link Ping}. */
    record Pong(long id, long clockNanos) implements Message {
        public int type() {
            return PONG;
        }

        public void write(Payload.Writer out) {
            out.i64(id).i64(clockNanos);
        }
    }

    /** C→W: open this store and create this job for the batches that follow. */
    record OpenJob(String storePath, JobRequest job) implements Message {
        public int type() {
            return OPEN_JOB;
        }

        public void write(Payload.Writer out) {
            out.str(storePath, MAX_PATH_BYTES).rest(job.encode());
        }
    }

    /** W→C: the store is open; which file it is, for the coordinator to compare with its own. */
    record JobOpened(Store.Identity store) implements Message {
        public int type() {
            return JOB_OPENED;
        }

        public void write(Payload.Writer out) {
            out.i64(store.device()).i64(store.inode()).i64(store.fileSize()).i32(store.headerCrc());
        }
    }

    /** C→W: run one batch; under copy transfer its column bytes follow as {@link ColumnChunk}s. */
    record RunBatch(Batch batch, boolean columnsFollow) implements Message {
        public int type() {
            return RUN_BATCH;
        }

        public void write(Payload.Writer out) {
            writeBatch(out, batch);
            out.bool(columnsFollow);
        }
    }

    /**
     * C→W: bytes {@code [byteOffset, byteOffset + data.remaining())} of one column of a batch.
     * Written by {@link FrameWriter#writeColumn} without building this record; {@code data}
     * is valid only until the next read from the same {@link FrameReader}.
     */
    record ColumnChunk(long batchIndex, int columnId, long byteOffset, ByteBuffer data) implements Message {
        /** Payload bytes before the data. */
        static final int PREFIX_BYTES = 8 + 1 + 8;

        public int type() {
            return COLUMN_CHUNK;
        }

        public void write(Payload.Writer out) {
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            out.i64(batchIndex).u8(columnId).i64(byteOffset).rest(bytes);
        }
    }

    /** W→C: a batch's partial, with the worker's times and memory. */
    record BatchDone(Batch batch, long receivedNanos, long computeStartNanos, long computeEndNanos, MemorySample memory,
                     ByteBuffer partial) implements Message {
        public int type() {
            return BATCH_DONE;
        }

        public void write(Payload.Writer out) {
            writeBatch(out, batch);
            out.i64(receivedNanos).i64(computeStartNanos).i64(computeEndNanos);
            writeMemory(out, memory);
            byte[] bytes = new byte[partial.remaining()];
            partial.duplicate().get(bytes);
            out.rest(bytes);
        }
    }

    /** W→C: a batch failed; the error as plain, size-capped text. */
    record BatchFailed(long batchIndex, String errorClass, String errorMessage, String stackTrace) implements Message {
        public int type() {
            return BATCH_FAILED;
        }

        public void write(Payload.Writer out) {
            out.i64(batchIndex).str(errorClass, MAX_NAME_BYTES).str(errorMessage, MAX_ERROR_BYTES)
                    .str(stackTrace, MAX_TRACE_BYTES);
        }
    }

    /** C→W: stop the batch if it is still running. */
    record Cancel(long batchIndex) implements Message {
        public int type() {
            return CANCEL;
        }

        public void write(Payload.Writer out) {
            out.i64(batchIndex);
        }
    }

    /** W→C: the batch was stopped by {@link Cancel}. */
    record BatchCancelled(long batchIndex) implements Message {
        public int type() {
            return BATCH_CANCELLED;
        }

        public void write(Payload.Writer out) {
            out.i64(batchIndex);
        }
    }

    /** C→W: the job is over; unmap the store. */
    record CloseJob() implements Message {
        public int type() {
            return CLOSE_JOB;
        }

        public void write(Payload.Writer out) {}
    }

    /** W→C: the store is unmapped; peak memory since the job was opened (-1 where unknown). */
    record JobClosed(long peakRssBytes, long peakPrivateBytes) implements Message {
        public int type() {
            return JOB_CLOSED;
        }

        public void write(Payload.Writer out) {
            out.i64(peakRssBytes).i64(peakPrivateBytes);
        }
    }

    /** W→C: a request other than a batch failed (the job could not be opened, a message was malformed). */
    record Error(String errorMessage) implements Message {
        public int type() {
            return ERROR;
        }

        public void write(Payload.Writer out) {
            out.str(errorMessage, MAX_ERROR_BYTES);
        }
    }

    /** C→W: exit now. */
    record Shutdown() implements Message {
        public int type() {
            return SHUTDOWN;
        }

        public void write(Payload.Writer out) {}
    }

    /** W→C: still computing this batch; sent every {@link Worker#HEARTBEAT_PERIOD} while a batch runs. */
    record Heartbeat(long batchIndex) implements Message {
        public int type() {
            return HEARTBEAT;
        }

        public void write(Payload.Writer out) {
            out.i64(batchIndex);
        }
    }

    /**
     * W→C: the worker begins computing this batch (its data is in hand), at {@code clockNanos}
     * on its clock; sent once per batch, before the batch's reply, so the
     * coordinator's live view shows the batch computing while it computes.
     */
    record Computing(long batchIndex, long clockNanos) implements Message {
        public int type() {
            return COMPUTING;
        }

        public void write(Payload.Writer out) {
            out.i64(batchIndex).i64(clockNanos);
        }
    }
}
