package dev.runeforge.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh PostgreSQL database per call: created on the local server ({@code RF_TEST_PG_HOST}/{@code PORT}/
 * {@code USER}, default 127.0.0.1:5432 postgres, which ./run-tests.sh provisions) when it answers, else in a
 * Testcontainers PostgreSQL where a Docker engine exists.
 */
public final class TestPostgres {
    public record Database(String jdbcUrl, String user, String password) {
    }

    private static PostgreSQLContainer container;

    private TestPostgres() {
    }

    public static synchronized Database newDatabase() {
        String host = System.getenv().getOrDefault("RF_TEST_PG_HOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("RF_TEST_PG_PORT", "5432");
        String user = System.getenv().getOrDefault("RF_TEST_PG_USER", "postgres");
        String password = System.getenv().getOrDefault("RF_TEST_PG_PASSWORD", "");
        String base = "jdbc:postgresql://" + host + ":" + port + "/";
        if (!TestNats.reachable("tcp://" + host + ":" + port)) {
            if (!TestNats.dockerAvailable()) {
                throw new IllegalStateException("No PostgreSQL at " + host + ":" + port + " and no Docker for "
                        + "Testcontainers. Run ./run-tests.sh (it installs and starts PostgreSQL).");
            }
            if (container == null) {
                container = new PostgreSQLContainer("postgres:16-alpine");
                container.start();
            }
            base = "jdbc:postgresql://" + container.getHost() + ":" + container.getFirstMappedPort() + "/";
            user = container.getUsername();
            password = container.getPassword();
        }
        String name = "rf_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(base + "postgres", user, password);
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (Exception e) {
            throw new IllegalStateException("could not create test database on " + base, e);
        }
        return new Database(base + name, user, password);
    }
}
