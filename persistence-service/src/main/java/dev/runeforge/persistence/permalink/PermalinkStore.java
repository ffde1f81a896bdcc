package dev.runeforge.persistence.permalink;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.persistence.Rows;
import dev.runeforge.persistence.Sql;

/**
 * The permalink tables (V2__roll_permalinks.sql): idempotent writes of projected facts, reads of public rolls,
 * and the deletion of expired ones.
 */
public final class PermalinkStore {
    private static final TypeReference<List<PublicRoll.Term>> TERMS = new TypeReference<>() {
    };

    /**
     * Every roll of a batch in ONE statement (arrays unnested into rows): as a JDBC batch of one insert per roll,
     * PostgreSQL planned and ran each on its own (docs/performance.md). Times travel as epoch milliseconds.
     */
    private static final String INSERT_ROLLS = """
            INSERT INTO roll_permalinks (id, session, seq, room_code, formula, terms, modifier, total, dc, passed,
                                         player_name, rolled_at, hidden, expires_at, label, advantage)
            SELECT r.id, r.session, r.seq, r.room_code, r.formula, r.terms::jsonb, r.modifier, r.total, r.dc, r.passed,
                   r.player_name, timestamptz 'epoch' + r.at * interval '1 millisecond', r.hidden,
                   timestamptz 'epoch' + (r.at + ?) * interval '1 millisecond', r.label, r.advantage
              FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::integer[],
                          ?::integer[], ?::integer[], ?::boolean[], ?::text[], ?::bigint[], ?::boolean[], ?::text[],
                          ?::text[])
                   AS r (id, session, seq, room_code, formula, terms, modifier, total, dc, passed, player_name, at,
                         hidden, label, advantage)
            ON CONFLICT DO NOTHING""";
    private static final String INSERT_REVEAL = """
            INSERT INTO roll_reveals (roll_id, session, seq, revealed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    /** Whichever of the roll and its reveal is stored second makes the reveal take effect. */
    private static final String APPLY_REVEAL = """
            UPDATE roll_permalinks p
               SET revealed_at = v.revealed_at, expires_at = v.revealed_at + ? * interval '1 millisecond'
              FROM roll_reveals v
             WHERE p.id = ? AND v.roll_id = p.id AND p.revealed_at IS NULL""";
    private static final String FIND = """
            SELECT session, formula, terms, modifier, total, dc, passed, player_name, rolled_at, revealed_at, hidden,
                   expires_at, label, advantage
              FROM roll_permalinks
             WHERE id = ? AND expires_at > now() AND (NOT hidden OR revealed_at IS NOT NULL)""";

    private final DataSource db;
    private final Duration ttl;
    private final Timer applyTime;
    private final Timer findTime;
    private final Timer deleteTime;

    public PermalinkStore(DataSource db, Duration ttl) {
        this(db, ttl, new SimpleMeterRegistry());
    }

    /** Times each operation (connection wait included) in {@code rf_persistence_query_duration_seconds{operation}}. */
    public PermalinkStore(DataSource db, Duration ttl, MeterRegistry registry) {
        this.db = Objects.requireNonNull(db);
        this.ttl = Objects.requireNonNull(ttl);
        this.applyTime = Sql.queryTimer(registry, "permalink_apply");
        this.findTime = Sql.queryTimer(registry, "permalink_find");
        this.deleteTime = Sql.queryTimer(registry, "permalink_delete_expired");
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * Stores {@code facts} in one transaction: all of them or none. A fact already stored (same session and
     * sequence, or same roll) changes nothing. Throws when the database does not answer; the caller retries.
     */
    public void apply(List<PlacedRoll> facts) throws SQLException {
        if (facts.isEmpty()) {
            return;
        }
        Timer.Sample sample = Timer.start();
        try {
            applyUntimed(facts);
        } finally {
            sample.stop(applyTime);
        }
    }

    /**
     * One transaction in at most four round trips whatever the batch's size: the advisory locks of the hidden
     * rolls and reveals it touches (one statement, sorted), the rolls (one statement), the reveals (one JDBC batch)
     * and the reveals applied (one JDBC batch). One statement per fact was most of the projection's cost.
     */
    private void applyUntimed(List<PlacedRoll> facts) throws SQLException {
        Sql.transaction(db, c -> {
            // A hidden roll and its reveal may be projected at once by two replicas: each transaction first locks
            // the ones it touches (sorted, so two batches cannot deadlock), so the second sees the first's row. A
            // public roll is never revealed: nothing to lock.
            TreeSet<String> locks = new TreeSet<>();
            for (PlacedRoll placed : facts) {
                if (revealable(placed)) {
                    locks.add("roll:" + placed.fact().id());
                }
            }
            if (!locks.isEmpty()) {
                try (PreparedStatement lock = c.prepareStatement(LOCK_ROLLS)) {
                    lock.setArray(1, c.createArrayOf("text", locks.toArray()));
                    lock.execute();
                }
            }
            try (PreparedStatement roll = c.prepareStatement(INSERT_ROLLS);
                 PreparedStatement reveal = c.prepareStatement(INSERT_REVEAL);
                 PreparedStatement applyReveal = c.prepareStatement(APPLY_REVEAL)) {
                Rows rolls = new Rows(15);
                boolean reveals = false;
                boolean applies = false;
                for (PlacedRoll placed : facts) {
                    switch (placed.fact()) {
                        case RollFact.Rolled r -> rolls.add(r.id(), placed.session(), placed.seq(), placed.code(),
                                r.formula(), Json.text(r.terms()), r.modifier(), r.total(), r.dc(), r.passed(), r.name(),
                                r.at(), r.hidden(), r.label(), r.advantage());
                        case RollFact.Revealed r -> {
                            reveal.setString(1, r.id());
                            reveal.setString(2, placed.session());
                            reveal.setLong(3, placed.seq());
                            reveal.setObject(4, time(r.at()));
                            reveal.addBatch();
                            reveals = true;
                        }
                    }
                    // Only a hidden roll is ever revealed: a public one has nothing to apply.
                    if (revealable(placed)) {
                        applyReveal.setLong(1, ttl.toMillis());
                        applyReveal.setString(2, placed.fact().id());
                        applyReveal.addBatch();
                        applies = true;
                    }
                }
                if (!rolls.isEmpty()) {
                    roll.setLong(1, ttl.toMillis());
                    rolls.bind(c, roll, 2, "text", "text", "bigint", "text", "text", "text", "integer", "integer",
                            "integer", "boolean", "text", "bigint", "boolean", "text", "text");
                    roll.executeUpdate();
                }
                if (reveals) {
                    reveal.executeBatch();
                }
                if (applies) {
                    applyReveal.executeBatch(); // after both: whichever of a roll and its reveal came second applies it
                }
            }
            return null;
        });
    }

    /** Whether a reveal concerns this fact: a hidden roll, or a reveal itself (a public roll is never revealed). */
    private static boolean revealable(PlacedRoll placed) {
        return !(placed.fact() instanceof RollFact.Rolled r) || r.hidden();
    }

    /** Transaction-level advisory locks on the given keys, taken in the order given (sorted by the caller). */
    private static final String LOCK_ROLLS = """
            SELECT pg_advisory_xact_lock(hashtext(k)) FROM (SELECT unnest(?::text[]) AS k ORDER BY 1) AS keys""";

    /** The public permalink of roll {@code id}: empty when unknown, hidden and unrevealed, or expired. */
    public Optional<Permalink> find(String id) throws SQLException {
        Timer.Sample sample = Timer.start();
        try {
            return findUntimed(id);
        } finally {
            sample.stop(findTime);
        }
    }

    private Optional<Permalink> findUntimed(String id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(FIND)) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                OffsetDateTime revealed = rs.getObject("revealed_at", OffsetDateTime.class);
                PublicRoll roll = new PublicRoll(PublicRoll.VERSION, id, roomDigest(rs.getString("session")),
                        rs.getString("player_name"), rs.getString("formula"),
                        Json.MAPPER.readValue(rs.getString("terms"), TERMS), rs.getInt("modifier"), rs.getInt("total"),
                        (Integer) rs.getObject("dc"), (Boolean) rs.getObject("passed"), rs.getBoolean("hidden"),
                        millis(rs.getObject("rolled_at", OffsetDateTime.class)),
                        revealed == null ? null : millis(revealed), rs.getString("label"), rs.getString("advantage"));
                return Optional.of(new Permalink(roll, millis(rs.getObject("expires_at", OffsetDateTime.class))));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("unreadable terms of roll " + id, e);
            }
        }
    }

    /** Deletes expired permalinks and reveals no roll can still need; returns how many permalinks went. */
    public int deleteExpired() throws SQLException {
        Timer.Sample sample = Timer.start();
        try {
            return deleteExpiredUntimed();
        } finally {
            sample.stop(deleteTime);
        }
    }

    private int deleteExpiredUntimed() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement rolls = c.prepareStatement("DELETE FROM roll_permalinks WHERE expires_at <= now()");
             PreparedStatement reveals = c.prepareStatement(
                     "DELETE FROM roll_reveals WHERE revealed_at <= now() - ? * interval '1 millisecond'")) {
            int deleted = rolls.executeUpdate();
            reveals.setLong(1, ttl.toMillis());
            reveals.executeUpdate();
            return deleted;
        }
    }

    /**
     * How a permalink names its room without revealing it: the first 16 base64url characters of
     * SHA-256("rf-room:" + session). Session ids are random (122 bits), so the digest cannot be turned back into a
     * session, let alone into the room code a stranger could join with.
     */
    static String roomDigest(String session) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(("rf-room:" + session).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private static long millis(OffsetDateTime t) {
        return t.toInstant().toEpochMilli();
    }
}
