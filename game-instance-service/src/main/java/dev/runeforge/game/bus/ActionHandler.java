package dev.runeforge.game.bus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.DirectoryBucket;
import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.bus.Views;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.LogContext;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.game.engine.RecentViews;
import dev.runeforge.game.engine.SessionStep;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * Runs one action of one session (its mailbox calls it, one action of a session at a time): load the session
 * (cache, else snapshot + log), decide (pure), and when the rules accept a change, {@link #commit} it: append to
 * the log (fenced), then publish each viewer's messages, then answer the actor. A fenced append means our copy
 * was stale: drop it, rebuild, decide again.
 *
 * <p>The actor's answer (its {@code joined}, {@code accepted} or {@code error}, the events a resume missed) is the
 * reply to the action's request ({@link ActionReply}); everyone's views go to {@code <ns>.out.<session>.…}.
 */
public final class ActionHandler implements SessionMailboxes.Worker {
    private static final Logger LOG = Logger.getLogger(ActionHandler.class.getName());

    /** Where views go: NATS ({@code Connection::publish}); a test may put something in between. */
    @FunctionalInterface
    public interface ViewSink {
        void publish(String subject, Headers headers, byte[] body);
    }
    private static final int FENCE_RETRIES = 3;

    /** A loaded session and the views of its last commits. Touched by the session's worker only (and releases). */
    private static final class Loaded {
        volatile LiveSession<?, ?, ?> session;
        final RecentViews views;

        Loaded(LiveSession<?, ?, ?> session, RecentViews views) {
            this.session = session;
            this.views = views;
        }
    }

    private final Connection nc;
    private final ViewSink viewSink;
    private final Subjects subjects;
    private final GameRegistry games;
    private final SessionLog log;
    private final DirectoryBucket directory;
    private final SessionsBucket.Writer summaries;
    private final Snapshots snapshots;
    private final Timers timers;
    private final Clock clock;
    private final RandomGenerator rng;
    private final int snapshotEvery;
    private final int partitions;
    private final int viewsKept;
    private final Map<String, Loaded> sessions = new ConcurrentHashMap<>();
    /** The seq of each session's last stored snapshot. */
    private final Map<String, Long> snapshotted = new ConcurrentHashMap<>();
    /**
     * Each session's snapshot write in progress: the next one waits for it, so an older state never lands after
     * a newer one (two writes side by side did, and the bucket kept the older).
     */
    private final Map<String, CompletableFuture<Void>> snapshotWrites = new ConcurrentHashMap<>();
    private static final Executor SNAPSHOT_THREADS = task -> Thread.ofVirtual().name("snapshot").start(task);
    private final MeterRegistry metrics;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final DistributionSummary snapshotSize;
    private final Counter fenced;
    private final Counter republished;
    private final Timer latency;
    private final Timer rebuildTime;
    private final Telemetry telemetry;

    /**
     * @param viewsKept how many of a session's last commits keep their views, for resumes and gaps
     *                  ({@code game.resume.window})
     */
    public ActionHandler(Connection nc, Subjects subjects, GameRegistry games, SessionLog log,
                         DirectoryBucket directory, SessionsBucket.Writer summaries, Snapshots snapshots, Timers timers,
                         int snapshotEvery, int partitions, int viewsKept, Clock clock, RandomGenerator rng,
                         MeterRegistry metrics) {
        this(nc, nc::publish, subjects, games, log, directory, summaries, snapshots, timers, snapshotEvery, partitions,
                viewsKept, clock, rng, metrics);
    }

    /** As above, with views sent through {@code views} (tests drop and reorder them on purpose). */
    public ActionHandler(Connection nc, ViewSink views, Subjects subjects, GameRegistry games, SessionLog log,
                         DirectoryBucket directory, SessionsBucket.Writer summaries, Snapshots snapshots, Timers timers,
                         int snapshotEvery, int partitions, int viewsKept, Clock clock, RandomGenerator rng,
                         MeterRegistry metrics) {
        this.nc = nc;
        this.viewSink = views;
        this.telemetry = Telemetry.of(nc);
        this.subjects = subjects;
        this.games = games;
        this.log = log;
        this.directory = directory;
        this.summaries = summaries;
        this.snapshots = snapshots;
        this.timers = timers;
        this.snapshotEvery = snapshotEvery;
        this.partitions = partitions;
        this.viewsKept = viewsKept;
        this.clock = clock;
        this.rng = rng;
        this.metrics = metrics;
        this.snapshotSize = DistributionSummary.builder("rf_game_snapshot_bytes").baseUnit("bytes")
                .description("Size of stored session snapshots").register(metrics);
        this.fenced = Counter.builder("rf_game_fenced_appends_total")
                .description("Appends refused because another writer got there first").register(metrics);
        this.republished = Counter.builder("rf_game_views_republished_total")
                .description("Commits whose views a new owner sent again (the old owner may not have)").register(metrics);
        this.latency = Timer.builder("rf_game_action_duration_seconds")
                .description("Gateway receive to views published").publishPercentileHistogram().register(metrics);
        this.rebuildTime = Timer.builder("rf_game_session_rebuild_seconds")
                .description("Loading a session not in memory: snapshot plus the events after it").register(metrics);
        Gauge.builder("rf_game_sessions_loaded", sessions, Map::size).register(metrics);
        for (String game : games.ids()) {
            // Counted when scraped (a walk over the loaded sessions), so the action path pays nothing for it.
            Gauge.builder("rf_game_sessions_active", sessions,
                            loaded -> loaded.values().stream().filter(s -> s.session.rules().id().equals(game)).count())
                    .tag("game", game)
                    .description("Sessions loaded on this instance (the partitions it owns), by game")
                    .register(metrics);
        }
    }

    /** The actor's frames, gathered while an action runs. */
    private static final class Answer {
        final List<ActionReply.Frame> frames = new ArrayList<>(2);

        void add(ServerMessage message) {
            long seq = switch (message) {
                case ServerMessage.Joined j -> j.seq();
                case ServerMessage.Event e -> e.seq();
                default -> ActionReply.Frame.NO_SEQ;
            };
            frames.add(new ActionReply.Frame(type(message), seq, Json.text(message)));
        }

        void add(RecentViews.View view) {
            frames.add(new ActionReply.Frame("event", view.seq(), new String(view.json(), StandardCharsets.UTF_8)));
        }
    }

    @Override
    public boolean run(SessionMailboxes.Work work) {
        BusAction action = work.action();
        Span span = telemetry.consumer("process rf.act", subjects.action(Partitions.of(action.session(), partitions),
                        action.session()), work.headers())
                .setAttribute(Telemetry.SESSION, action.session())
                .setAttribute(Telemetry.PLAYER, action.player());
        try (Scope scope = span.makeCurrent(); LogContext.Scope logged = LogContext.open(action.session(), action.player())) {
            Answer answer = new Answer();
            ActionReply.Outcome outcome;
            try {
                outcome = process(action, answer);
            } catch (IOException | RuntimeException e) {
                // The sender tries again. Our copy of the session may be stale after a failure: rebuild it next time,
                // except after an append that got no answer, whose fence tells (rebuilding every session whose append
                // timed out is what turned an overloaded NATS server into a spiral of log reads, measured at load 17).
                Telemetry.failed(span, e);
                if (!(e instanceof SessionLog.AppendUnanswered)) {
                    sessions.remove(action.session());
                }
                count(action, "retry");
                LOG.log(Level.WARNING, "action " + action.id() + " on session " + action.session() + " failed; the sender retries", e);
                if (action.kind() == BusAction.Kind.TIMER) {
                    timers.retry(action);
                }
                reply(work, new ActionReply(ActionReply.Outcome.RETRY, List.of()));
                return false;
            }
            count(action, outcome.name().toLowerCase(Locale.ROOT));
            reply(work, new ActionReply(outcome, action.kind().quiet() ? List.of() : answer.frames));
            if (outcome == ActionReply.Outcome.ACCEPTED) {
                snapshotIfDue(action.session());
            }
            return true;
        } finally {
            span.end();
        }
    }

    @Override
    public void busy(SessionMailboxes.Work work, int retryMs) {
        count(work.action(), "busy");
        Answer answer = new Answer();
        answer.add(new ServerMessage.Error(ErrorCodes.BUSY, "the table is busy; try again in a moment",
                work.action().id(), retryMs));
        reply(work, new ActionReply(ActionReply.Outcome.BUSY, answer.frames));
    }

    private void reply(SessionMailboxes.Work work, ActionReply reply) {
        if (work.replyTo() != null) {
            nc.publish(work.replyTo(), reply.headers(), reply.body());
        }
    }

    ActionReply.Outcome process(BusAction action, Answer answer) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return attempt(action, answer);
            } catch (SessionLog.FencedException e) {
                fenced.increment();
                if (!caughtUp(action.session())) {
                    sessions.remove(action.session());
                }
                answer.frames.clear();
                if (attempt + 1 >= FENCE_RETRIES) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        }
    }

    /**
     * After a fenced append: when the session's newest commit is the one right after our copy, applies it to our
     * copy (and sends its views again, as a rebuild does) instead of rebuilding the session. That is the usual
     * fence under load: our own earlier append that got no answer in time but was stored. A rebuild reads the
     * whole log through a consumer, which an overloaded server answered last or not at all, so every such fence
     * dropped the session and the next actions timed out rebuilding it (docs/performance.md). False when the
     * newest commit is not the next one (another writer wrote more): rebuild then.
     */
    private boolean caughtUp(String id) {
        Loaded loaded = sessions.get(id);
        if (loaded == null) {
            return false;
        }
        SessionLog.Stored last;
        try {
            last = log.last(id).orElse(null);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "session " + id + ": newest commit not read; rebuilding", e);
            return false;
        }
        if (last == null || last.commit().firstSeq() != loaded.session.seq() + 1) {
            return false;
        }
        replay(loaded, loaded.session, last.commit(), last.streamSeq());
        readFromLog(id, loaded);
        return true;
    }

    private ActionReply.Outcome attempt(BusAction action, Answer answer) throws IOException, SessionLog.FencedException {
        Loaded loaded = sessions.get(action.session());
        if (loaded == null) {
            loaded = load(action.session());
        }
        String allocated = null;
        if (loaded == null) {
            if (action.kind().quiet()) {
                return ActionReply.Outcome.ACCEPTED; // the session is gone; nothing to wake or tell
            }
            if (action.kind() != BusAction.Kind.CREATE) {
                answer.add(new ServerMessage.Error(ErrorCodes.ROOM_NOT_FOUND, "this room does not exist (it may have closed)",
                        action.id()));
                return ActionReply.Outcome.REJECTED;
            }
            var rules = games.find(action.game()).orElse(null);
            if (rules == null) {
                answer.add(new ServerMessage.Error(ErrorCodes.UNKNOWN_GAME,
                        "no game called '" + action.game() + "'", action.id()));
                return ActionReply.Outcome.REJECTED;
            }
            allocated = directory.allocate(action.session(), rng);
            loaded = new Loaded(LiveSession.empty(rules, action.session(), allocated), new RecentViews(viewsKept));
        }
        return run(loaded, loaded.session, action, allocated, answer);
    }

    private <S, C, E> ActionReply.Outcome run(Loaded loaded, LiveSession<S, C, E> session, BusAction action,
                                              String allocatedCode, Answer answer)
            throws IOException, SessionLog.FencedException {
        SessionStep.Outcome outcome = SessionStep.decide(session, action, clock.instant(), rng);
        switch (outcome) {
            case SessionStep.Outcome.Rejected r -> {
                if (allocatedCode != null) {
                    directory.release(allocatedCode);
                }
                answer.add(new ServerMessage.Error(r.code(), r.message(), action.id()));
                return ActionReply.Outcome.REJECTED;
            }
            case SessionStep.Outcome.Replied r -> {
                answer.add(new ServerMessage.Result(session.id(), action.id(), r.body()));
                confirm(loaded, session, action, answer, session.seq());
                return ActionReply.Outcome.ACCEPTED;
            }
            case SessionStep.Outcome.Duplicate d -> {
                confirm(loaded, session, action, answer, session.seq());
                return ActionReply.Outcome.DUPLICATE;
            }
            case SessionStep.Outcome.Unchanged u -> {
                if (action.kind() == BusAction.Kind.TIMER) {
                    timers.arm(session); // an early or outdated timer: keep the live deadline armed
                }
                confirm(loaded, session, action, answer, session.seq());
                return ActionReply.Outcome.ACCEPTED;
            }
            case SessionStep.Outcome.Committed c -> {
                commit(loaded, session, action, c.commit(), answer);
                return ActionReply.Outcome.ACCEPTED;
            }
        }
    }

    /**
     * A change the rules accepted, in the order that keeps every promise: the log first (nothing is shown that is
     * not stored), then what depends on the stored state, then the players (views, then the actor's answer), and
     * last the directory (players are not kept waiting for it; it is a view of the log). A due snapshot is taken
     * after the actor's answer has gone ({@link #run}).
     */
    private <S, C, E> void commit(Loaded loaded, LiveSession<S, C, E> session, BusAction action, Commit commit,
                                  Answer answer) throws IOException, SessionLog.FencedException {
        SessionStep.Applied<S, C, E> applied = SessionStep.apply(session, commit, session.streamSeq());
        SessionSummary summary = applied.after().summary(commit.at());
        boolean summaryChanged = !SessionsBucket.same(session.summary(commit.at()), summary);
        long streamSeq = log.append(commit, session.streamSeq(),
                EventsStream.headers(commit, new EventsStream.Declared(applied.tallies(), applied.rolls()),
                        summaryChanged ? summary : null));
        LiveSession<S, C, E> stored = applied.after().storedAt(streamSeq);
        loaded.session = stored;
        sessions.put(session.id(), loaded);
        timers.arm(stored);
        releaseCodeIfClosed(applied, session);
        publish(loaded, commit, applied.outbound());
        confirm(loaded, stored, action, answer, commit.firstSeq() - 1);
        recordLatency(action);
        writeDirectoryIfChanged(summary);
    }

    private void releaseCodeIfClosed(SessionStep.Applied<?, ?, ?> applied, LiveSession<?, ?, ?> session) throws IOException {
        if (applied.closed()) {
            directory.release(session.code()); // the code may name a new room now
        }
    }

    /**
     * Snapshots the session once {@code game.snapshot.every} events have passed since its last one, on a thread of
     * its own, after the action's answer and views have gone. A dice room's snapshot is up to 200 KB and a KV write:
     * taken before the views it held up every hundredth roll (the heavy benchmark's p99), and on the session's
     * thread it held up the room's next action (the probe's p99; docs/performance.md). The session is immutable, so
     * it is written as it was at this commit whatever the room does meanwhile; a session's writes go one at a time.
     */
    private void snapshotIfDue(String id) {
        Loaded loaded = sessions.get(id);
        LiveSession<?, ?, ?> session = loaded == null ? null : loaded.session;
        if (session != null && session.seq() - snapshotted.getOrDefault(id, 0L) >= snapshotEvery) {
            snapshotted.put(id, session.seq()); // the next is due snapshotEvery events later, whatever becomes of this one
            CompletableFuture<Void> write = snapshotWrites.compute(id, (k, previous) ->
                    (previous == null ? CompletableFuture.<Void>completedFuture(null) : previous)
                            .thenRunAsync(() -> snapshot(session), SNAPSHOT_THREADS));
            write.whenComplete((done, failed) -> snapshotWrites.remove(id, write)); // outside compute: it may be done
        }
    }

    /** Sends every viewer's messages of one commit and keeps its events' views for resumes. */
    private void publish(Loaded loaded, Commit commit, List<SessionStep.Outbound> outbound) {
        List<RecentViews.View> kept = new ArrayList<>(outbound.size());
        for (SessionStep.Outbound out : outbound) {
            byte[] json = Json.bytes(out.message());
            long seq = out.message() instanceof ServerMessage.Event e ? e.seq() : Views.NO_SEQ;
            send(commit.session(), out.player(), type(out.message()), seq, json);
            if (seq != Views.NO_SEQ) {
                kept.add(new RecentViews.View(out.player(), seq, json));
            }
        }
        loaded.views.add(commit.firstSeq(), commit.lastSeq(), kept);
    }

    private void send(String session, String player, String type, long seq, byte[] json) {
        // The views continue the action's trace: the gateway's delivery span is a child of the current span.
        Headers headers = telemetry.injectCurrent(Views.headers(type, seq));
        viewSink.publish(player == null ? subjects.outAll(session) : subjects.outPlayer(session, player), headers, json);
    }

    private void recordLatency(BusAction action) {
        if (action.at() > 0) {
            latency.record(Math.max(0, clock.millis() - action.at()), TimeUnit.MILLISECONDS);
        }
    }

    /** Only after a stored commit (fenced), and only when something the directory shows changed (never a roll). */
    private void writeDirectoryIfChanged(SessionSummary summary) {
        if (summary != null && summaries.changes(summary)) {
            summaries.publish(summary);
        }
    }

    /**
     * Tells the actor its action took effect. A create or join also gets the full view; a resume gets the events
     * it missed (from the views kept of the last commits), or the full view when they are not all kept; a game
     * action its own events, those after {@code ownAfter} (none when it committed nothing).
     */
    private void confirm(Loaded loaded, LiveSession<?, ?, ?> session, BusAction action, Answer answer, long ownAfter) {
        if (action.kind().quiet()) {
            return; // the system or the gateway told us; nobody waits for an answer
        }
        switch (action.kind()) {
            case GAME -> {
                // The actor's events ride in its answer too, as the actor sees them: its gateway shows them at once,
                // whichever of the answer and the views on <ns>.out arrives first (the later copy is dropped as
                // seen). Without them an answer that overtook its own view looked like a view gone missing and cost
                // a resume: measured at 1,000 CCU, one roll in two (docs/performance.md).
                List<RecentViews.View> own = loaded.views.since(ownAfter, session.seq(), action.player());
                if (own != null) {
                    own.forEach(answer::add);
                }
            }
            case LEAVE, END -> {
            }
            case RESUME -> {
                // A client with a view (its seq is at least 1: the session's first event) gets what it missed.
                var after = action.body().path("after");
                List<RecentViews.View> missed = after.canConvertToLong() && after.asLong() > 0
                        ? loaded.views.since(after.asLong(), session.seq(), action.player()) : null;
                if (missed != null) {
                    missed.forEach(answer::add);
                } else if (session.hasMember(action.player())) {
                    answer.add(SessionStep.joined(session, action.player(), clock.instant()));
                }
            }
            default -> {
                if (session.hasMember(action.player())) {
                    answer.add(SessionStep.joined(session, action.player(), clock.instant()));
                }
            }
        }
        // The session's seq rides in the frame index (not in the JSON the client sees): a gateway that has not let
        // this far through for the actor's socket knows a view of it went missing and asks for it.
        answer.frames.add(new ActionReply.Frame("accepted", session.seq(),
                Json.text(new ServerMessage.Accepted(action.id(), session.id()))));
    }

    private static String type(ServerMessage message) {
        return switch (message) {
            case ServerMessage.Welcome w -> "welcome";
            case ServerMessage.Joined j -> "joined";
            case ServerMessage.Resumed r -> "resumed";
            case ServerMessage.Event e -> "event";
            case ServerMessage.Accepted a -> "accepted";
            case ServerMessage.Error e -> "error";
            case ServerMessage.Presence p -> "presence";
            case ServerMessage.Left l -> "left";
            case ServerMessage.Result r -> "result";
            case ServerMessage.Pong p -> "pong";
        };
    }

    private void count(BusAction action, String outcome) {
        String game = gameOf(action);
        String kind = action.kind().name().toLowerCase(Locale.ROOT);
        outcomes.computeIfAbsent(game + '/' + kind + '/' + outcome, k -> Counter.builder("rf_game_actions_total")
                .tag("game", game)
                .tag("kind", kind)
                .tag("outcome", outcome)
                .description("Actions processed")
                .register(metrics)).increment();
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
        Loaded loaded = action.session() == null ? null : sessions.get(action.session());
        return loaded == null ? "unknown" : loaded.session.rules().id();
    }

    private void snapshot(LiveSession<?, ?, ?> session) {
        try {
            snapshotSize.record(snapshots.save(session, clock.millis()));
            // Only for a session still kept here (a released one is forgotten), and never back to an older seq.
            snapshotted.computeIfPresent(session.id(), (k, seq) -> Math.max(seq, session.seq()));
        } catch (IOException | RuntimeException e) {
            // A missing snapshot only makes the next rebuild replay more of the log.
            LOG.log(Level.WARNING, "snapshot of session " + session.id() + " failed", e);
        }
    }

    /**
     * Loads a session (snapshot + the commits after it) into the cache, with the views of those commits, and arms
     * its deadline; null when it does not exist. The newest commit's views are sent again: whoever wrote it
     * before us (a dead owner) may have died before sending them, and gateways drop what a socket has seen.
     */
    private Loaded load(String id) throws IOException {
        long start = System.nanoTime();
        LiveSession<?, ?, ?> session = null;
        var snapshot = snapshots.load(id);
        if (snapshot.isPresent()) {
            GameRules<?, ?, ?, ?> rules = games.find(snapshot.get().game()).orElseThrow(() ->
                    new IOException("session " + id + " is of game '" + snapshot.get().game() + "', not hosted here"));
            session = Snapshots.restore(rules, snapshot.get());
        }
        RecentViews views = new RecentViews(viewsKept);
        Loaded loaded = new Loaded(session, views);
        for (SessionLog.Stored stored : log.read(id, session == null ? 1 : session.streamSeq() + 1)) {
            Commit commit = stored.commit();
            if (loaded.session == null) {
                GameRules<?, ?, ?, ?> rules = games.find(commit.game()).orElseThrow(() ->
                        new IOException("session " + id + " is of game '" + commit.game() + "', not hosted here"));
                loaded.session = LiveSession.empty(rules, id, commit.code());
            }
            replay(loaded, loaded.session, commit, stored.streamSeq());
        }
        rebuildTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (loaded.session == null) {
            return null;
        }
        sessions.put(id, loaded);
        snapshotted.putIfAbsent(id, snapshot.map(Snapshots.Snapshot::seq).orElse(0L));
        readFromLog(id, loaded);
        return loaded;
    }

    /**
     * What follows taking a session's state from the log (a rebuild, or a fence caught up): its deadline armed,
     * its directory entry checked, and the newest commit's views sent again, since its writer may not have sent
     * them (it died, or its append got no answer).
     */
    private void readFromLog(String id, Loaded loaded) {
        timers.arm(loaded.session);
        summaries.loaded(loaded.session.summary(clock.millis()));
        List<RecentViews.View> newest = loaded.views.newest();
        if (!newest.isEmpty()) {
            republished.increment();
            for (RecentViews.View v : newest) {
                send(id, v.player(), "event", v.seq(), v.json());
            }
        }
    }

    private <S, C, E> void replay(Loaded loaded, LiveSession<S, C, E> session, Commit commit, long streamSeq) {
        SessionStep.Applied<S, C, E> applied = SessionStep.apply(session, commit, streamSeq);
        List<RecentViews.View> kept = new ArrayList<>();
        for (SessionStep.Outbound out : applied.outbound()) {
            if (out.message() instanceof ServerMessage.Event e) {
                kept.add(new RecentViews.View(out.player(), e.seq(), Json.bytes(e)));
            }
        }
        loaded.views.add(commit.firstSeq(), commit.lastSeq(), kept);
        loaded.session = applied.after();
    }

    /**
     * Partitions were just taken: their sessions' deadlines are armed from the timer index (each session loads
     * when its timer rings), so sessions nobody touches still expire here.
     */
    public void warm(List<Integer> taken) {
        List<String> found;
        try {
            found = timers.rearm(taken);
            LOG.fine(() -> "re-armed " + found.size() + " deadlines of partitions " + taken);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not re-arm the timers of partitions " + taken, e);
            return;
        }
        Thread.ofVirtual().name("directory-repair").start(() -> repairDirectory(found));
    }

    /**
     * The previous owner may have stored a commit that changed a session's summary and died before writing it to
     * the directory. Only the newest commit can be such a one (each summary is written before the session's next
     * action), and it carries the summary in a header: one direct read per session puts it right, without
     * loading the session. Off the action path, after the partitions already take actions.
     */
    private void repairDirectory(List<String> found) {
        for (String id : found) {
            if (sessions.containsKey(id)) {
                continue; // loaded meanwhile: loading checked the entry already
            }
            try {
                log.lastSummary(id).ifPresent(summaries::loaded);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "directory entry of session " + id + " not checked", e);
            }
        }
    }

    /**
     * Hands a partition over: snapshots its sessions (so the next owner replays little) and forgets them (so a
     * later return of the partition rebuilds from the log, never from a stale copy). Call once its actions stopped.
     */
    public void release(int partition) {
        for (var entry : sessions.entrySet()) {
            if (Partitions.of(entry.getKey(), partitions) == partition) {
                LiveSession<?, ?, ?> s = entry.getValue().session;
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
