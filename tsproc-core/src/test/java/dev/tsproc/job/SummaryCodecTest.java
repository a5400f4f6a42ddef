package dev.tsproc.job;

import dev.tsproc.testkit.TestStores;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Partials of the built-in jobs survive their binary form exactly, and forged ones are refused. */
class SummaryCodecTest {
    private static final BuiltinJob STATS = BuiltinJob.named("stats");

    static byte[] encode(Summary s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        STATS.writePartial(s, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    static Summary decode(byte[] bytes) throws IOException {
        return STATS.readPartial(new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    static Summary summarise(double[] values, int from, int to) {
        return Summary.of(MemorySegment.ofArray(java.util.Arrays.copyOfRange(values, from, to)), Summary.Kernel.FULL);
    }

    static long[] bits(Stats s) {
        return new long[] {s.rows(), s.count(), s.missing(), Double.doubleToRawLongBits(s.sum()),
                Double.doubleToRawLongBits(s.mean()), Double.doubleToRawLongBits(s.min()),
                Double.doubleToRawLongBits(s.max()), Double.doubleToRawLongBits(s.stddev())};
    }

    @Property(tries = 200)
    void decodedPartialsCombineToTheSameBits(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3000) int n,
                                             @ForAll @IntRange(min = 0, max = 3000) int cut, @ForAll boolean infinities)
            throws IOException {
        double[] v = TestStores.awkwardValues(seed, n, infinities);
        int at = Math.min(cut, n);
        Stats direct = STATS.finish(STATS.combine(summarise(v, 0, at), summarise(v, at, n)));
        Stats viaBytes = STATS.finish(STATS.combine(decode(encode(summarise(v, 0, at))), decode(encode(summarise(v, at, n)))));
        assertThat(bits(viaBytes)).containsExactly(bits(direct));
    }

    @Test
    void emptyPartialRoundTrips() throws IOException {
        assertThat(bits(STATS.finish(decode(encode(STATS.empty()))))).containsExactly(bits(STATS.finish(STATS.empty())));
    }

    @Test
    void refusesForgedPartials() throws IOException {
        byte[] good = encode(summarise(new double[] {1, 2, Double.NaN}, 0, 3));
        assertThatThrownBy(() -> decode(with(good, 8, -1L))).hasMessageContaining("missing=-1");
        assertThatThrownBy(() -> decode(with(good, 0, -5L))).hasMessageContaining("rows=-5");
        assertThatThrownBy(() -> decode(with(good, 32, 1L << 40))).hasMessageContaining("chunk[0]=1099511627776 is outside");
        int sumCounts = 32 + 8 * ExactSum.CHUNKS;
        assertThatThrownBy(() -> decode(with(good, sumCounts, -1L))).hasMessageContaining("positiveInfinities=-1");
        assertThatThrownBy(() -> decode(with(good, sumCounts + 16, 99L))).hasMessageContaining("sum holds 99 values");
        byte[] flag = good.clone();
        flag[sumCounts + 24] = 7;
        assertThatThrownBy(() -> decode(flag)).hasMessageContaining("sawNonNegativeZero=7");
        assertThatThrownBy(() -> decode(java.util.Arrays.copyOf(good, good.length - 1))).isInstanceOf(java.io.EOFException.class);
    }

    private static byte[] with(byte[] bytes, int offset, long value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putLong(offset, value);
        return copy;
    }

    @Test
    void everyBuiltinJobHasACodec() {
        for (String name : BuiltinJob.NAMES) {
            assertThat(PartialCodec.of(BuiltinJob.named(name))).isNotNull();
        }
        Job<long[], Long> lambda = Job.of("x", () -> new long[1], b -> new long[1], (a, b) -> a, p -> p[0]);
        assertThatThrownBy(() -> PartialCodec.of(lambda)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot run in worker processes");
    }
}
