package dev.runeforge.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL pool and its schema. The service starts whether or not PostgreSQL is up: the pool is built
 * without a first connection and Flyway migrations run on a background thread that retries until they succeed.
 * A database outage must show as "not ready", never as a crash-loop, because a crash-looping pod is
 * restarted with growing back-off and so recovers later than the database does, and meanwhile it also drops
 * its NATS endpoints and admin port, leaving operators nothing to look at.
 */
final class Database implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Database.class.getName());
    private static final long MAX_RETRY_MS = 30_000;

    private final HikariDataSource pool;
    // Virtual threads: a probe that hangs on a dead database costs nothing while it waits to be cancelled.
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Thread migrator;
    private volatile boolean migrated;
    private volatile boolean closed;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Builds the pool (no connection yet) and starts migrating in the background. */
    static Database open(String url, String user, String password, int poolSize, MeterRegistry registry) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("rf-persistence");
        config.setJdbcUrl(Objects.requireNonNull(url, "db.url"));
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        // -1: do not fail (or even wait) when the first connection cannot be made; see the class comment.
        config.setInitializationFailTimeout(-1);
        // A caller on the bus waits a few seconds at most; holding its request longer than that helps nobody.
        config.setConnectionTimeout(5_000);
        config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        Database db = new Database(new HikariDataSource(config));
        db.migrator = Thread.ofVirtual().name("flyway-migrate").start(db::migrateUntilDone);
        return db;
    }

    DataSource dataSource() {
        return pool;
    }

    /** True once the schema is current. */
    boolean migrated() {
        return migrated;
    }

    /**
     * Ready to serve: the schema is current and a pooled connection proves valid within one second. The whole
     * check is bounded by that second (Kubernetes probes time out at 1 s by default), even when the pool would
     * wait longer for a connection to a database that stopped answering.
     */
    boolean ready() {
        if (!migrated || closed) {
            return false;
        }
        Future<Boolean> probe = probes.submit(this::connectionValid);
        try {
            return probe.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            probe.cancel(true);
            return false;
        } catch (InterruptedException e) {
            probe.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    private boolean connectionValid() throws SQLException {
        try (Connection c = pool.getConnection()) {
            return c.isValid(1);
        }
    }

    // Several replicas may run this at once: Flyway serialises them with a PostgreSQL advisory lock.
    private void migrateUntilDone() {
        long waitMs = 500;
        while (!closed) {
            try {
                var result = Flyway.configure()
                        .dataSource(pool)
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
                migrated = true;
                LOG.info(() -> "database schema at version " + result.targetSchemaVersion + " ("
                        + result.migrationsExecuted + " migrations applied)");
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                long wait = waitMs;
                LOG.warning(() -> "database migration failed, retrying in " + wait + " ms: " + e.getMessage());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    return;
                }
                waitMs = Math.min(waitMs * 2, MAX_RETRY_MS);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread m = migrator;
        if (m != null) {
            // Interrupting cuts short a wait for a connection or a migration in progress; the latter rolls back
            // (PostgreSQL DDL is transactional) and the next start runs it again.
            m.interrupt();
            try {
                m.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        probes.shutdownNow();
        pool.close();
    }
}
