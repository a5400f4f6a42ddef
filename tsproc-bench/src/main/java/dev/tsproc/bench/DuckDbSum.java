package dev.tsproc.bench;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * DuckDB's {@code sum} over the same values, for scale: the value column loaded once into an
 * in-memory DuckDB table (missing values as SQL NULL, which {@code sum} skips), then
 * {@code SELECT sum(v) FROM t} timed with DuckDB limited to the given number of threads.
 */
final class DuckDbSum implements AutoCloseable {
    private static final ValueLayout.OfDouble VALUE = ValueLayout.JAVA_DOUBLE.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Connection connection;
    private final double loadSeconds;

    private DuckDbSum(Connection connection, double loadSeconds) {
        this.connection = connection;
        this.loadSeconds = loadSeconds;
    }

    /** Loads {@code values} (float64, NaN for missing) into a fresh in-memory database. */
    static DuckDbSum load(MemorySegment values) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        try {
            long start = System.nanoTime();
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE t (v DOUBLE)");
            }
            long rows = values.byteSize() / Double.BYTES;
            try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("t")) {
                for (long i = 0; i < rows; i++) {
                    double v = values.getAtIndex(VALUE, i);
                    appender.beginRow();
                    if (v == v) {
                        appender.append(v);
                    } else {
                        appender.appendNull();
                    }
                    appender.endRow();
                }
            }
            return new DuckDbSum(connection, (System.nanoTime() - start) / 1e9);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    double loadSeconds() {
        return loadSeconds;
    }

    /** DuckDB's sum of the present values, on {@code threads} threads. */
    double sum(int threads) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET threads = " + threads);
            try (ResultSet result = statement.executeQuery("SELECT sum(v) FROM t")) {
                result.next();
                return result.getDouble(1);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
