package dev.runeforge.game.engine;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.BusHeaders;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.LogContext;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;

/**
 * Runs one action through the engine: load the session (cache, else rebuild from the log), decide, append the
 * commit (fenced), publish each viewer's messages, and only then ack. A fenced append means our copy is stale:
 * drop it, rebuild, decide again.
 */
public final class ActionHandler {
    private static final Logger LOG = Logger.getLogger(ActionHandler.class.getName());
    private static final int FENCE_RETRIES = 3;

    private final Connection nc;
    private final Subjects subjects;
    private final GameRegistry games;
    private final SessionLog log;
    private final RoomDirectory directory;
    private final SessionDirectory summaries;
    private final Clock clock;
    private final RandomGenerator rng;
    private final Map<String, LiveSession<?, ?, ?>> sessions = new ConcurrentHashMap<>();
    /** The seq of each session's last stored snapshot. */
    private final Map<String, Long> snapshotted = new ConcurrentHashMap<>();
    private final Snapshots snapshots;
    private final int snapshotEvery;
    private final int partitions;
    private final DistributionSummary snapshotSize;
    private final Timers timers;
    private final MeterRegistry metrics;
    private final Counter fenced;
    private final Counter redelivered;
    private final Timer latency;
    private final Timer rebuildTime;
    private final Telemetry telemetry;

    public ActionHandler(Connection nc, Subjects subjects, GameRegistry games, SessionLog log, RoomDirectory directory,
                         SessionDirectory summaries, Snapshots snapshots, Timers timers, int snapshotEvery,
                         int partitions, Clock clock, RandomGenerator rng, MeterRegistry metrics) {
        this.nc = nc;
        this.telemetry = Telemetry.of(nc);
        this.summaries = summaries;
        this.timers = timers;
        this.snapshots = snapshots;
        this.snapshotEvery = snapshotEvery;
        this.partitions = partitions;
        this.snapshotSize = DistributionSummary.builder("rf_game_snapshot_bytes").baseUnit("bytes")
                .description("Size of stored session snapshots").register(metrics);
        this.subjects = subjects;
        this.games = games;
        this.log = log;
        this.directory = directory;
        this.clock = clock;
        this.rng = rng;
        this.metrics = metrics;
        this.fenced = Counter.builder("rf_game_fenced_appends_total")
                .description("Appends refused because another writer got there first").register(metrics);
        this.redelivered = Counter.builder("rf_game_redeliveries_total")
                .description("Actions JetStream delivered more than once").register(metrics);
        this.latency = Timer.builder("rf_game_action_duration_seconds")
                .description("Gateway receive to views published").publishPercentileHistogram().register(metrics);
        this.rebuildTime = Timer.builder("rf_game_session_rebuild_seconds")
                .description("Loading a session not in memory: snapshot plus the events after it").register(metrics);
        metrics.gaugeMapSize("rf_game_sessions_loaded", java.util.List.of(), sessions);
        for (String game : games.ids()) {
            // Counted when scraped (a walk over the loaded sessions), so the action path pays nothing for it.
            io.micrometer.core.instrument.Gauge.builder("rf_game_sessions_active", sessions,
                            loaded -> loaded.values().stream().filter(s -> s.rules().id().equals(game)).count())
                    .tag("game", game)
                    .description("Sessions loaded on this instance (the partitions it owns), by game")
                    .register(metrics);
        }
    }

