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

    /**
     * A command line for running one subcommand holds that subcommand alone, found by the name its
     * annotation gives it; help, and a name that is no subcommand's, get every one.
     */
    @org.junit.jupiter.api.Test
    void aCommandLineForOneSubcommandBuildsOnlyThatOne() {
        java.io.PrintWriter discard = new java.io.PrintWriter(java.io.Writer.nullWriter());
        java.util.Set<String> all = Main.commandLine(discard, discard).getSubcommands().keySet();
        assertThat(all).containsExactly("generate", "import", "export", "info", "run", "report", "bench", "clean", "help");
        for (String name : all) {
            assertThat(Main.commandLine(discard, discard, new String[] {name, "--help"}).getSubcommands().keySet())
                    .containsExactlyElementsOf(name.equals("help") ? all : java.util.List.of(name));
        }
        assertThat(Main.commandLine(discard, discard, new String[] {"rnu"}).getSubcommands().keySet()).isEqualTo(all);
        assertThat(Main.commandLine(discard, discard, new String[0]).getSubcommands().keySet()).isEqualTo(all);
        Cli help = Cli.run("help", "run");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: tsproc run");
        Cli typo = Cli.run("rnu");
        assertThat(typo.exitCode()).isEqualTo(dev.tsproc.cli.command.ExitCodes.USAGE);
        assertThat(typo.err()).isEqualTo("tsproc: Unmatched argument at index 0: 'rnu' (see 'tsproc --help')\n");
    }

    @org.junit.jupiter.api.Test
    void thePercentSignOfExactPercentilesIsPrinted() {
        assertThat(Cli.run("run", "--help").out()).contains("(within 0.4%)");
    }
}
