package dev.tsproc.ingest;

import dev.tsproc.data.SeriesDictionary;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GeneratorSpecTest {

    @Test
    void talkIsTheTalksWorkload() {
        GeneratorSpec spec = GeneratorSpec.talk(200_000_000);

        assertThat(spec).isEqualTo(new GeneratorSpec(200_000_000, 0, 0.33, Distribution.TALK, 42));
        assertThat(spec.hasSeries()).isFalse();
    }

    @Test
    void onlyTwoOrMoreSeriesMakeASeriesColumn() {
        assertThat(new GeneratorSpec(1, 0, 0, Distribution.GAUSS, 1).hasSeries()).isFalse();
        assertThat(new GeneratorSpec(1, 1, 0, Distribution.GAUSS, 1).hasSeries()).isFalse();
        assertThat(new GeneratorSpec(1, 2, 0, Distribution.GAUSS, 1).hasSeries()).isTrue();
    }

    @Test
    void acceptsTheLimits() {
        new GeneratorSpec(0, 0, 0, Distribution.TALK, 0);
        new GeneratorSpec(GeneratorSpec.MAX_ROWS, SeriesDictionary.MAX_SERIES, 1, Distribution.WALK, -1);
    }

    @Test
    void rejectsNegativeRows() {
        assertThatIllegalArgumentException().isThrownBy(() -> new GeneratorSpec(-3, 0, 0, Distribution.TALK, 42))
                .withMessage("rows=-3 must not be negative");
    }

    @Test
    void rejectsRowsWhoseTimestampsOverflow() {
        long rows = GeneratorSpec.MAX_ROWS + 1;
        assertThatIllegalArgumentException().isThrownBy(() -> new GeneratorSpec(rows, 0, 0, Distribution.TALK, 42))
                .withMessageStartingWith("rows=" + rows + " is more than " + GeneratorSpec.MAX_ROWS);
        long lastNanos = GeneratorSpec.START_NANOS + (GeneratorSpec.MAX_ROWS - 1) * GeneratorSpec.STEP_NANOS;
        assertThat(lastNanos).isPositive();
    }

    @Test
    void rejectsSeriesOutOfRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> new GeneratorSpec(1, -1, 0, Distribution.TALK, 42))
                .withMessage("series=-1 must be in [0, " + SeriesDictionary.MAX_SERIES + "]");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new GeneratorSpec(1, SeriesDictionary.MAX_SERIES + 1, 0, Distribution.TALK, 42))
                .withMessageStartingWith("series=" + (SeriesDictionary.MAX_SERIES + 1));
    }

    @Test
    void rejectsMissingOutsideZeroToOne() {
        for (double missing : new double[] {-0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatIllegalArgumentException().isThrownBy(() -> new GeneratorSpec(1, 0, missing, Distribution.TALK, 42))
                    .withMessage("missing=" + missing + " must be in [0, 1]");
        }
    }

    @Test
    void rejectsNoDistribution() {
        assertThatNullPointerException().isThrownBy(() -> new GeneratorSpec(1, 0, 0, null, 42))
                .withMessage("distribution must not be null");
    }
}
