package dev.tsproc.cli.output;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 14.10: numbers print as plain decimals where that is readable, and always parse back to the same bits. */
class QueryPrinterNumbersTest {
    @Test
    void plainDecimalsFromTenToTheMinusSevenToTenToTheTwentyOne() {
        assertThat(QueryPrinter.text(6.6035218968E7)).isEqualTo("66035218.968");
        assertThat(QueryPrinter.text(1.0E20)).isEqualTo("100000000000000000000.0");
        assertThat(QueryPrinter.text(1.6751914E7)).isEqualTo("16751914.0");
        assertThat(QueryPrinter.text(-1.5E-7)).isEqualTo("-0.00000015");
        assertThat(QueryPrinter.text(2.5)).isEqualTo("2.5");
        assertThat(QueryPrinter.text(0.0)).isEqualTo("0.0");
        assertThat(QueryPrinter.text(1.0E21)).isEqualTo("1.0E21");
        assertThat(QueryPrinter.text(1.0E-8)).isEqualTo("1.0E-8");
        assertThat(QueryPrinter.text(Double.NaN)).isEqualTo("NaN");
        assertThat(QueryPrinter.text(42L)).isEqualTo("42");
    }

    @Test
    void everyPrintedDoubleParsesBackToTheSameBits() {
        SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 100_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d)) {
                continue;
            }
            String text = QueryPrinter.text(d);
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(text))).as(text).isEqualTo(Double.doubleToRawLongBits(d));
            double scaled = random.nextDouble() * Math.pow(10, random.nextInt(-8, 22));
            assertThat(Double.parseDouble(QueryPrinter.text(scaled))).isEqualTo(scaled);
        }
    }
}
