package dev.tsproc.spark;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An unreachable {@code --master spark://…} is one sentence at once, before any Spark session is
 * started (Spark's own driver logs three stack traces over a minute and then fails on a stopped
 * context); a master that listens, or a local one, passes.
 */
class SparkMasterTest {
    @Test
    void aRefusedMasterIsOneSentenceNamingIt() {
        assertThatThrownBy(() -> SparkMaster.requireReachable("spark://127.0.0.1:1", Duration.ofSeconds(60)))
                .isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("could not reach the Spark master at spark://127.0.0.1:1 (127.0.0.1:1: ")
                .hasMessageEndingWith("); check --master and that the master runs");
    }

    @Test
    void aListeningMasterOfSeveralAndLocalMastersPass() throws Exception {
        try (ServerSocket master = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String url = "spark://127.0.0.1:1,127.0.0.1:" + master.getLocalPort();
            assertThatCode(() -> SparkMaster.requireReachable(url, null)).doesNotThrowAnyException();
        }
        assertThatCode(() -> SparkMaster.requireReachable("local[2]", null)).doesNotThrowAnyException();
        assertThatCode(() -> SparkMaster.requireReachable(null, null)).doesNotThrowAnyException();
        assertThatThrownBy(() -> SparkMaster.requireReachable("spark://host", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--master spark://host names no port in 'host'; write spark://HOST:PORT");
    }
}
