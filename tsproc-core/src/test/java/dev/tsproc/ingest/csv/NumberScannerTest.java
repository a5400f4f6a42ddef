package dev.tsproc.ingest.csv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NumberScannerTest {

    @ParameterizedTest
    @ValueSource(strings = {"1.5f", "1d", " 2", "2 ", "0x1p3", "1e", "e5", ".", "-", "+", "", "1_000", "1,5", "--1",
            "+-1", "1.2.3", "NaN", "nan", "1e+", "infinit", "- 1", "１", "1e5.5", "Infinityx", "0x10", "1L"})
    void rejectsWhatParseDoubleWronglyAcceptsOrWhatIsNoNumber(String text) {
        assertThatThrownBy(() -> NumberScanner.parseDouble(text)).isInstanceOf(NumberFormatException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "+0", "1", "1.", ".5", "-.5", "007", "1e5", "1E+5", "1e-5", "-1.25E-3",
            "123456789012345678901234567890", "0.000000000000000000000000000001", "1e308", "1.7976931348623157e308",
            "1.7976931348623159e308", "2e308", "4.9e-324", "2.4703282292062328e-324", "2.4703282292062327e-324",
            "1e-400", "9007199254740993", "9007199254740992.5", "1e23", "8.41e21", "9999999999999999999",
            "18446744073709551615", "18446744073709551616", "2.2250738585072011e-308", "2.2250738585072012e-308",
            "0.1", "0.2", "0.3", "3.14159265358979323846", "1e0000000000000000000001", "1e-99999999999"})
    void agreesWithParseDoubleBitForBit(String text) {
        assertThat(Double.doubleToRawLongBits(NumberScanner.parseDouble(text)))
                .as(text).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"inf", "Inf", "INF", "infinity", "Infinity", "+Infinity", "-inf", "-Infinity"})
    void readsInfinities(String text) {
        assertThat(NumberScanner.parseDouble(text)).isInfinite();
        assertThat(NumberScanner.parseDouble(text) < 0).isEqualTo(text.startsWith("-"));
    }

    @Test
    void stopsAtTheFirstByteThatCannotContinueTheNumber() {
        byte[] bytes = "12.5e3x,7".getBytes(StandardCharsets.US_ASCII);
        NumberScanner scanner = new NumberScanner();
        assertThat(scanner.scanDouble(MemorySegment.ofArray(bytes), 0, bytes.length)).isEqualTo(6);
        assertThat(scanner.doubleValue).isEqualTo(12500.0);
        bytes = "3e,".getBytes(StandardCharsets.US_ASCII);
        assertThat(scanner.scanDouble(MemorySegment.ofArray(bytes), 0, bytes.length)).isEqualTo(1);
    }

    @Test
    void scansLongsToTheEdgesOfTheirRange() {
        NumberScanner scanner = new NumberScanner();
        for (long v : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1_700_000_000_000_000_000L}) {
            byte[] bytes = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            assertThat(scanner.scanLong(MemorySegment.ofArray(bytes), 0, bytes.length)).isEqualTo(bytes.length);
            assertThat(scanner.longValue).isEqualTo(v);
        }
        for (String over : new String[] {"9223372036854775808", "-9223372036854775809", "99999999999999999999"}) {
            byte[] bytes = over.getBytes(StandardCharsets.US_ASCII);
            assertThat(scanner.scanLong(MemorySegment.ofArray(bytes), 0, bytes.length)).isEqualTo(NumberScanner.OUT_OF_RANGE);
        }
        byte[] leadingZeros = "000000000000000000000042".getBytes(StandardCharsets.US_ASCII);
        assertThat(scanner.scanLong(MemorySegment.ofArray(leadingZeros), 0, leadingZeros.length)).isEqualTo(leadingZeros.length);
        assertThat(scanner.longValue).isEqualTo(42);
    }

    /** Shortest forms of random doubles of every magnitude, and their neighbours' digits. */
    @Test
    void differentialAgainstParseDoubleOnMillionsOfRandomInputs() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1_000_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d)) {
                continue;
            }
            check(Double.toString(d));
            check(new BigDecimal(d).round(new java.math.MathContext(1 + random.nextInt(25))).toString());
            check(randomDecimal(random));
        }
    }

    @Property(tries = 20_000)
    void differentialOnGeneratedDecimals(@ForAll("decimals") String text) {
        check(text);
    }

    @Provide
    Arbitrary<String> decimals() {
        Arbitrary<String> digits = Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(30);
        Arbitrary<Integer> exponent = Arbitraries.integers().between(-360, 330);
        return net.jqwik.api.Combinators.combine(digits, digits, exponent, Arbitraries.of("", "-", "+"))
                .as((a, b, e, sign) -> sign + a + "." + b + "e" + e);
    }

    private static String randomDecimal(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        if (random.nextBoolean()) {
            s.append('-');
        }
        int intDigits = random.nextInt(0, 22);
        for (int i = 0; i < intDigits; i++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
        if (intDigits == 0 || random.nextBoolean()) {
            s.append('.');
            int fractionDigits = random.nextInt(intDigits == 0 ? 1 : 0, 22);
            for (int i = 0; i < fractionDigits; i++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
        }
        if (random.nextInt(3) == 0) {
            s.append('e').append(random.nextInt(-330, 310));
        }
        return s.toString();
    }

    private static void check(String text) {
        long expected = Double.doubleToRawLongBits(Double.parseDouble(text));
        long actual = Double.doubleToRawLongBits(NumberScanner.parseDouble(text));
        if (expected != actual) {
            throw new AssertionError(text + ": expected " + Double.parseDouble(text) + " got " + NumberScanner.parseDouble(text));
        }
    }
}
