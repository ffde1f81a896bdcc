package dev.runeforge.common.bus;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;

/**
 * The KV bucket {@code <ns>-sessions} ({@link Subjects#sessionsBucket()}): session id -> the {@link SessionSummary}
 * (JSON) its owning game instance last wrote, so the platform outside a game (gateway REST, media-token-service's
 * voice, history) sees who is in a session without knowing any game's rules. One contract for the writer (the game
 * instance, {@link Writer}) and every reader ({@link #find}, {@link #watch}).
 */
public final class SessionsBucket {
    private static final Logger LOG = Logger.getLogger(SessionsBucket.class.getName());

    /** Looks a session's summary up: {@link SessionsBucket#find}, or a test's fake. */
    @FunctionalInterface
    public interface Reader {
        /**
         * The session's latest summary; empty when there is none (never was, deleted, expired, or no game instance
         * has created the bucket yet). Throws {@link UnreadableSummary} when the stored value is not this session's
         * summary, another {@link IOException} when the bucket cannot be read.
         */
        Optional<SessionSummary> find(String session) throws IOException;
    }

    /** The value stored under a session's key is not that session's summary (corrupt, or another session's). */
    public static final class UnreadableSummary extends IOException {
        public UnreadableSummary(String session, String why) {
            super("unreadable summary of session " + session + ": " + why);
        }
    }

    /** Follows the bucket ({@link #watch}): every entry there is, then every change, in the bucket's order. */
    public interface Watcher {
        /** {@code session}'s summary was written. */
        void written(String session, SessionSummary summary);

        /** {@code session}'s entry was deleted, purged or expired. */
        void removed(String session);

        /** Every entry that existed when the watch began has been given. */
        void caughtUp();
    }

    private final KvHandle kv;

    private SessionsBucket(KvHandle kv) {
        this.kv = kv;
    }

    /**
     * The bucket, opened on first use: for a reader that may not create it (the gateway; only game instances and
     * media-token-service create it). Until it exists there is no summary to find.
     */
    public static SessionsBucket lazy(Connection nc, Subjects subjects) {
        return new SessionsBucket(KvHandle.lazy(nc, subjects.sessionsBucket()));
    }

    /** The bucket already opened ({@link NatsClients#ensureSessions}). */
    public static SessionsBucket of(KeyValue kv) {
        return new SessionsBucket(KvHandle.of(kv));
    }

    /** See {@link Reader#find}. */
    public Optional<SessionSummary> find(String session) throws IOException {
        KeyValueEntry entry;
        try {
            KeyValue open = kv.openIfExists();
            if (open == null) {
                LOG.fine(() -> "session directory " + kv.name() + " does not exist yet");
                return Optional.empty();
            }
            entry = open.get(session);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsClients.NO_STREAM) {
                LOG.fine(() -> "session directory " + kv.name() + " does not exist yet");
                return Optional.empty();
            }
            throw new IOException("session directory: " + e.getMessage(), e);
        }
        if (!holdsValue(entry)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(session, entry.getValue()));
        } catch (IllegalArgumentException e) {
            throw new UnreadableSummary(session, e.getMessage());
        }
    }

    /**
     * Follows the bucket: every entry there is, then each change. Calls come one at a time on the watch's own
     * dispatcher thread, in the bucket's order. A value that is not its key's summary is logged and skipped (the
     * session's next summary will be readable, or skipped again).
     */
    public NatsKeyValueWatchSubscription watch(Watcher watcher) throws IOException, JetStreamApiException,
            InterruptedException {
        Objects.requireNonNull(watcher);
        return kv.open().watchAll(new KeyValueWatcher() {
            @Override
            public void watch(KeyValueEntry entry) {
                String session = entry.getKey();
                if (entry.getOperation() != KeyValueOperation.PUT) {
                    watcher.removed(session);
                    return;
                }
                SessionSummary summary;
                try {
                    summary = parse(session, entry.getValue());
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "session summary of " + session + " is unreadable: " + e.getMessage());
                    return;
                }
                watcher.written(session, summary);
            }

            @Override
            public void endOfData() {
                watcher.caughtUp();
            }
        });
    }

    /**
     * The summary stored under {@code session}'s key; {@link IllegalArgumentException} when {@code value} is not
     * one, or names another session.
     */
    public static SessionSummary parse(String session, byte[] value) {
        SessionSummary summary = Json.read(value, SessionSummary.class);
        if (!session.equals(summary.session())) {
            throw new IllegalArgumentException("summary under key " + session + " names session " + summary.session());
        }
        return summary;
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

    private static boolean holdsValue(KeyValueEntry entry) {
        return entry != null && entry.getOperation() == KeyValueOperation.PUT && entry.getValue() != null
                && entry.getValue().length > 0;
    }

    /** The summary an entry holds, or null when it holds none or one that cannot be read (it is overwritten). */
    private static SessionSummary readable(KeyValueEntry entry) {
        if (!holdsValue(entry)) {
            return null;
        }
        try {
            return parse(entry.getKey(), entry.getValue());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The writer, for the game instance that owns the sessions it writes (one per instance: it remembers what it
     * wrote). The bucket must exist ({@link #of}).
     */
    public Writer writer() {
        KeyValue open = kv.ifOpen();
        if (open == null) {
            throw new IllegalStateException("the writer needs the bucket open (SessionsBucket.of)");
        }
        return new Writer(open);
    }

    /**
     * Writes summaries for the sessions this game instance owns: after a stored commit changed one (membership,
     * names, host, barred players or closing), and when it loads one. A plain game action changes none of that and
     * costs nothing here but one comparison ({@link #changes}: no I/O, no thread hand-off).
     *
     * <p>Writes are compare-and-set on the entry's revision, and an entry already reflecting a later event is never
     * overwritten: a stale owner (fenced out since) whose write arrives late cannot roll the directory back.
     */
    public static final class Writer {
        private static final int ATTEMPTS = 3;

        /** What we last wrote (or found) per session, and the entry's revision then. */
        private record Written(SessionSummary summary, long revision) {
        }

        private final KeyValue kv;
        private final Map<String, Written> written = new ConcurrentHashMap<>();

        private Writer(KeyValue kv) {
            this.kv = kv;
        }

        /** Whether {@code summary} says something the bucket does not hold yet (as far as this instance knows). */
        public boolean changes(SessionSummary summary) {
            Written last = written.get(summary.session());
            return last == null || !same(last.summary(), summary);
        }

        /**
         * Writes {@code summary} unless the bucket holds it already. Never throws: a failed write is logged and
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
         * A session was loaded (a takeover, a restart): learn what the bucket holds for it, and write the loaded
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
        public void forgetIf(Predicate<String> which) {
            written.keySet().removeIf(which);
        }

        private void write(SessionSummary summary) throws IOException, JetStreamApiException {
            String key = summary.session();
            byte[] value = Json.bytes(summary);
            Written last = written.get(key);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
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
    }
}
