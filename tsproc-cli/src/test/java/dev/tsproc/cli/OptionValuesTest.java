package dev.tsproc.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A duration, port or count that no run could honour is a wrong command line: exit code 2 and
 * one sentence naming the option, never an exception's name or a run in which every batch fails.
 */
class OptionValuesTest {
    @TempDir
    static Path dir;

    private static Path store;
    private static Path csv;

    @BeforeAll
    static void inputs() throws IOException {
        store = dir.resolve("s.tsp");
        Cli generated = Cli.run("generate", "--rows", "1000", "--out", store.toString(), "--quiet");
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        csv = Files.writeString(dir.resolve("in.csv"), "ts,value\n1,2\n");
    }

    /** The command (STORE, CSV and OUT stand for an input store, a CSV file and a new file), the option, its bad value. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            run STORE      | --timeout          | 3000000h
            run STORE      | --timeout          | 2562048h
            run STORE      | --timeout          | 8785h
            run STORE      | --timeout          | PT2562048H
            run STORE      | --timeout          | 0s
            run STORE      | --timeout          | -1s
            run STORE      | --timeout          | soon
            run STORE      | --batch-timeout    | 3000000h
            run STORE      | --batch-timeout    | 2000000h
            run STORE      | --batch-timeout    | 0ms
            run STORE      | --status-port      | 70000
            run STORE      | --status-port      | 65536
            run STORE      | --status-port      | -1
            run STORE      | --workers          | 0
            run STORE      | --workers          | -3
            run STORE      | --retries          | -1
            run STORE      | --batch-rows       | 0
            run STORE      | --batch-rows       | 99999999999999999999
            run STORE      | --every            | 99999999999999h
            run STORE      | --every            | 0s
            run STORE      | --every            | PT2562048H
            run STORE      | --from             | 99999999999999999999
            run STORE      | --to               | 9999999999999ms
            run STORE      | --from             | +999999999-01-01
            run            | --rows             | -1
            generate --out OUT | --rows         | -1
            generate --rows 10 --out OUT | --series       | -1
            generate --rows 10 --out OUT | --missing      | 1.5
            generate --rows 10 --out OUT | --missing      | -0.1
            generate --rows 10 --out OUT | --missing      | NaN
            generate --rows 10 --out OUT | --threads      | 0
            import CSV --out OUT | --threads    | 0
            import CSV --out OUT | --max-line-bytes | 0
            import CSV --out OUT | --max-line-bytes | -5
            export STORE --out OUT | --threads  | 0
            bench talk     | --rows             | 0
            bench talk     | --repeat           | 0
            bench talk     | --batch-rows       | -1
            bench talk     | --workers          | 0
            bench talk     | --workers          | 1,-2
            bench talk     | --memory-batch-rows | 1024,-1
            """)
    void isAWrongCommandLine(String command, String option, String value) {
        List<String> args = new ArrayList<>();
        for (String word : command.split(" ")) {
            args.add(switch (word) {
                case "STORE" -> store.toString();
                case "CSV" -> csv.toString();
                case "OUT" -> dir.resolve("out-" + option.substring(2) + "-" + value.hashCode()).toString();
                default -> word;
            });
        }
        args.add(option);
        args.add(value);
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(2);
        assertThat(cli.oneLineError()).as(cli.err()).isTrue();
        assertThat(cli.err()).startsWith("tsproc: ").contains(option).doesNotContain("Exception").doesNotContain("overflow");
    }
}
