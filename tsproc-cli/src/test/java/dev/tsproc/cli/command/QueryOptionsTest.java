package dev.tsproc.cli.command;

import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The times and widths {@code --from}, {@code --to} and {@code --every} take, and the names {@code --series} takes. */
class QueryOptionsTest {
    @Test
    void seriesNamesAreSplitByCsvQuotingAndMayBeRepeated() {
        assertThat(QueryOptions.seriesNames(List.of("s1,s2"))).containsExactly("s1", "s2");
        assertThat(QueryOptions.seriesNames(List.of("\"boiler, north\",pump", "a \"b\""))).containsExactly(
                "boiler, north", "pump", "a \"b\""); // a quote inside an unquoted field is kept as typed
        assertThat(QueryOptions.seriesNames(List.of("\"say \"\"hi\"\"\"", "x,,\"\""))).containsExactly(
                "say \"hi\"", "x", "", "");
        assertThatThrownBy(() -> QueryOptions.seriesNames(List.of("\"boiler, north"))).hasMessage(
                "the quote at 1 in '\"boiler, north' is not closed");
        assertThatThrownBy(() -> QueryOptions.seriesNames(List.of("\"a\"b"))).hasMessage(
                "text after the closing quote in '\"a\"b'");
    }

    @Test
    void parsesTimesAndWidths() {
        assertThat(QueryOptions.parseTime("2023-11-14T22:13:20Z", ZoneOffset.UTC)).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(QueryOptions.parseTime("2023-11-14T23:13:20+01:00", ZoneOffset.UTC)).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(QueryOptions.parseTime("2023-11-14T22:13:20.5", ZoneOffset.UTC)).isEqualTo(1_700_000_000_500_000_000L);
        assertThat(QueryOptions.parseTime("1970-01-02", ZoneOffset.UTC)).isEqualTo(86_400_000_000_000L);
        assertThat(QueryOptions.parseTime("1700000000", ZoneOffset.UTC)).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(QueryOptions.parseTime("1700000000123ms", ZoneOffset.UTC)).isEqualTo(1_700_000_000_123_000_000L);
        assertThat(QueryOptions.parseTime("-5ns", ZoneOffset.UTC)).isEqualTo(-5L);
        assertThat(QueryOptions.parseWidth("5m")).isEqualTo(300_000_000_000L);
        assertThat(QueryOptions.parseWidth("1d")).isEqualTo(86_400_000_000_000L);
        assertThat(QueryOptions.parseWidth("PT15M")).isEqualTo(900_000_000_000L);
        assertThat(QueryOptions.parseWidth("250us")).isEqualTo(250_000L);
        assertThatThrownBy(() -> QueryOptions.parseWidth("0s")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> QueryOptions.parseWidth("5")).hasMessageContaining("not a width");
        assertThatThrownBy(() -> QueryOptions.parseTime("5h", ZoneOffset.UTC)).hasMessageContaining("epoch times take");
    }
}
