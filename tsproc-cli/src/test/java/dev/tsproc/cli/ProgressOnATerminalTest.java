package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;
import dev.tsproc.testkit.Python;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14.3: with results redirected to a file and standard error on a real terminal (a
 * pseudo-terminal Python opens, not a flag), the progress bar is drawn on standard error, the
 * file holds only the answer, and the status line is not written over the bar.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProgressOnATerminalTest {
    @TempDir
    Path dir;

    /** Runs argv[2:] with standard output into the file argv[1] and standard error on a new pseudo-terminal; prints what the terminal got. */
    private static final String ON_A_TERMINAL = """
            import os, pty, subprocess, sys
            master, terminal = pty.openpty()
            with open(sys.argv[1], "wb") as out:
                child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=out, stderr=terminal,
                                         env=dict(os.environ, TERM="xterm"))
            os.close(terminal)
            shown = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child has closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            child.wait()
            sys.stdout.buffer.write(shown + b"\\nexit %d\\n" % child.returncode)
            """;

    @Test
    void theBarGoesToTheTerminalWhileTheAnswerGoesToTheFile() throws Exception {
        Path shm = Files.createDirectory(dir.resolve("shm"));
        Path csv = dir.resolve("out.csv");
        String shown = Python.run(dir, ON_A_TERMINAL, csv.toString(), ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-D" + SharedSegments.ROOT_PROPERTY + "=" + shm,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "--rows", "2000000", "--batch-rows", "100000", "--workers", "2", "--format", "csv", "--status-port", "0");
        String terminal = shown.replace("\r\n", "\n"); // the terminal's own line ends
        assertThat(terminal).as(terminal).endsWith("\nexit 0\n");
        assertThat(terminal).contains("\rgenerate [##############################] 100% 2,000,000/2,000,000 rows")
                .contains("\rstats [##############################] 100%");
        assertThat(terminal).as("the status line clears the bar's line first").contains("\r\u001b[Kstatus: http://127.0.0.1:");
        assertThat(terminal).as("the bar ends its line before the summary, and is not drawn again after it")
                .contains("\nstats over 2,000,000 rows in");
        assertThat(terminal.substring(terminal.indexOf("stats over 2,000,000 rows in"))).doesNotContain("[#", "\r");
        assertThat(Files.readString(csv)).startsWith("count,missing,sum,mean,min,max,stddev\n").doesNotContain("\r", "\u001b", "[#");
        try (var left = Files.list(shm)) {
            assertThat(left).isEmpty();
        }
    }
}
