package dev.runeforge.game.engine;

import java.io.IOException;
import java.time.Duration;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;

/**
 * The authoritative event log: {@code rf.evt.<session>} in the events stream. Appends are fenced with the
 * expected last subject sequence, so a writer with a stale view of a session (another instance wrote since)
 * fails instead of forking the log.
 */
public final class SessionLog {
    /** JetStream's "no message found" error code, the end of a session's log. */
    private static final int NO_MESSAGE = 10037;

    /** A fenced append: someone else wrote to this session since we last read it. */
    public static final class FencedException extends Exception {
        public FencedException(String session) {
            super("append to session " + session + " was fenced");
        }
    }

    private final Subjects subjects;
    private final JetStream js;
    private final JetStreamManagement jsm;

    public SessionLog(Connection nc, Subjects subjects) throws IOException {
        this.subjects = subjects;
        this.js = nc.jetStream();
        this.jsm = nc.jetStreamManagement();
    }

    /** Appends {@code commit}; returns its stream sequence. */
    public long append(Commit commit, long expectedStreamSeq) throws IOException, FencedException {
        PublishOptions options = PublishOptions.builder()
                .expectedLastSubjectSequence(expectedStreamSeq)
                // Keyed by the action: a retried append of this action's commit is dropped by the stream.
                .messageId(commit.actionId())
                .streamTimeout(Duration.ofSeconds(5))
                .build();
        try {
            PublishAck ack = js.publish(subjects.events(commit.session()), Json.bytes(commit), options);
            if (ack.isDuplicate()) {
                // This action's commit is already stored (our earlier try, or another writer's): what we just
                // decided is not what was stored. Treat it like a fence: reload, and the action reads as applied.
                throw new FencedException(commit.session());
            }
            return ack.getSeqno();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsClients.WRONG_LAST_SEQUENCE) {
                throw new FencedException(commit.session());
            }
            throw new IOException("append to session " + commit.session() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Rebuilds a session: from its snapshot when there is one, then every commit after it; null when the
     * session has no events (it does not exist).
     */
    public LiveSession<?, ?, ?> load(String session, GameRegistry games, Snapshots snapshots) throws IOException {
        LiveSession<?, ?, ?> live = null;
        var snapshot = snapshots == null ? java.util.Optional.<Snapshots.Snapshot>empty() : snapshots.load(session);
        if (snapshot.isPresent()) {
            GameRules<?, ?, ?> rules = games.find(snapshot.get().game()).orElseThrow(() ->
                    new IOException("session " + session + " is of game '" + snapshot.get().game() + "', not hosted here"));
            live = Snapshots.restore(rules, snapshot.get());
        }
        return replay(session, games, live);
    }

    private LiveSession<?, ?, ?> replay(String session, GameRegistry games, LiveSession<?, ?, ?> from) throws IOException {
        LiveSession<?, ?, ?> live = from;
        for (Stored stored : read(session, from == null ? 1 : from.streamSeq() + 1)) {
            Commit commit = stored.commit();
            if (live == null) {
                GameRules<?, ?, ?> rules = games.find(commit.game()).orElseThrow(() ->
                        new IOException("session " + session + " is of game '" + commit.game() + "', not hosted here"));
                live = LiveSession.empty(rules, session, commit.code());
            }
            live = live.fold(commit, stored.streamSeq());
        }
        return live;
    }

    /** A commit and where it is stored. */
    public record Stored(Commit commit, long streamSeq) {
    }

    /** Every commit of {@code session} from stream sequence {@code from} on, in order. */
    public java.util.List<Stored> read(String session, long from) throws IOException {
        java.util.List<Stored> commits = new java.util.ArrayList<>();
        long next = from;
        while (true) {
            MessageInfo info;
            try {
                info = jsm.getNextMessage(subjects.eventsStream(), next, subjects.events(session));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() == NO_MESSAGE) {
                    return commits;
                }
                throw new IOException("reading session " + session + " failed: " + e.getMessage(), e);
            }
            commits.add(new Stored(Json.read(info.getData(), Commit.class), info.getSeq()));
            next = info.getSeq() + 1;
        }
    }
}
