package dev.runeforge.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** What every store of persistence-service does the same way: time its database work, run a transaction. */
public final class Sql {
    private Sql() {
    }

    /** Work inside one transaction, on its connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws (a rollback that
     * fails means the connection is gone, and the transaction with it).
     */
    public static <T> T transaction(DataSource db, Work<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // The connection is gone; so is the transaction.
                }
                throw e;
            }
        }
    }

    /** {@code rf_persistence_query_duration_seconds{operation}}: one store operation, connection wait included. */
    public static Timer queryTimer(MeterRegistry registry, String operation) {
        return Timer.builder("rf_persistence_query_duration_seconds").tag("operation", operation)
                .description("Database work of one store operation, from borrowing a connection to returning it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }
}
