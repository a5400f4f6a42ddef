package dev.tsproc.exec.process;

import dev.tsproc.observe.MemorySample;
import dev.tsproc.data.Batch;
import dev.tsproc.plan.JobRequest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frame layout and every message's decoder: round trips, and rejection of all that is wrong. */
class FrameTest {
    static final List<Message> EVERY_MESSAGE = List.of(
            new Message.Hello("worker-1", 42, List.of("/tmp/a.tsp", "/dev/shm/ü.tsp")),
            new Message.Ready(7, -5, new MemorySample(1, 2, 3)),
            new Message.Ping(9),
            new Message.Pong(9, Long.MIN_VALUE),
            new Message.OpenJob("/dev/shm/tsproc-run-x/a.tsp",
                    JobRequest.custom("com.example.Above", Map.of("threshold", "0.5", "b", "ünïcode"), List.of(Path.of("/tmp/j.jar")))),
            new Message.JobOpened(new dev.tsproc.store.Store.Identity(64769, 1L << 40, 200_000_000L, -7)),
            new Message.RunBatch(new Batch(3, 3_000_000, 1_000_000), true),
            new Message.ColumnChunk(3, 2, 1 << 20, ByteBuffer.wrap(new byte[] {1, 2, 3})),
            new Message.BatchDone(new Batch(3, 3_000_000, 1_000_000), 10, 11, 12, new MemorySample(5, -1, -1), ByteBuffer.wrap(new byte[] {9, 8})),
            new Message.BatchFailed(3, "java.lang.ArithmeticException", "/ by zero", "at x\nat y"),
            new Message.Cancel(3),
            new Message.BatchCancelled(3),
            new Message.Computing(3, 11),
            new Message.CloseJob(),
            new Message.JobClosed(100, -1),
            new Message.Error("no such store"),
            new Message.Shutdown());

