package dev.tsproc.spark;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A standalone Spark master named by {@code --master spark://HOST:PORT[,HOST:PORT…]}, checked to
 * accept connections before a session is started on it.
 *
 * <p>Why: Spark's driver does not fail when its master is unreachable. It registers in the
 * background, three times 20 seconds apart, logging a stack trace each time, then stops its
 * context, and the job it was given fails with "Cannot call methods on a stopped SparkContext"
 * a minute and a half later. A TCP connection tried first says the same in one sentence, at
 * once for a refused port and within {@link #CONNECT_TIMEOUT} (or the run's deadline, if
 * sooner) for a host that does not answer.
 */
final class SparkMaster {
    /** How long one address may take to accept a connection: the connect timeout of Spark's own RPC. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String SCHEME = "spark://";

    private SparkMaster() {}

    /**
     * Returns if {@code master} is not a standalone master's URL, or if one of its addresses
     * accepts a TCP connection.
     *
     * @param timeout the run's deadline, or {@code null} for none
     * @throws ConnectException in one sentence, naming the master, if none of them does
     */
    static void requireReachable(String master, Duration timeout) throws ConnectException {
        if (master == null || !master.startsWith(SCHEME)) {
            return;
        }
        Duration wait = timeout != null && timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT;
        List<String> reasons = new ArrayList<>();
        for (String address : master.substring(SCHEME.length()).split(",")) {
            int colon = address.lastIndexOf(':');
            int port;
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("--master " + master + " names no port in '" + address
                        + "'; write spark://HOST:PORT");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address.substring(0, colon), port), (int) Math.max(1, wait.toMillis()));
                return;
            } catch (IOException e) {
                reasons.add(address + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        throw new ConnectException("could not reach the Spark master at " + master + " (" + String.join("; ", reasons)
                + "); check --master and that the master runs");
    }
}
