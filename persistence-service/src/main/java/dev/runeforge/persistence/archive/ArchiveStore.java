package dev.runeforge.persistence.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.persistence.Rows;
import dev.runeforge.persistence.Sql;

/**
 * The event archive, session history and player statistics (V4__session_history.sql).
 *
 * <p>Writes ({@link #store}) come from the {@code archive} projection, one batch of stored commits per
 * transaction. Every event is inserted keyed by (session, seq), and its tallies are added to
 * {@code player_stats} only when that insert made a new row: a redelivered or replayed commit changes nothing.
 * A commit carrying a session summary updates {@code sessions}/{@code session_members} only when the summary is
 * newer (by seq) than the one the row reflects, so replicas projecting out of order never roll history back.
 */
public final class ArchiveStore {
    private static final Logger LOG = Logger.getLogger(ArchiveStore.class.getName());
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    /** The counters {@code player_stats} has; a tally naming another is ignored (logged). */
    static final List<String> COUNTERS = List.of("rolls", "natural_20s", "encounters_won");

    /**
     * Every event of a batch in ONE statement (arrays unnested into rows), which returns the keys of the rows that
     * are new. As a JDBC batch of one insert per event, PostgreSQL planned and ran each on its own: at 1,142
     * rolls/s it used more CPU than nats-server (docs/performance.md). Times travel as epoch milliseconds.
     */
    private static final String INSERT_EVENTS = """
            INSERT INTO session_events (session, seq, game, type, body, at)
            SELECT e.session, e.seq, e.game, e.type, e.body::jsonb, timestamptz 'epoch' + e.at * interval '1 millisecond'
              FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                   AS e (session, seq, game, type, body, at)
            ON CONFLICT DO NOTHING
            RETURNING session, seq""";
    private static final String ADD_STATS = """
            INSERT INTO player_stats AS s (player, rolls, natural_20s, encounters_won) VALUES (?, ?, ?, ?)
            ON CONFLICT (player) DO UPDATE SET rolls = s.rolls + EXCLUDED.rolls,
                natural_20s = s.natural_20s + EXCLUDED.natural_20s,
                encounters_won = s.encounters_won + EXCLUDED.encounters_won""";
    private static final String TOUCH_SESSION = """
            INSERT INTO sessions AS s (id, game, code, created_at, updated_at, last_seq) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET last_seq = GREATEST(s.last_seq, EXCLUDED.last_seq),
                updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at)""";
    private static final String APPLY_SUMMARY = """
            UPDATE sessions SET code = COALESCE(?, code), host = ?, barred = ?::jsonb,
                   closed_at = CASE WHEN ? THEN COALESCE(closed_at, ?) ELSE NULL END, summary_seq = ?
             WHERE id = ? AND summary_seq < ?""";
    private static final String MEMBERS_LEFT = """
            UPDATE session_members SET left_at = ?
             WHERE session = ? AND left_at IS NULL AND NOT (player = ANY (?))""";
    private static final String MEMBER_IN = """
            INSERT INTO session_members AS m (session, player, name, ord, joined_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (session, player) DO UPDATE SET name = EXCLUDED.name, ord = EXCLUDED.ord,
                joined_at = CASE WHEN m.left_at IS NULL THEN m.joined_at ELSE EXCLUDED.joined_at END,
                left_at = NULL""";
    private static final String MINE = """
            SELECT id, game, code, host, barred, closed_at, last_seq, updated_at
              FROM sessions
             WHERE id IN (SELECT session FROM session_members WHERE player = ?)
             ORDER BY updated_at DESC, id
             LIMIT ?""";
    private static final String CURRENT_MEMBERS = """
            SELECT session, player, name FROM session_members
             WHERE session = ANY (?) AND left_at IS NULL
             ORDER BY session, ord, joined_at, player""";
    private static final String STATS = "SELECT rolls, natural_20s, encounters_won FROM player_stats WHERE player = ?";
    private static final String EVENTS = """
            SELECT seq, game, body::text FROM session_events WHERE session = ? AND seq > ? ORDER BY seq LIMIT ?""";
    private static final String GAME_OF = "SELECT game FROM session_events WHERE session = ? LIMIT 1";

    private final DataSource db;

    public ArchiveStore(DataSource db) {
        this.db = Objects.requireNonNull(db);
    }