    /** Handles one JetStream action message; acks it, or naks it for a later retry on an I/O failure. */
    public void handle(Message msg) {
        BusAction action;
        try {
            action = Json.read(msg.getData(), BusAction.class);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "dropping unreadable action on " + msg.getSubject() + ": " + e.getMessage());
            msg.term();
            return;
        }
        if (msg.isJetStream() && msg.metaData().deliveredCount() > 1) {
            redelivered.increment();
        }
        // The consumer's span (PartitionConsumers) is current: name the action in it and in every log line.
        Span.current().setAttribute(Telemetry.SESSION, action.session()).setAttribute(Telemetry.PLAYER, action.player());
        try (LogContext.Scope logged = LogContext.open(action.session(), action.player())) {
            try {
                String outcome = process(action);
                count(action, outcome);
                msg.ack();
            } catch (IOException | RuntimeException e) {
                // Nothing was acked: the action comes back. Our copy of the session may be stale; rebuild next time.
                Telemetry.failed(Span.current(), e);
                count(action, "retry");
                sessions.remove(action.session());
                LOG.log(Level.WARNING, "action " + action.id() + " on session " + action.session() + " failed; will retry", e);
                msg.nakWithDelay(Duration.ofMillis(250));
            }
        }
    }

    String process(BusAction action) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return attempt(action);
            } catch (SessionLog.FencedException e) {
                fenced.increment();
                sessions.remove(action.session());
                if (attempt + 1 >= FENCE_RETRIES) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        }
    }

    private String attempt(BusAction action) throws IOException, SessionLog.FencedException {
        LiveSession<?, ?, ?> session = sessions.get(action.session());
        if (session == null) {
            session = loadInto(action.session());
        }
        String allocated = null;
        if (session == null) {
            if (action.kind().quiet()) {
                return "stale"; // the session is gone; nothing to wake or tell
            }
            if (action.kind() != BusAction.Kind.CREATE) {
                reply(action, new ServerMessage.Error(ErrorCodes.ROOM_NOT_FOUND, "no such room", action.id()));
                return "rejected";
            }
            var rules = games.find(action.game()).orElse(null);
            if (rules == null) {
                reply(action, new ServerMessage.Error(ErrorCodes.UNKNOWN_GAME,
                        "no game called '" + action.game() + "'", action.id()));
                return "rejected";
            }
            allocated = directory.allocate(action.session());
            session = LiveSession.empty(rules, action.session(), allocated);
        }
        return run(session, action, allocated);
    }

    private <S, C, E> String run(LiveSession<S, C, E> session, BusAction action, String allocatedCode)
            throws IOException, SessionLog.FencedException {
        Instant now = clock.instant();
        SessionStep.Outcome outcome = SessionStep.decide(session, action, now, rng);
        switch (outcome) {
            case SessionStep.Outcome.Rejected r -> {
                if (allocatedCode != null) {
                    directory.release(allocatedCode);
                }
                reply(action, new ServerMessage.Error(r.code(), r.message(), action.id()));
                return "rejected";
            }
            case SessionStep.Outcome.Replied r -> {
                reply(action, new ServerMessage.Result(session.id(), action.id(), r.body()));
                confirm(session, action);
                return "accepted";
            }
            case SessionStep.Outcome.Duplicate d -> {
                confirm(session, action);
                return "duplicate";
            }
            case SessionStep.Outcome.Unchanged u -> {
                if (action.kind() == BusAction.Kind.TIMER) {
                    timers.arm(session); // an early or outdated timer: keep the live deadline armed
                }
                confirm(session, action);
                return "accepted";
            }
            case SessionStep.Outcome.Committed c -> {
                // Folded before the append (pure): what the stored message carries for readers of the log (the
                // game, the statistics its events add, the session summary when it changed) needs the state after.
                SessionStep.Applied<S, C, E> folded = SessionStep.apply(session, c.commit(), session.streamSeq());
                SessionSummary summary = SessionDirectory.summary(folded.after(), c.commit().at());
                SessionSummary previous = SessionDirectory.summary(session, c.commit().at());
                boolean summaryChanged = !SessionDirectory.same(previous, summary);
                long streamSeq = log.append(c.commit(), session.streamSeq(),
                        commitHeaders(c.commit(), folded.tallies(), summaryChanged ? summary : null));
                SessionStep.Applied<S, C, E> applied = folded.storedAt(streamSeq);
                sessions.put(session.id(), applied.after());
                timers.arm(applied.after());
                if (applied.closed()) {
                    directory.release(session.code()); // the code may name a new room now
                }
                if (applied.after().seq() - snapshotted.getOrDefault(session.id(), 0L) >= snapshotEvery) {
                    snapshot(applied.after());
                }
                for (SessionStep.Outbound out : applied.outbound()) {
                    publish(out.player() == null ? subjects.outAll(session.id())
                            : subjects.outPlayer(session.id(), out.player()), null, out.message());
                }
                confirm(applied.after(), action);
                if (action.at() > 0) {
                    latency.record(Duration.ofMillis(Math.max(0, clock.millis() - action.at())));
                }
                // After the views: players are not kept waiting for the directory. Only after a stored commit
                // (fenced), and only when something the directory shows changed (never for a plain roll).
                if (summaries.changes(summary)) {
                    summaries.publish(summary);
                }
                return "accepted";
            }
        }
    }

    /**
     * JSON for a NATS header value, which must be printable ASCII: everything else is escaped (backslash-u escapes, and
     * surrogate pairs beyond the BMP), which every JSON reader turns back into the same text. A display name such
     * as "Zoë" would otherwise make jnats refuse the header, and the append with it.
     */
    private static final ObjectWriter HEADER_JSON = Json.MAPPER.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

    /** What a stored commit carries besides its JSON: see {@link BusHeaders#GAME}, {@code TALLY}, {@code SESSION}. */
    static Headers commitHeaders(Commit commit, Map<Long, Map<String, Map<String, Long>>> tallies,
                                 SessionSummary summary) {
        Headers headers = new Headers();
        headers.put(BusHeaders.GAME, commit.game());
        if (!tallies.isEmpty()) {
            headers.put(BusHeaders.TALLY, headerJson(tallies));
        }
        if (summary != null) {
            headers.put(BusHeaders.SESSION, headerJson(summary));
        }
        return headers;
    }

    static String headerJson(Object value) {
        try {
            return HEADER_JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Tells the actor its action took effect; a create, join or resume also gets the full view. */
    private void confirm(LiveSession<?, ?, ?> session, BusAction action) {
        if (action.kind().quiet()) {
            return; // the system or the gateway told us; nobody waits for an answer
        }
        if (action.kind() != BusAction.Kind.GAME && action.kind() != BusAction.Kind.LEAVE
                && action.kind() != BusAction.Kind.END) {
            if (session.hasMember(action.player())) {
                reply(action, SessionStep.joined(session, action.player(), clock.instant()));
            }
        }
        reply(action, new ServerMessage.Accepted(action.id(), session.id()));
    }

    private void reply(BusAction action, ServerMessage message) {
        if (action.kind().quiet()) {
            if (message instanceof ServerMessage.Error e) {
                LOG.warning(() -> action.kind() + " action of session " + action.session() + " refused: " + e.code()
                        + " " + e.message());
            }
            return;
        }
        publish(subjects.outPlayer(action.session(), action.player()), action.origin(), message);
    }

    private void publish(String subject, String origin, ServerMessage message) {
        Headers headers = new Headers();
        if (origin != null) {
            headers.put(BusHeaders.ORIGIN, origin);
        }
        // The views continue the action's trace: the gateway's delivery span is a child of the current span.
        nc.publish(subject, telemetry.injectCurrent(headers), Json.bytes(message));
    }

    private void count(BusAction action, String outcome) {
        Counter.builder("rf_game_actions_total")
                .tag("game", gameOf(action))
                .tag("kind", action.kind().name().toLowerCase(java.util.Locale.ROOT))
                .tag("outcome", outcome)
                .description("Actions processed")
                .register(metrics)
                .increment();
    }

    /**
     * The action's game for metric tags: only ids this instance hosts (a client may name any game in a create,
     * and every distinct tag value is a time series), else the game of its loaded session, else "unknown".
     */
    private String gameOf(BusAction action) {
        var named = games.find(action.game());
        if (named.isPresent()) {
            return named.get().id();
        }
        LiveSession<?, ?, ?> session = action.session() == null ? null : sessions.get(action.session());
        return session == null ? "unknown" : session.rules().id();
    }

    private void snapshot(LiveSession<?, ?, ?> session) {
        try {
            snapshotSize.record(snapshots.save(Snapshots.of(session, clock.millis())));
            snapshotted.put(session.id(), session.seq());
        } catch (IOException | RuntimeException e) {
            // A missing snapshot only makes the next rebuild replay more of the log.
            LOG.log(Level.WARNING, "snapshot of session " + session.id() + " failed", e);
        }
    }

    /** Loads a session from snapshot + log into the cache and arms its deadline; null when it does not exist. */
    private LiveSession<?, ?, ?> loadInto(String id) throws IOException {
        long start = System.nanoTime();
        LiveSession<?, ?, ?> session = log.load(id, games, snapshots);
        rebuildTime.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (session != null) {
            sessions.put(id, session);
            snapshotted.putIfAbsent(id, 0L);
            timers.arm(session);
            summaries.loaded(SessionDirectory.summary(session, clock.millis()));
        }
        return session;
    }

    /** A partition was just taken: load every session of it that has a deadline, so its timer runs here now. */
    public void warm(int partition) {
        try {
            for (String id : timers.sessionsWithDeadlines(partition)) {
                LiveSession<?, ?, ?> session = sessions.get(id);
                if (session == null) {
                    session = log.load(id, games, snapshots);
                    if (session == null) {
                        continue;
                    }
                    sessions.put(id, session);
                    snapshotted.putIfAbsent(id, 0L);
                    summaries.loaded(SessionDirectory.summary(session, clock.millis()));
                }
                timers.arm(session, true);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not re-arm the timers of partition " + partition, e);
        }
    }

    /**
     * Hands a partition over: snapshots its sessions (so the next owner replays little) and forgets them (so a
     * later return of the partition rebuilds from the log, never from a stale copy). Call after its worker stopped.
     */
    public void release(int partition) {
        for (var entry : sessions.entrySet()) {
            if (Partitions.of(entry.getKey(), partitions) == partition) {
                LiveSession<?, ?, ?> s = entry.getValue();
                if (s.seq() > snapshotted.getOrDefault(s.id(), 0L)) {
                    snapshot(s);
                }
                sessions.remove(entry.getKey());
                snapshotted.remove(entry.getKey());
                summaries.forget(entry.getKey());
            }
        }
        timers.disarm(partition);
    }

    /** Forgets a partition's sessions without snapshots: its lease was lost, someone else may be writing. */
    public void forget(int partition) {
        sessions.keySet().removeIf(id -> Partitions.of(id, partitions) == partition);
        snapshotted.keySet().removeIf(id -> Partitions.of(id, partitions) == partition);
        summaries.forgetIf(id -> Partitions.of(id, partitions) == partition);
        timers.disarm(partition);
    }
}
