package dev.runeforge.persistence;

import java.time.Duration;
import java.util.Objects;

import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.RuntimeSettings;

/**
 * Every setting persistence-service reads (docs/operations.md, Configuration), read once by {@link Main}; each
 * default is stated here and nowhere else.
 */
public record PersistenceSettings(RuntimeSettings runtime, Db db, Permalinks permalinks, Projection projection,
                                  Guests guests) {
    public static final int ADMIN_PORT = 9083;

    public PersistenceSettings {
        Objects.requireNonNull(runtime);
        Objects.requireNonNull(db);
        Objects.requireNonNull(permalinks);
        Objects.requireNonNull(projection);
        Objects.requireNonNull(guests);
    }

    /**
     * {@code guests.*}: a guest whose oldest save is older than {@code retention} (its sign-in, which lives at most
     * {@code auth.refresh.max-lifetime}, is over) is deleted with its saves and statistics, checked every
     * {@code cleanupInterval}.
     */
    public record Guests(Duration retention, Duration cleanupInterval) {
    }

    /**
     * {@code db.*}: the PostgreSQL pool. The URL and password are secrets (a JDBC URL may carry credentials): masked
     * on {@code /settings}, and readable from {@code DB_URL_FILE} / {@code DB_PASSWORD_FILE}.
     */
    public record Db(String url, String user, String password, int poolSize) {
        public Db {
            Objects.requireNonNull(url);
            Objects.requireNonNull(user);
            Objects.requireNonNull(password);
            if (poolSize < 1) {
                throw new IllegalArgumentException("db.pool.size must be at least 1: " + poolSize);
            }
        }

        @Override
        public String toString() {
            return "Db[url=***, user=" + user + ", password=***, poolSize=" + poolSize + "]";
        }
    }

    /** {@code permalinks.*}: how long a permalink lives and the cleanup period. */
    public record Permalinks(Duration ttl, Duration cleanupInterval) {
    }

    /**
     * {@code projection.*}: the durable consumer projecting the events stream into every table (permalinks, the
     * archive, session history, statistics), and the redelivery wait of an unacked batch.
     */
    public record Projection(String consumer, Duration ackWait) {
    }

    public static PersistenceSettings read(ServiceConfig c) {
        RuntimeSettings runtime = RuntimeSettings.read(c, ADMIN_PORT);
        Db db = new Db(
                c.secret("db.url", "jdbc:postgresql://127.0.0.1:5432/runeforge"),
                c.string("db.user", "postgres"),
                c.secret("db.password", ""),
                c.integer("db.pool.size", 5));
        Permalinks permalinks = new Permalinks(
                c.duration("permalinks.ttl", Duration.ofDays(30)),
                c.duration("permalinks.cleanup.interval", Duration.ofHours(1)));
        Projection projection = new Projection(c.string("projection.consumer", "projections"),
                c.duration("projection.ackwait", Duration.ofSeconds(30)));
        Guests guests = new Guests(c.duration("guests.retention", Duration.ofDays(90)),
                c.duration("guests.cleanup.interval", Duration.ofHours(1)));
        return new PersistenceSettings(runtime, db, permalinks, projection, guests);
    }
}
