package dev.runeforge.persistence.save;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Guests that can no longer be used are deleted with their saves (up to 10 x 256 KiB each) and their statistics,
 * every {@code guests.cleanup.interval}. A guest is an id (`g-…`) and nothing else: no password, no email, no row
 * in {@code players}; its only way back is its sign-in, whose absolute life is {@code auth.refresh.max-lifetime}
 * (90 days) from the moment the guest was made. A guest's first save is made after the guest, so once its oldest
 * save is older than {@code guests.retention} (90 days; keep it at least that max lifetime) the guest cannot sign in
 * any more, and nothing of it can be reached again. OIDC players are never touched. Several replicas running it at
 * once delete the same rows harmlessly.
 */
public final class GuestRetention implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GuestRetention.class.getName());
    /** Guests handled per statement, so one run never holds a long transaction. */
    private static final int BATCH = 500;

    private final DataSource db;
    private final Duration retention;
    private final Counter deleted;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("guest-retention").daemon().factory());

    public GuestRetention(DataSource db, Duration retention, Duration interval, MeterRegistry registry) {
        this.db = db;
        this.retention = retention;
        this.deleted = Counter.builder("rf_persistence_guests_deleted_total")
                .description("Guests past guests.retention deleted with their saves and statistics").register(registry);
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = deleteExpired();
                if (n > 0) {
                    LOG.info(() -> "deleted " + n + " guests unused for " + retention.toDays() + " days, with their saves");
                }
            } catch (Exception e) {
                LOG.warning(() -> "guest retention failed (retried next run): " + e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes every guest whose oldest save is past the retention, with its saves and statistics; returns how many. */
    public int deleteExpired() throws SQLException {
        int total = 0;
        while (true) {
            int n = deleteBatch();
            total += n;
            deleted.increment(n);
            if (n < BATCH) {
                return total;
            }
        }
    }

    private int deleteBatch() throws SQLException {
        try (Connection c = db.getConnection()) {
            List<String> guests = new ArrayList<>();
            try (PreparedStatement find = c.prepareStatement("""
                    SELECT player FROM saves WHERE player LIKE 'g-%'
                     GROUP BY player HAVING min(created) <= now() - ? * interval '1 millisecond'
                     LIMIT ?""")) {
                find.setLong(1, retention.toMillis());
                find.setInt(2, BATCH);
                try (ResultSet rs = find.executeQuery()) {
                    while (rs.next()) {
                        guests.add(rs.getString(1));
                    }
                }
            }
            if (guests.isEmpty()) {
                return 0;
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement saves = c.prepareStatement("DELETE FROM saves WHERE player = ANY(?)");
                 PreparedStatement stats = c.prepareStatement("DELETE FROM player_stats WHERE player = ANY(?)")) {
                Array ids = c.createArrayOf("text", guests.toArray());
                saves.setArray(1, ids);
                saves.executeUpdate();
                stats.setArray(1, ids);
                stats.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
            return guests.size();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
