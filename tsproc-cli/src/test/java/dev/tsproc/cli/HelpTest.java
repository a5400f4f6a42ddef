package dev.tsproc.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command's help renders cleanly: picocli warns on System.err about a bad format string in a description. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"generate", "import", "export", "info", "run", "report", "bench", "clean"})
    void printsWithoutPicocliWarnings(String command) {
        PrintStream original = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Cli cli;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            cli = Cli.run(command, "--help");
        } finally {
            System.setErr(original);
        }
        assertThat(cli.exitCode()).isZero();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(cli.err()).isEmpty();
        assertThat(cli.out()).contains("Usage: tsproc " + command).doesNotContain("%n");
    }

    @org.junit.jupiter.api.Test
    void thePercentSignOfExactPercentilesIsPrinted() {
        assertThat(Cli.run("run", "--help").out()).contains("(within 0.5%)");
    }
}
