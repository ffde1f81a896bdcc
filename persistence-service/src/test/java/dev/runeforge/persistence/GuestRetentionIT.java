package dev.runeforge.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guests past {@code guests.retention} are deleted with their saves and statistics by the running service; a newer
 * guest and an OIDC player with old saves are kept.
 */
class GuestRetentionIT {
    private static String ns;
    private static TestPostgres.Database db;
    private static ServiceRuntime.Running persistence;

    @BeforeAll
    static void start() throws Exception {
        ns = TestNats.newNamespace();
        db = TestPostgres.newDatabase();
        persistence = Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, Map.of("bus.namespace", ns,
                "admin.port", "0", "db.url", db.jdbcUrl(), "db.user", db.user(), "db.password", db.password(),
                "guests.retention", "PT1H", "guests.cleanup.interval", "PT0.2S"))));
    }

    @AfterAll
    static void stop() {
        if (persistence != null) {
            persistence.close();
        }
        TestNats.deleteNamespace(ns);
    }

    private static Connection sql() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static void save(Connection c, String player, int slot, String age) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO saves (player, slot, name, game, data, created, updated)"
                + " VALUES (?, ?, 'a save', 'dice', '{}'::jsonb, now() - ?::interval, now())")) {
            p.setString(1, player);
            p.setInt(2, slot);
            p.setString(3, age);
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO player_stats (player, rolls) VALUES (?, 1) ON CONFLICT (player) DO NOTHING")) {
            p.setString(1, player);
            p.executeUpdate();
        }
    }

    private static long count(Connection c, String sql, String player) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, player);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void guestsPastTheRetentionGoWithTheirSavesAndOthersStay() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Connection c = sql()) {
            while (true) { // the service migrates the fresh database in the background
                try {
                    save(c, "g-old", 1, "2 hours");
                    break;
                } catch (SQLException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(200);
                }
            }
            save(c, "g-old", 2, "1 minute"); // a recent save does not keep a guest whose sign-in is over
            save(c, "g-new", 1, "1 minute");
            save(c, "p-oidc", 1, "400 days");
            while (count(c, "SELECT count(*) FROM saves WHERE player = ?", "g-old") > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("g-old's saves were not deleted");
                }
                Thread.sleep(200);
            }
            assertEquals(0, count(c, "SELECT count(*) FROM player_stats WHERE player = ?", "g-old"));
            assertEquals(1, count(c, "SELECT count(*) FROM saves WHERE player = ?", "g-new"));
            assertEquals(1, count(c, "SELECT count(*) FROM player_stats WHERE player = ?", "g-new"));
            assertEquals(1, count(c, "SELECT count(*) FROM saves WHERE player = ?", "p-oidc"));
        }
    }
}