    static byte[] encode(Message m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out).write(m);
        return out.toByteArray();
    }

    /** A frame with a correct header and CRC around {@code payload}. */
    static byte[] frame(int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(Frame.HEADER_SIZE + payload.length);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        Frame.writeHeader(b, type, payload.length, (int) crc.getValue());
        b.put(Frame.HEADER_SIZE, payload);
        return b.array();
    }

    static Message decode(byte[] bytes) throws IOException {
        return new FrameReader(new ByteArrayInputStream(bytes)).read();
    }

    @Test
    void everyMessageRoundTrips() throws IOException {
        for (Message m : EVERY_MESSAGE) {
            assertThat(decode(encode(m))).as(Message.typeName(m.type())).isEqualTo(m);
        }
    }

    @Test
    void headerIsSixteenBigEndianBytes() throws IOException {
        byte[] bytes = encode(new Message.Ping(1));
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertThat(b.getInt(0)).isEqualTo(0x54535057);
        assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("TSPW");
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getShort(6)).isEqualTo((short) Message.PING);
        assertThat(b.getInt(8)).isEqualTo(8);
        assertThat(bytes).hasSize(Frame.HEADER_SIZE + 8);
    }

    @Test
    void columnsAreWrittenAsConsecutiveChunks() throws IOException {
        byte[] column = new byte[FrameWriter.CHUNK_BYTES * 2 + 5];
        new java.util.Random(3).nextBytes(column);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out).writeColumn(4, 2, MemorySegment.ofArray(column));
        FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()));
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        for (Message m; (m = reader.read()) != null; ) {
            Message.ColumnChunk c = (Message.ColumnChunk) m;
            assertThat(c.batchIndex()).isEqualTo(4);
            assertThat(c.columnId()).isEqualTo(2);
            assertThat(c.byteOffset()).isEqualTo(back.size());
            byte[] data = new byte[c.data().remaining()];
            c.data().get(data);
            back.write(data);
        }
        assertThat(back.toByteArray()).isEqualTo(column);
    }

    @Test
    void endOfStreamBetweenFramesIsNotAnError() throws IOException {
        assertThat(decode(new byte[0])).isNull();
    }

    @Test
    void rejectsAnotherMagic() throws IOException {
        byte[] bytes = encode(new Message.Ping(1));
        bytes[0] = 'X';
        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(ProtocolException.class).hasMessageContaining("magic=0x58535057");
    }

    @Test
    void rejectsAnotherVersion() throws IOException {
        byte[] bytes = encode(new Message.Ping(1));
        bytes[5] = 1;
        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(ProtocolException.class).hasMessageContaining("version=1");
    }

    @Test
    void rejectsUnknownTypes() throws IOException {
        for (int type : new int[] {0, Message.COMPUTING + 1, 0xFFFF}) {
            byte[] bytes = encode(new Message.Ping(1));
            ByteBuffer.wrap(bytes).putShort(Frame.TYPE_OFFSET, (short) type);
            assertThatThrownBy(() -> decode(bytes)).isInstanceOf(ProtocolException.class).hasMessageContaining("type=" + type);
        }
    }

    @Test
    void rejectsOversizedLengthsBeforeAllocating() throws IOException {
        for (long length : new long[] {Integer.MAX_VALUE, 0xFFFF_FFFFL, Frame.MAX_PAYLOAD + 1L}) {
            byte[] bytes = encode(new Message.Ping(1));
            ByteBuffer.wrap(bytes).putInt(Frame.LENGTH_OFFSET, (int) length);
            assertThatThrownBy(() -> decode(bytes)).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("payloadLength=" + length).hasMessageContaining("exceeds");
        }
    }

    @Test
    void rejectsTruncatedFrames() throws IOException {
        byte[] bytes = encode(new Message.RunBatch(new Batch(1, 2, 3), false));
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> decode(truncated)).as("cut at %d", cut).isInstanceOf(EOFException.class)
                    .hasMessageContaining("ended inside a");
        }
    }

    @Test
    void rejectsDamagedPayloads() throws IOException {
        byte[] bytes = encode(new Message.RunBatch(new Batch(1, 2, 3), false));
        bytes[Frame.HEADER_SIZE + 3] ^= 0x10;
        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("RUN_BATCH payloadCrc32c").hasMessageContaining("damaged");
    }

    @Test
    void rejectsPayloadsWithFieldsMissingOrLeftOver() {
        assertThatThrownBy(() -> decode(frame(Message.RUN_BATCH, new byte[8 + 8])))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("RUN_BATCH is truncated: field rowCount");
        assertThatThrownBy(() -> decode(frame(Message.PING, new byte[9])))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("PING has 1 trailing bytes");
        assertThatThrownBy(() -> decode(frame(Message.COLUMN_CHUNK, new byte[17])))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("carries no bytes");
    }

    @Test
    void rejectsFieldsOutOfRange() {
        ByteBuffer p = ByteBuffer.allocate(25).putLong(0).putLong(-3).putLong(5).put((byte) 0);
        assertThatThrownBy(() -> decode(frame(Message.RUN_BATCH, p.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("RUN_BATCH rowOffset=-3 is outside");
        ByteBuffer zeroRows = ByteBuffer.allocate(25).putLong(0).putLong(0).putLong(0).put((byte) 0);
        assertThatThrownBy(() -> decode(frame(Message.RUN_BATCH, zeroRows.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("rowCount=0");
        ByteBuffer badFlag = ByteBuffer.allocate(25).putLong(0).putLong(0).putLong(1).put((byte) 2);
        assertThatThrownBy(() -> decode(frame(Message.RUN_BATCH, badFlag.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("columnsFollow=2 is not 0 or 1");
        ByteBuffer disorderedTimes = ByteBuffer.allocate(72).putLong(0).putLong(0).putLong(1).putLong(10).putLong(5).putLong(6);
        assertThatThrownBy(() -> decode(frame(Message.BATCH_DONE, disorderedTimes.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("out of order");
    }

    @Test
    void rejectsStringsTooLongOrNotUtf8() {
        ByteBuffer huge = ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> decode(frame(Message.ERROR, huge.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("errorMessage length=2147483647 is outside");
        ByteBuffer notUtf8 = ByteBuffer.allocate(6).putInt(2).put((byte) 0xC3).put((byte) 0x28);
        assertThatThrownBy(() -> decode(frame(Message.ERROR, notUtf8.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("errorMessage is not valid UTF-8");
    }

    @Test
    void rejectsInvalidJobRequests() throws IOException {
        Payload.Writer p = new Payload.Writer().str("/s.tsp", 100).u8(JobRequest.ENCODING_VERSION).u8(3).str("not a class!", 100)
                .i32(0).i32(0);
        assertThatThrownBy(() -> decode(frame(Message.OPEN_JOB, java.util.Arrays.copyOf(p.array(), p.size()))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("OPEN_JOB unknown job 'not a class!'");
        Payload.Writer cut = new Payload.Writer().str("/s.tsp", 100).u8(JobRequest.ENCODING_VERSION).u8(1).i32(40);
        assertThatThrownBy(() -> decode(frame(Message.OPEN_JOB, java.util.Arrays.copyOf(cut.array(), cut.size()))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("OPEN_JOB the job request is invalid: name length=40");
    }

    @Test
    void cutsLongErrorTextOnACharacterBoundary() throws IOException {
        String text = "é".repeat(Message.MAX_ERROR_BYTES);
        Message.Error back = (Message.Error) decode(encode(new Message.Error(text)));
        assertThat(back.errorMessage()).hasSize(Message.MAX_ERROR_BYTES / 2).matches("é+");
    }

    /** Whatever bytes arrive, the reader returns a message or throws a protocol or end-of-stream error. */
    @Property(tries = 2000)
    void anyBytesGiveAMessageOrAProtocolError(@ForAll @Size(max = 64) byte[] junk,
                                              @ForAll @IntRange(min = 0, max = 15) int messageIndex,
                                              @ForAll @IntRange(min = 0, max = 200) int flipAt) throws IOException {
        byte[] valid = encode(EVERY_MESSAGE.get(messageIndex));
        byte[] mutated = valid.clone();
        mutated[flipAt % mutated.length] ^= (byte) (1 + (junk.length > 0 ? junk[0] & 0x7F : 0));
        for (byte[] input : List.of(junk, mutated, concat(valid, junk))) {
            try {
                FrameReader reader = new FrameReader(new ByteArrayInputStream(input));
                while (reader.read() != null) {
                    // keep reading
                }
            } catch (ProtocolException | EOFException expected) {
                // rejected, as it should be
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
