package dev.runeforge.game.bus;

import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.common.bus.Commit;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.common.telemetry.Telemetry;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.opentelemetry.api.trace.Span;
import io.nats.client.impl.Headers;

/**
 * The authoritative event log: {@code rf.evt.<session>} in the events stream. Appends are fenced with the
 * expected last subject sequence, so a writer with a stale view of a session (another instance wrote since)
 * fails instead of forking the log. An append is a PRODUCER span (under the action's) whose context the event
 * message carries, so persistence's projection of it joins the action's trace.
 */
public final class SessionLog {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SessionLog.class.getName());
    /** Events per pull while reading a session. */
    private static final int READ_BATCH = 512;
    /** How long one pull may take before a read is given up (the action is retried). */
    private static final Duration READ_WAIT = Duration.ofSeconds(5);
    /** A reading consumer is removed by the server this long after its last use. */
    private static final Duration READER_LAPSE = Duration.ofSeconds(5);
    /** How long after a read its consumer is deleted ({@link #dropReader}). */
    private static final Duration READER_DROP = Duration.ofSeconds(2);
    private static final java.util.concurrent.ScheduledExecutorService DROPS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("drop-readers").daemon().factory());

    /** A fenced append: someone else wrote to this session since we last read it. */
    public static final class FencedException extends Exception {
        public FencedException(String session) {
            super("append to session " + session + " was fenced");
        }
    }

    /**
     * An append that got no answer in time (a starved NATS server): it may or may not be stored. The session's
     * copy in memory stays good either way: if it was stored, the next append of the session is fenced (or, for
     * the same action, a duplicate) and the session is rebuilt then.
     */
    public static final class AppendUnanswered extends IOException {
        public AppendUnanswered(String session, IOException cause) {
            super("append to session " + session + " got no answer in time: " + cause.getMessage(), cause);
        }
    }

    private final Subjects subjects;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final Telemetry telemetry;

    public SessionLog(Connection nc, Subjects subjects) throws IOException {
        this.subjects = subjects;
        this.telemetry = Telemetry.of(nc);
        this.js = nc.jetStream();
        this.jsm = nc.jetStreamManagement();
    }

    /** Appends {@code commit}; returns its stream sequence. */
    public long append(Commit commit, long expectedStreamSeq) throws IOException, FencedException {
        return append(commit, expectedStreamSeq, null);
    }

    /**
     * Appends {@code commit} with {@code headers} ({@link EventsStream#headers}, or null); returns its stream seq.
     *
     * <p>The caller (a session's virtual thread) waits for the stream's answer without a timer: jnats itself fails
     * the request once {@link #APPEND_WAIT} has passed, within {@link NatsClients#REQUEST_SWEEP}. A timed wait
     * (jnats' synchronous publish) costs a virtual thread a wake of the JDK's delay scheduler to arm its timer and
     * another to disarm it: measured 1,600 context switches a second at 1,000 rolls/s (docs/performance.md).
     */
    public long append(Commit commit, long expectedStreamSeq, Headers headers) throws IOException, FencedException {
        PublishOptions options = PublishOptions.builder()
                .expectedLastSubjectSequence(expectedStreamSeq)
                // Keyed by the action: a retried append of this action's commit is dropped by the stream.
                .messageId(commit.actionId())
                .streamTimeout(APPEND_WAIT)
                .build();
        String subject = subjects.events(commit.session());
        Span span = telemetry.producer("publish rf.evt", subject)
                .setAttribute(Telemetry.MESSAGE_ID, commit.actionId())
                .setAttribute(Telemetry.SESSION, commit.session());
        try {
            PublishAck ack = answer(js.publishAsync(subject, telemetry.inject(span, headers), EventsStream.body(commit),
                    options));
            if (ack.isDuplicate()) {
                // This action's commit is already stored (our earlier try, or another writer's): what we just
                // decided is not what was stored. Treat it like a fence: reload, and the action reads as applied.
                span.setAttribute(Telemetry.ERROR_TYPE, "duplicate");
                throw new FencedException(commit.session());
            }
            return ack.getSeqno();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsClients.WRONG_LAST_SEQUENCE) {
                span.setAttribute(Telemetry.ERROR_TYPE, "fenced");
                throw new FencedException(commit.session());
            }
            Telemetry.failed(span, e);
            throw new IOException("append to session " + commit.session() + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            Telemetry.failed(span, e);
            throw new AppendUnanswered(commit.session(), e);
        } catch (RuntimeException e) {
            Telemetry.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** How long an append waits for the stream's answer. */
    static final Duration APPEND_WAIT = Duration.ofSeconds(5);

    /**
     * The stream's answer to an append, or what jnats failed it with: the stream's refusal, or an
     * {@link IOException} when no answer came in time (jnats cancels the request) or the bus could not take it.
     */
    static PublishAck answer(CompletableFuture<PublishAck> pending) throws IOException, JetStreamApiException {
        try {
            return pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the stream's answer", e);
        } catch (CancellationException e) {
            throw noAnswer(e);
        } catch (ExecutionException e) {
            // jnats wraps what the answer's processing threw in a RuntimeException (and CompletableFuture that again).
            Throwable cause = e.getCause();
            while ((cause instanceof CompletionException || cause.getClass() == RuntimeException.class)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof JetStreamApiException api) {
                throw api;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof TimeoutException || cause instanceof CancellationException) {
                throw noAnswer(cause);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }

    private static IOException noAnswer(Throwable cause) {
        return new IOException("no answer from the stream within " + APPEND_WAIT.toMillis() + " ms", cause);
    }

    /**
     * Rebuilds a session: from its snapshot when there is one, then every commit after it; null when the
     * session has no events (it does not exist).
     */
    public LiveSession<?, ?, ?> load(String session, GameRegistry games, Snapshots snapshots) throws IOException {
        LiveSession<?, ?, ?> live = null;
        var snapshot = snapshots == null ? java.util.Optional.<Snapshots.Snapshot>empty() : snapshots.load(session);
        if (snapshot.isPresent()) {
            GameRules<?, ?, ?, ?> rules = games.find(snapshot.get().game()).orElseThrow(() ->
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
                GameRules<?, ?, ?, ?> rules = games.find(commit.game()).orElseThrow(() ->
                        new IOException("session " + session + " is of game '" + commit.game() + "', not hosted here"));
                live = LiveSession.empty(rules, session, commit.code());
            }
            live = live.fold(commit, stored.streamSeq());
        }
        return live;
    }

    /**
     * The session directory entry the newest commit of {@code session} carries ({@code Rf-Session}), if it changed
     * the summary: one direct read of the stream's last message on the session's subject, no consumer.
     */
    public java.util.Optional<SessionSummary> lastSummary(String session) throws IOException {
        return lastMessage(session).flatMap(last -> EventsStream.summary(last.getHeaders()));
    }

    /**
     * The newest commit of {@code session}, if it has one: one direct read of the stream's last message on the
     * session's subject, no consumer (a read of the whole log creates one, and an overloaded server answered
     * those last or not at all).
     */
    public java.util.Optional<Stored> last(String session) throws IOException {
        return lastMessage(session).map(last -> new Stored(EventsStream.commit(last.getData()), last.getSeq()));
    }

    private java.util.Optional<MessageInfo> lastMessage(String session) throws IOException {
        try {
            return java.util.Optional.of(jsm.getLastMessage(subjects.eventsStream(), subjects.events(session)));
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE) {
                return java.util.Optional.empty();
            }
            throw new IOException("reading session " + session + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes a read's consumer {@link #READER_DROP} after the read rather than leaving it to lapse after
     * {@link #READER_LAPSE}: every consumer's filter is matched against every append, and an overloaded instance
     * that rebuilt sessions again and again left thousands of them (measured: nats-server at 65 % of a core, still
     * after the load had stopped). Not at once: a takeover rebuilds its rooms all together, and deletes sent among
     * their consumer creates compete with them for the JetStream API (with immediate deletes, kill rounds that
     * moved 38-42 rooms took 2.3-2.7 s where 1.3-1.7 s was usual; with the delay, 1.4-2.1 s). If the delete gets
     * no answer, the consumer lapses as before.
     */
    private void dropReader(String consumer) {
        DROPS.schedule(() -> Thread.ofVirtual().name("drop-reader").start(() -> {
            try {
                jsm.deleteConsumer(subjects.eventsStream(), consumer);
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                LOG.log(java.util.logging.Level.FINE, "reader " + consumer + " left to lapse", e);
            }
        }), READER_DROP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** JetStream's error code for "no message found". */
    private static final int NO_MESSAGE = 10037;

    /** A commit and where it is stored. */
    public record Stored(Commit commit, long streamSeq) {
    }

    /**
     * Every commit of {@code session} from stream sequence {@code from} on, in order, as of now. One ephemeral
     * consumer filtered on the session's subject counts what there is to read, and one pull brings it all: two
     * round trips whatever the length (reading message by message costs one per event, which made a takeover
     * of a busy partition slow). The consumer keeps no state worth keeping and lapses on its own.
     */
    public java.util.List<Stored> read(String session, long from) throws IOException {
        ConsumerInfo consumer;
        try {
            consumer = jsm.createConsumer(subjects.eventsStream(), ConsumerConfiguration.builder()
                    .filterSubject(subjects.events(session))
                    .deliverPolicy(DeliverPolicy.ByStartSequence)
                    .startSequence(Math.max(1, from))
                    .ackPolicy(AckPolicy.None)
                    .memStorage(true)
                    .numReplicas(1)
                    .inactiveThreshold(READER_LAPSE)
                    .build());
        } catch (JetStreamApiException e) {
            throw new IOException("reading session " + session + " failed: " + e.getMessage(), e);
        }
        long pending = consumer.getNumPending();
        java.util.List<Stored> commits = new java.util.ArrayList<>((int) Math.min(pending, 4096));
        if (pending == 0) {
            dropReader(consumer.getName());
            return commits;
        }
        JetStreamSubscription sub;
        try {
            sub = js.subscribe(null, PullSubscribeOptions.fastBind(subjects.eventsStream(), consumer.getName()));
        } catch (JetStreamApiException e) {
            throw new IOException("reading session " + session + " failed: " + e.getMessage(), e);
        }
        try {
            while (commits.size() < pending) {
                int want = (int) Math.min(READ_BATCH, pending - commits.size());
                java.util.List<Message> batch = sub.fetch(want, READ_WAIT);
                if (batch.isEmpty()) {
                    throw new IOException("reading session " + session + ": " + commits.size() + " of " + pending
                            + " events arrived within " + READ_WAIT.toMillis() + " ms");
                }
                for (Message m : batch) {
                    commits.add(new Stored(EventsStream.commit(m.getData()), m.metaData().streamSequence()));
                }
            }
        } finally {
            sub.unsubscribe();
            dropReader(consumer.getName());
        }
        return commits;
    }
}