    /**
     * One transaction, a few round trips whatever the batch's size (one statement per event was most of the
     * projection's cost): every event inserted by one statement, which returns the keys of the new rows; the
     * statistics of the new ones summed per player, one upsert each; each session touched once, with the last seq
     * and time the batch holds; the summaries that changed, in order.
     */
    public void apply(List<EventsStream.Stored> commits) throws SQLException {
        Sql.transaction(db, c -> {
            try (PreparedStatement event = c.prepareStatement(INSERT_EVENTS);
                 PreparedStatement stats = c.prepareStatement(ADD_STATS);
                 PreparedStatement touch = c.prepareStatement(TOUCH_SESSION);
                 PreparedStatement summary = c.prepareStatement(APPLY_SUMMARY);
                 PreparedStatement left = c.prepareStatement(MEMBERS_LEFT);
                 PreparedStatement in = c.prepareStatement(MEMBER_IN)) {
                Rows events = new Rows(6);
                List<Commit> commitByEvent = new ArrayList<>();
                List<Map<String, Map<String, Long>>> talliesByEvent = new ArrayList<>();
                Map<String, EventsStream.Stored> lastOfSession = new LinkedHashMap<>();
                for (EventsStream.Stored stored : commits) {
                    Commit commit = stored.commit();
                    long seq = commit.firstSeq();
                    for (var body : commit.events()) {
                        events.add(commit.session(), seq, stored.game(), EventsStream.type(body), Json.text(body),
                                commit.at());
                        commitByEvent.add(commit);
                        talliesByEvent.add(stored.declared().tallies().get(seq));
                        seq++;
                    }
                    lastOfSession.merge(commit.session(), stored,
                            (a, b) -> a.commit().lastSeq() >= b.commit().lastSeq() ? a : b);
                }
                Set<EventKey> inserted = new HashSet<>();
                if (!events.isEmpty()) {
                    events.bind(c, event, 1, "text", "bigint", "text", "text", "text", "bigint");
                    try (ResultSet rows = event.executeQuery()) {
                        while (rows.next()) {
                            inserted.add(new EventKey(rows.getString(1), rows.getLong(2)));
                        }
                    }
                }
                // The tallies of the events that are new rows, summed per player: a redelivered event adds nothing,
                // and an event twice in this batch counts once (its key is taken out of the new ones).
                Map<String, long[]> added = new LinkedHashMap<>();
                for (int i = 0; i < commitByEvent.size(); i++) {
                    Commit commit = commitByEvent.get(i);
                    long seq = (Long) events.get(i, 1);
                    Map<String, Map<String, Long>> tally = talliesByEvent.get(i);
                    if (inserted.remove(new EventKey(commit.session(), seq)) && tally != null) {
                        sum(added, commit, seq, tally);
                    }
                }
                for (var player : added.entrySet()) {
                    stats.setString(1, player.getKey());
                    for (int k = 0; k < COUNTERS.size(); k++) {
                        stats.setLong(2 + k, player.getValue()[k]);
                    }
                    stats.addBatch();
                }
                if (!added.isEmpty()) {
                    stats.executeBatch();
                }
                for (EventsStream.Stored stored : lastOfSession.values()) {
                    Commit commit = stored.commit();
                    OffsetDateTime at = time(commit.at());
                    touch.setString(1, commit.session());
                    touch.setString(2, stored.game());
                    touch.setString(3, commit.code());
                    touch.setObject(4, at);
                    touch.setObject(5, at);
                    touch.setLong(6, commit.lastSeq());
                    touch.addBatch();
                }
                touch.executeBatch();
                for (EventsStream.Stored stored : commits) {
                    if (stored.summary() != null) {
                        applySummary(c, summary, left, in, stored.summary(), time(stored.commit().at()));
                    }
                }
            }
            return null;
        });
    }

    /** An event's place in its session's log: the archive's key. */
    private record EventKey(String session, long seq) {
    }

    /** Adds one event's tally to the per-player sums (counters in {@link #COUNTERS} order). */
    private static void sum(Map<String, long[]> added, Commit commit, long seq,
                            Map<String, Map<String, Long>> tally) {
        for (var player : tally.entrySet()) {
            for (String counter : player.getValue().keySet()) {
                if (!COUNTERS.contains(counter)) {
                    LOG.warning(() -> "archive: event " + seq + " of session " + commit.session()
                            + " tallies unknown counter '" + counter + "'; ignored");
                }
            }
            long[] sums = added.computeIfAbsent(player.getKey(), p -> new long[COUNTERS.size()]);
            for (int k = 0; k < COUNTERS.size(); k++) {
                sums[k] += player.getValue().getOrDefault(COUNTERS.get(k), 0L);
            }
        }
    }

