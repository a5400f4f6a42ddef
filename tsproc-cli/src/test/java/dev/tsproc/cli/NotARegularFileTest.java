package dev.tsproc.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.net.StandardProtocolFamily.UNIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A FIFO, a device, a socket or a directory given where a store or a CSV file belongs is refused
 * in one sentence with exit code 1 (issue 13.6). Opening a FIFO blocks until a writer comes, so
 * before the fix these commands hung: the timeout runs in a separate thread to fail, not hang.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotARegularFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} given a {1}")
    @CsvSource({
            "info, fifo, a FIFO (named pipe)", "run, fifo, a FIFO (named pipe)", "export, fifo, a FIFO (named pipe)",
            "import, fifo, a FIFO (named pipe)",
            "info, device, a character device", "import, device, a character device",
            "run, socket, a socket", "import, socket, a socket",
            "export, directory, a directory"})
    void isRefusedInOneSentence(String command, String kind, String described) throws Exception {
        Path input = switch (kind) {
            case "fifo" -> fifo(dir.resolve("pipe"));
            case "device" -> Path.of("/dev/zero");
            case "socket" -> dir.resolve("socket");
            default -> Files.createDirectory(dir.resolve("directory"));
        };
        try (ServerSocketChannel socket = kind.equals("socket") ? ServerSocketChannel.open(UNIX) : null) {
            if (socket != null) {
                socket.bind(UnixDomainSocketAddress.of(input));
            }
            List<String> args = new ArrayList<>(List.of(command, input.toString()));
            if (command.equals("import")) {
                args.addAll(List.of("--out", dir.resolve("x.tsp").toString()));
            }
            Cli cli = Cli.run(args.toArray(String[]::new));
            assertThat(cli.exitCode()).as(cli.err()).isEqualTo(1);
            // One sentence; a start-up sweep of shared memory may report other runs' leftovers before it.
            List<String> lines = cli.err().strip().lines().filter(line -> !line.startsWith("tsproc: removed ")).toList();
            assertThat(lines).as(cli.err()).singleElement().asString().contains(input.toString(), "it is " + described);
            assertThat(dir.resolve("x.tsp")).doesNotExist();
        }
    }

    private static Path fifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        return path;
    }
}
