package dev.tsproc.cli.status;

import dev.tsproc.observe.Run;
import dev.tsproc.observe.RunListener;
import dev.tsproc.plan.Plan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status endpoint speaks HTTP as it should, over a real socket: only loopback host names
 * (no DNS rebinding), exact paths, GET only, HTTP/1.0 and 1.1 only, malformed requests refused.
 */
@Timeout(60)
class StatusHttpTest {
    private static StatusServer server;

    @BeforeAll
    static void start() throws IOException {
        Run run = Run.start("sum", "t", Map.of(), new Plan(0, 400, 100), () -> 0, RunListener.NONE);
        server = StatusServer.start(InetAddress.getLoopbackAddress(), 0, run::status, 4096);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A raw request ({@code PORT} stands for the served port, {@code \n} for CRLF) and the status code it gets. */
    @ParameterizedTest(name = "{1} for {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            GET /status HTTP/1.1\\nHost: 127.0.0.1:PORT\\n\\n                 | 200
            GET /metrics HTTP/1.1\\nHost: localhost:PORT\\n\\n                | 200
            GET /status HTTP/1.1\\nHost: [::1]:PORT\\n\\n                     | 200
            GET /status HTTP/1.1\\nHost: LOCALHOST\\n\\n                      | 200
            GET /status?pretty HTTP/1.1\\nHost: 127.0.0.1\\n\\n               | 200
            GET /status HTTP/1.0\\n\\n                                         | 200
            GET http://127.0.0.1:PORT/status HTTP/1.1\\nHost: 127.0.0.1\\n\\n | 200
            GET /status HTTP/1.1\\nHost: attacker.example:PORT\\n\\n          | 421
            GET /status HTTP/1.1\\nHost: 127.0.0.1.nip.io:PORT\\n\\n          | 421
            GET /status HTTP/1.1\\nHost: localhost:1\\n\\n                    | 421
            GET /status HTTP/1.1\\nHost: 0.0.0.0:PORT\\n\\n                   | 421
            GET /status HTTP/1.0\\nHost: attacker.example\\n\\n               | 421
            GET http://attacker.example/status HTTP/1.1\\nHost: 127.0.0.1\\n\\n | 421
            GET /status HTTP/1.1\\n\\n                                         | 400
            GET /status HTTP/1.1\\nHost: 127.0.0.1\\nHost: localhost\\n\\n    | 400
            GET /statusXYZ HTTP/1.1\\nHost: 127.0.0.1\\n\\n                   | 404
            GET /status/ HTTP/1.1\\nHost: 127.0.0.1\\n\\n                     | 404
            GET / HTTP/1.1\\nHost: 127.0.0.1\\n\\n                            | 404
            GET /metricsfoo HTTP/1.1\\nHost: 127.0.0.1\\n\\n                  | 404
            POST /status HTTP/1.1\\nHost: 127.0.0.1\\nContent-Length: 0\\n\\n | 405
            DELETE /metrics HTTP/1.1\\nHost: 127.0.0.1\\n\\n                  | 405
            GET /status HTTP/9.9\\nHost: 127.0.0.1\\n\\n                      | 505
            GET /status HTTP/2.0\\nHost: 127.0.0.1\\n\\n                      | 505
            GET /status FTP/1.1\\nHost: 127.0.0.1\\n\\n                       | 505
            GARBAGE\\n\\n                                                      | 400
            GET /status HTTP/1.1\\nHost 127.0.0.1\\n\\n                       | 400
            """)
    void answers(String request, int expected) throws IOException {
        String raw = request.strip().replace("PORT", Integer.toString(server.port())).replace("\\n", "\r\n");
        assertThat(statusOf(raw)).as(raw).isEqualTo(expected);
    }

    /** Sends {@code raw} and reads the status code of the response's status line. */
    private static int statusOf(String raw) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            assertThat(parts.length).as("status line '%s'", line).isGreaterThanOrEqualTo(2);
            return Integer.parseInt(parts[1]);
        }
    }
}