    private static void applySummary(Connection c, PreparedStatement summary, PreparedStatement left,
                                     PreparedStatement in, SessionSummary s, OffsetDateTime at) throws SQLException {
        summary.setString(1, s.code());
        summary.setString(2, s.host());
        summary.setString(3, Json.text(s.barred()));
        summary.setBoolean(4, s.closed());
        summary.setObject(5, at);
        summary.setLong(6, s.seq());
        summary.setString(7, s.session());
        summary.setLong(8, s.seq());
        if (summary.executeUpdate() == 0) {
            return; // a summary as new or newer is in already
        }
        String[] ids = s.members().stream().map(SessionSummary.Member::id).toArray(String[]::new);
        left.setObject(1, at);
        left.setString(2, s.session());
        left.setArray(3, c.createArrayOf("text", ids));
        left.executeUpdate();
        int ord = 0;
        for (SessionSummary.Member m : s.members()) {
            in.setString(1, s.session());
            in.setString(2, m.id());
            in.setString(3, m.name());
            in.setInt(4, ord++);
            in.setObject(5, at);
            in.executeUpdate();
        }
    }

    /**
     * The sessions {@code player} was ever a member of, newest activity first, at most {@code limit}; each as its
     * latest summary (current members; {@code code} null once closed).
     */
    public List<SessionSummary> mine(String player, int limit) throws SQLException {
        try (Connection c = db.getConnection()) {
            Map<String, SessionSummary> found = new LinkedHashMap<>();
            try (PreparedStatement st = c.prepareStatement(MINE)) {
                st.setString(1, player);
                st.setInt(2, limit);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        boolean closed = rs.getObject("closed_at") != null;
                        found.put(rs.getString("id"), new SessionSummary(rs.getString("id"), rs.getString("game"),
                                closed ? null : rs.getString("code"), rs.getString("host"), List.of(),
                                strings(rs.getString("barred")), closed, rs.getLong("last_seq"),
                                rs.getObject("updated_at", OffsetDateTime.class).toInstant().toEpochMilli()));
                    }
                }
            }
            if (found.isEmpty()) {
                return List.of();
            }
            Map<String, List<SessionSummary.Member>> members = new LinkedHashMap<>();
            try (PreparedStatement st = c.prepareStatement(CURRENT_MEMBERS)) {
                st.setArray(1, c.createArrayOf("text", found.keySet().toArray(String[]::new)));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        members.computeIfAbsent(rs.getString("session"), k -> new ArrayList<>())
                                .add(new SessionSummary.Member(rs.getString("player"), rs.getString("name")));
                    }
                }
            }
            return found.values().stream().map(s -> new SessionSummary(s.session(), s.game(), s.code(), s.host(),
                    members.getOrDefault(s.session(), List.of()), s.barred(), s.closed(), s.seq(), s.updated()))
                    .toList();
        }
    }

    /** {@code player}'s statistics; zeros for a player never seen. */
    public SessionHistory.Stats stats(String player) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(STATS)) {
            st.setString(1, player);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? new SessionHistory.Stats(rs.getLong(1), rs.getLong(2), rs.getLong(3))
                        : SessionHistory.Stats.NONE;
            }
        }
    }

    /** Archived events of a session after {@code after}; empty when the archive has none of it at all. */
    public Optional<SessionHistory.Events> events(String session, long after, int limit) throws SQLException {
        try (Connection c = db.getConnection()) {
            List<SessionHistory.Event> events = new ArrayList<>();
            String game = null;
            try (PreparedStatement st = c.prepareStatement(EVENTS)) {
                st.setString(1, session);
                st.setLong(2, after);
                st.setInt(3, limit + 1);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        game = rs.getString(2);
                        events.add(new SessionHistory.Event(rs.getLong(1), Json.tree(rs.getString(3).getBytes(
                                java.nio.charset.StandardCharsets.UTF_8))));
                    }
                }
            }
            if (game == null) {
                try (PreparedStatement st = c.prepareStatement(GAME_OF)) {
                    st.setString(1, session);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        game = rs.getString(1);
                    }
                }
            }
            boolean more = events.size() > limit;
            return Optional.of(new SessionHistory.Events(game, more ? events.subList(0, limit) : events, more));
        }
    }

    private static List<String> strings(String json) {
        try {
            return json == null ? List.of() : Json.MAPPER.readValue(json, STRINGS);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static OffsetDateTime time(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }
}
