package dev.runeforge.persistence.save;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import dev.runeforge.common.json.Json;
import dev.runeforge.common.save.Saves;
import dev.runeforge.persistence.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The saves table (V5__saves.sql): ten slots per player. Writing to "the first free slot" takes a per-player
 * advisory lock for its transaction, so two concurrent saves of one player never pick the same slot and an
 * eleventh save is refused rather than overwriting one.
 */
public final class SaveStore {
    /** Thrown by {@link #put} without a slot when all {@link Saves#SLOTS} are taken. */
    public static final class Full extends Exception {
        Full() {
            super("all " + Saves.SLOTS + " save slots are used; delete or overwrite one");
        }
    }

    private static final String COLUMNS = "slot, name, game, data, created, updated";
    private static final String UPSERT = """
            INSERT INTO saves (player, slot, name, game, data) VALUES (?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (player, slot) DO UPDATE
               SET name = EXCLUDED.name, game = EXCLUDED.game, data = EXCLUDED.data, updated = now()
            RETURNING slot, name, game, NULL::jsonb AS data, created, updated""";
    private static final String FIRST_FREE = """
            SELECT s FROM generate_series(1, %d) s
             WHERE NOT EXISTS (SELECT 1 FROM saves WHERE player = ? AND slot = s)
             ORDER BY s LIMIT 1""".formatted(Saves.SLOTS);

    private final DataSource db;
    private final Timer listTime;
    private final Timer getTime;
    private final Timer putTime;
    private final Timer deleteTime;

    public SaveStore(DataSource db, MeterRegistry registry) {
        this.db = Objects.requireNonNull(db);
        this.listTime = Sql.queryTimer(registry, "save_list");
        this.getTime = Sql.queryTimer(registry, "save_get");
        this.putTime = Sql.queryTimer(registry, "save_put");
        this.deleteTime = Sql.queryTimer(registry, "save_delete");
    }

    /** The player's saves by slot, without their data. */
    public List<Saves.Save> list(String player) throws SQLException {
        return timed(listTime, () -> {
            try (Connection c = db.getConnection();
                 PreparedStatement q = c.prepareStatement(
                         "SELECT slot, name, game, NULL::jsonb AS data, created, updated FROM saves WHERE player = ? ORDER BY slot")) {
                q.setString(1, player);
                try (ResultSet rs = q.executeQuery()) {
                    List<Saves.Save> saves = new ArrayList<>();
                    while (rs.next()) {
                        saves.add(row(rs));
                    }
                    return saves;
                }
            }
        });
    }

    public Optional<Saves.Save> get(String player, int slot) throws SQLException {
        return timed(getTime, () -> {
            try (Connection c = db.getConnection();
                 PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM saves WHERE player = ? AND slot = ?")) {
                q.setString(1, player);
                q.setInt(2, slot);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Creates or replaces {@code put.slot()}, or the first free slot when it is null. Returns the save without data. */
    public Saves.Save put(Saves.Put put) throws SQLException, Full {
        Timer.Sample sample = Timer.start();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Integer slot = put.slot();
                if (slot == null) {
                    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                        lock.setString(1, "saves:" + put.player());
                        lock.execute();
                    }
                    try (PreparedStatement q = c.prepareStatement(FIRST_FREE)) {
                        q.setString(1, put.player());
                        try (ResultSet rs = q.executeQuery()) {
                            if (!rs.next()) {
                                c.rollback();
                                throw new Full();
                            }
                            slot = rs.getInt(1);
                        }
                    }
                }
                Saves.Save saved;
                try (PreparedStatement u = c.prepareStatement(UPSERT)) {
                    u.setString(1, put.player());
                    u.setInt(2, slot);
                    u.setString(3, put.name());
                    u.setString(4, put.game());
                    u.setString(5, Json.text(put.data()));
                    try (ResultSet rs = u.executeQuery()) {
                        rs.next();
                        saved = row(rs);
                    }
                }
                c.commit();
                return saved;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } finally {
            sample.stop(putTime);
        }
    }

    /** False when the slot held nothing. */
    public boolean delete(String player, int slot) throws SQLException {
        return timed(deleteTime, () -> {
            try (Connection c = db.getConnection();
                 PreparedStatement d = c.prepareStatement("DELETE FROM saves WHERE player = ? AND slot = ?")) {
                d.setString(1, player);
                d.setInt(2, slot);
                return d.executeUpdate() > 0;
            }
        });
    }

    private static Saves.Save row(ResultSet rs) throws SQLException {
        String data = rs.getString("data");
        return new Saves.Save(rs.getInt("slot"), rs.getString("name"), rs.getString("game"),
                data == null ? null : Json.tree(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                rs.getTimestamp("created").getTime(), rs.getTimestamp("updated").getTime());
    }

    private static <T> T timed(Timer timer, Callable<T> work) throws SQLException {
        Timer.Sample sample = Timer.start();
        try {
            return work.call();
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            sample.stop(timer);
        }
    }
}
