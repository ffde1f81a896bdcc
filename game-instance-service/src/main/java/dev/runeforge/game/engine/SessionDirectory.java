package dev.runeforge.game.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;

/**
 * The session directory: the KV bucket {@code <ns>-sessions} (session id -> {@link SessionSummary} JSON) that
 * lets the platform outside a game (REST, voice, history) see who is in a session. The owning instance writes a
 * session's summary after a stored commit changed it: membership, names, host, barred players or closing. A plain
 * game action changes none of that and costs nothing here but one comparison (no I/O, no thread hand-off).
 *
 * <p>Writes are compare-and-set on the entry's revision, and an entry already reflecting a later event is never
 * overwritten: a stale owner (fenced out since) whose write arrives late cannot roll the directory back.
 */
public final class SessionDirectory {
    private static final Logger LOG = Logger.getLogger(SessionDirectory.class.getName());

    /** What we last wrote (or found) per session, and the entry's revision then. */
    private record Written(SessionSummary summary, long revision) {
    }

    private final KeyValue kv;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    public SessionDirectory(KeyValue kv) {
        this.kv = Objects.requireNonNull(kv);
    }

    /** The summary of {@code s} as of its last event, stamped {@code updated} (epoch ms). Null before creation. */
    public static <S, C, E> SessionSummary summary(LiveSession<S, C, E> s, long updated) {
        if (!s.created()) {
            return null;
        }
        GameRules<S, C, E> rules = s.rules();
        S state = s.state();
        boolean closed = rules.closed(state);
        List<SessionSummary.Member> members = new ArrayList<>();
        rules.memberNames(state).forEach((id, name) -> members.add(new SessionSummary.Member(id, name)));
        return new SessionSummary(s.id(), rules.id(), closed ? null : s.code(), rules.host(state).orElse(null),
                members, rules.barred(state), closed, s.seq(), updated);
    }

    /** Whether two summaries say the same thing, whatever event they were stamped with. */
    public static boolean same(SessionSummary a, SessionSummary b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.session().equals(b.session()) && a.game().equals(b.game()) && Objects.equals(a.code(), b.code())
                && Objects.equals(a.host(), b.host()) && a.members().equals(b.members())
                && a.barred().equals(b.barred()) && a.closed() == b.closed();
    }

    /** Whether {@code summary} says something the directory does not hold yet (as far as this instance knows). */
    public boolean changes(SessionSummary summary) {
        Written last = written.get(summary.session());
        return last == null || !same(last.summary(), summary);
    }

    /**
     * Writes {@code summary} unless the directory holds it already. Never throws: a failed write is logged and
     * tried again after the session's next commit (the directory is a view of the log, not the truth).
     */
    public void publish(SessionSummary summary) {
        if (!changes(summary)) {
            return;
        }
        try {
            write(summary);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            written.remove(summary.session());
            LOG.log(Level.WARNING, "session directory: writing session " + summary.session() + " failed", e);
        }
    }

    /**
     * A session was loaded (a takeover, a restart): learn what the directory holds for it, and write the loaded
     * state when the entry is missing or says otherwise (the previous owner may have stopped between storing a
     * commit and writing its summary). A closed session whose entry aged out stays out.
     */
    public void loaded(SessionSummary summary) {
        if (summary == null) {
            return;
        }
        try {
            KeyValueEntry entry = kv.get(summary.session());
            SessionSummary stored = readable(entry);
            if (stored != null) {
                written.put(summary.session(), new Written(stored, entry.getRevision()));
            } else if (summary.closed()) {
                return;
            }
            publish(summary);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            written.remove(summary.session());
            LOG.log(Level.WARNING, "session directory: reading session " + summary.session() + " failed", e);
        }
    }

    /** Forgets what we know of {@code session} (its partition moved away). */
    public void forget(String session) {
        written.remove(session);
    }

    /** Forgets every session {@code which} matches (a lost partition). */
    public void forgetIf(java.util.function.Predicate<String> which) {
        written.keySet().removeIf(which);
    }

    private void write(SessionSummary summary) throws IOException, JetStreamApiException {
        String key = summary.session();
        byte[] value = Json.bytes(summary);
        Written last = written.get(key);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                long revision = last == null ? kv.create(key, value) : kv.update(key, value, last.revision());
                written.put(key, new Written(summary, revision));
                return;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                    throw e;
                }
            }
            // Someone wrote since (or the entry exists though we did not know): see what it says.
            KeyValueEntry entry = kv.get(key);
            SessionSummary stored = readable(entry);
            if (stored == null) {
                last = entry == null ? null : new Written(null, entry.getRevision());
                if (entry != null && entry.getValue() == null) {
                    last = null; // deleted or purged: the next create succeeds
                }
                continue;
            }
            if (stored.seq() >= summary.seq()) {
                written.put(key, new Written(stored, entry.getRevision())); // a later event's summary: keep it
                return;
            }
            last = new Written(stored, entry.getRevision());
        }
        throw new IOException("session " + key + " kept changing under us");
    }

    private static SessionSummary readable(KeyValueEntry entry) {
        if (entry == null || entry.getValue() == null || entry.getValue().length == 0) {
            return null;
        }
        try {
            return Json.read(entry.getValue(), SessionSummary.class);
        } catch (IllegalArgumentException e) {
            return null; // unreadable: overwrite it
        }
    }
}
