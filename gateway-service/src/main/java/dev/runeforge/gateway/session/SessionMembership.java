package dev.runeforge.gateway.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;

/**
 * One socket's part in at most one session: which session, its position in the session's events ({@link SeqGate}),
 * and its actions, sent one at a time in the order the player made them (each to the session's owner, repeated
 * until answered: {@link ActionClient}). Views come from the {@link SessionHub} (everyone's) and from the replies
 * to this socket's actions (its own answers); both go through the gate, so the client sees each event once, in
 * order, without a hole: a hole is filled by asking the owner for the missed events (a resume from the gate's
 * position), answered from the views it keeps of the last commits or with a fresh view.
 *
 * <p>Thread-safe: the socket's reader, the hub's dispatchers and reply threads all call in; everything they do
 * under the lock is bookkeeping and queueing, never I/O.
 */
public final class SessionMembership implements SessionHub.Member {
    private static final Logger LOG = Logger.getLogger(SessionMembership.class.getName());
    /** Actions a socket may have waiting for their turn; more are refused BUSY (a client flooding the bus). */
    static final int MAX_QUEUED = 32;
    /**
     * How long a player's action may wait for its turn (behind the one in flight) before it is refused BUSY instead
     * of sent. Each one in flight may take up to the action deadline; without this bound a socket's queue turned an
     * overload into answers 10 s late (docs/performance.md, "Overload"). With it, a refusal reaches the player
     * within this wait plus one deadline at most.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(1);
    /**
     * How long a hole in a socket's events may stay open before the owner is asked for what is missing. A hole is
     * nearly always a view still on its way: the answer to a player's own action, or a view delivered on another
     * dispatcher thread, overtakes it by well under a millisecond. Asking at once cost a resume for one roll in
     * two at 1,000 CCU (docs/performance.md); a lost view (a takeover) is filled this much later.
     */
    static final Duration FILL_GRACE = Duration.ofMillis(200);
    /**
     * Runs the gates' checks after the grace: its own thread, not the common pool (which has one thread on a
     * 2-core machine and is anybody's to block), so a hole is seen to on time whatever else the JVM does.
     */
    private static final ScheduledExecutorService CHECK_LATER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("seq-gate-checks").daemon().factory());

    /** Where this socket's frames go (its outbox). */
    public interface Client {
        void send(String frame);
    }

    /** Who acts: the socket's player, browser and connection. */
    public record Actor(String player, String name, String device, String connection) {
        public Actor {
            Objects.requireNonNull(player);
            Objects.requireNonNull(name);
            Objects.requireNonNull(connection);
        }
    }

    /** Why an action was sent, which decides what of its answer reaches the client. */
    private enum Purpose {
        /** The player's own: every frame of the answer goes to the client. */
        PLAYER,
        /** A reconnect's resume: the client is told it is back ({@code resumed}) unless a fresh view comes. */
        RESUME,
        /** The gate's request for missed events: only the events (or the view) reach the client. */
        FILL,
        /** The gateway's own (presence): nothing reaches the client. */
        QUIET
    }

    private record Queued(BusAction action, Purpose purpose, long queuedAt) {
        Queued(BusAction action, Purpose purpose) {
            this(action, purpose, System.nanoTime());
        }

        /** A player's action (or resume) that waited too long: refused rather than sent; the gateway's own never are. */
        boolean stale(long now) {
            return (purpose == Purpose.PLAYER || purpose == Purpose.RESUME) && now - queuedAt > MAX_WAIT.toNanos();
        }
    }

    private final ActionClient actions;
    private final SessionHub hub;
    private final Actor actor;
    private final Client client;
    // Guarded by `this`.
    private String session;
    private String pendingJoin;
    private SeqGate gate = new SeqGate();
    private boolean presenceSent;
    private long presenceCount;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private boolean sending;

    public SessionMembership(ActionClient actions, SessionHub hub, Actor actor, Client client) {
        this.actions = Objects.requireNonNull(actions);
        this.hub = Objects.requireNonNull(hub);
        this.actor = Objects.requireNonNull(actor);
        this.client = Objects.requireNonNull(client);
    }

    @Override
    public String player() {
        return actor.player();
    }

    public synchronized String current() {
        return session;
    }

    /** Opens {@code session} (a new one: {@code game} and {@code settings}) for this socket. */
    public void create(String id, String sessionId, String game, JsonNode settings) {
        enter(sessionId, id);
        send(BusAction.Kind.CREATE, id, sessionId, game, settings, Purpose.PLAYER);
    }

    public void join(String id, String sessionId) {
        enter(sessionId, id);
        send(BusAction.Kind.JOIN, id, sessionId, null, null, Purpose.PLAYER);
    }

    public void act(String id, String sessionId, JsonNode body) {
        send(BusAction.Kind.GAME, id, sessionId, null, body, Purpose.PLAYER);
    }

    /**
     * Leaves at once (the socket stops forwarding the session's messages) and tells the game; the client gets
     * {@code left} now, whatever the game answers.
     */
    public void leave(String id, String sessionId) {
        send(BusAction.Kind.LEAVE, id, sessionId, null, null, Purpose.QUIET);
        synchronized (this) {
            leaveLocally();
        }
        client.send(Json.text(new ServerMessage.Left(sessionId)));
    }

    /**
     * A reconnecting member: the events it missed since {@code lastSeq} follow a {@code resumed}, or a fresh
     * {@code joined} view when the owner no longer keeps them all, or NOT_IN_ROOM. The game decides, so a player
     * who left or was removed cannot come back this way.
     */
    public void resume(String sessionId, long lastSeq) {
        String id = "resume-" + UUID.randomUUID();
        enter(sessionId, id);
        send(BusAction.Kind.RESUME, id, sessionId, null, Json.tree(Map.of("after", lastSeq)), Purpose.RESUME);
    }

    /** The socket closed: leave the session (the game hears this connection went away). */
    public synchronized void closed() {
        leaveLocally();
    }

    /** Subscribes before the action goes out, so no view of the session can overtake the subscription. */
    private synchronized void enter(String sessionId, String joinId) {
        if (!sessionId.equals(session)) {
            leaveLocally();
            session = sessionId;
            gate = new SeqGate();
            presenceSent = false;
            hub.attach(sessionId, this);
        }
        pendingJoin = joinId;
    }

    private void leaveLocally() {
        if (session != null) {
            if (presenceSent) {
                presence(session, false);
            }
            hub.detach(session, this);
            session = null;
            pendingJoin = null;
            presenceSent = false;
        }
    }

    /** Tells the session's game that this connection now shows it, or no longer does; in order with the rest. */
    private void presence(String sessionId, boolean connected) {
        BusAction action = new BusAction("presence-" + actor.connection() + "-" + (++presenceCount),
                BusAction.Kind.PRESENCE, sessionId, actor.player(), actor.name(), null,
                Json.tree(Map.of("connected", connected)), actor.connection(), System.currentTimeMillis(), actor.device());
        enqueue(new Queued(action, Purpose.QUIET));
    }

    private void send(BusAction.Kind kind, String id, String sessionId, String game, JsonNode body, Purpose purpose) {
        enqueue(new Queued(new BusAction(id, kind, sessionId, actor.player(), actor.name(), game, body,
                actor.connection(), System.currentTimeMillis(), actor.device()), purpose));
    }

    private void enqueue(Queued q) {
        boolean refused = false;
        synchronized (this) {
            // The gateway's own (presence, fills) always get in line: refusing a fill would leave a hole open for good.
            if (queue.size() < MAX_QUEUED || q.purpose() == Purpose.QUIET || q.purpose() == Purpose.FILL) {
                queue.addLast(q);
                if (sending) {
                    return;
                }
                sending = true;
            } else {
                refused = true;
            }
        }
        if (refused) {
            client.send(Json.text(new ServerMessage.Error(ErrorCodes.BUSY,
                    "too many actions in flight; wait for their answers", q.action().id(), 500)));
            return;
        }
        next();
    }

    /** Sends the next queued action, refusing those that waited too long; its answer sends the one after. */
    private void next() {
        Queued q;
        List<Queued> refused = List.of();
        synchronized (this) {
            long now = System.nanoTime();
            while ((q = queue.pollFirst()) != null && q.stale(now)) {
                if (refused.isEmpty()) {
                    refused = new ArrayList<>();
                }
                refused.add(q);
                if (joining(q)) {
                    leaveLocally(); // the create, join or resume was not sent: this socket is not in the room
                }
            }
            if (q == null) {
                sending = false;
            }
        }
        for (Queued r : refused) {
            client.send(Json.text(new ServerMessage.Error(ErrorCodes.BUSY,
                    "the game is busy; this action waited too long and was not sent", r.action().id(), 1000)));
        }
        if (q == null) {
            return;
        }
        Queued sent = q;
        actions.send(q.action()).whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    unanswered(sent, failure);
                } else {
                    answered(sent, reply);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "answer to " + sent.action().key() + " failed", e);
            } finally {
                next();
            }
        });
    }

    private void unanswered(Queued q, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        boolean reached = cause instanceof ActionClient.Unanswered u && u.reached();
        // A game that answers late is an operational fact (load, a takeover), not a bug: one line, no stack trace.
        // Anything else that failed the action is unexpected and keeps its trace.
        if (cause instanceof ActionClient.Unanswered) {
            LOG.warning(() -> q.action().kind() + " " + q.action().key() + " on session " + q.action().session()
                    + " got no answer: " + cause.getMessage());
        } else {
            LOG.log(Level.WARNING, q.action().kind() + " " + q.action().key() + " on session " + q.action().session()
                    + " got no answer", cause);
        }
        synchronized (this) {
            if (q.purpose() == Purpose.FILL) {
                applyStep(gate.filled());
                return;
            }
            if (joining(q)) {
                leaveLocally(); // the create, join or resume did not happen: this socket is not in the room
            }
        }
        if (q.purpose() != Purpose.QUIET) {
            // UNAVAILABLE, not BUSY: an owner may have taken it (it is applied at most once: send it again with the
            // same id to learn its fate); BUSY means it was not taken.
            client.send(Json.text(new ServerMessage.Error(ErrorCodes.UNAVAILABLE,
                    reached ? "the game did not answer in time; send it again" : "the game service is unavailable; try again",
                    q.action().id(), 1000)));
        }
    }

    /** An action's answer: its frames, through the gate, for this socket only. */
    private synchronized void answered(Queued q, ActionReply reply) {
        String sessionId = q.action().session();
        if (q.purpose() == Purpose.QUIET || !sessionId.equals(session)) {
            return; // presence, a leave, or an answer for a session this socket has left since
        }
        boolean positioned = false;
        for (ActionReply.Frame f : reply.frames()) {
            switch (f.type()) {
                case "joined" -> {
                    positioned = true;
                    position(f.seq(), f.json());
                }
                case "event" -> {
                    if (!positioned && q.purpose() == Purpose.RESUME && !gate.positioned()) {
                        positioned = true;
                        position(q.action().body().path("after").asLong(), resumed(sessionId, q));
                    }
                    applyStep(gate.event(f.seq(), f.json()));
                }
                case "error" -> {
                    if (joining(q)) {
                        client.send(f.json());
                        leaveLocally(); // the create, join or resume was refused: this socket is not in the room
                        return;
                    }
                    if (q.purpose() != Purpose.FILL) {
                        client.send(f.json());
                    }
                }
                default -> {
                    if (q.purpose() == Purpose.RESUME && f.type().equals("accepted") && !gate.positioned()) {
                        positioned = true; // nothing was missed: the client's view holds as it is
                        position(q.action().body().path("after").asLong(), resumed(sessionId, q));
                    }
                    if (q.purpose() != Purpose.FILL) {
                        client.send(f.json());
                    }
                    if (f.type().equals("accepted") && f.seq() != ActionReply.Frame.NO_SEQ && q.purpose() != Purpose.FILL) {
                        applyStep(gate.reached(f.seq())); // the actor's own event must not be the one that went missing
                    }
                }
            }
        }
        if (q.purpose() == Purpose.FILL) {
            applyStep(gate.filled());
        }
    }

    /** Whether {@code q} is the create, join or resume that is to put this socket in its session (not there yet). */
    private boolean joining(Queued q) {
        return q.action().id().equals(pendingJoin) && !gate.positioned();
    }

    private static String resumed(String sessionId, Queued q) {
        return Json.text(new ServerMessage.Resumed(sessionId, q.action().body().path("after").asLong()));
    }

    /** The socket's position in the session: a view (or resumed) to send, then what the gate held after it. */
    private void position(long seq, String frame) {
        if (!presenceSent) {
            presenceSent = true;
            presence(session, true);
        }
        pendingJoin = null;
        client.send(frame);
        applyStep(gate.position(seq));
    }

    /** A view from the hub (this session's events, a removal, a close). */
    @Override
    public synchronized void deliver(String sessionId, String type, long seq, String text) {
        if (!sessionId.equals(session)) {
            return;
        }
        switch (type) {
            case "event" -> applyStep(gate.event(seq, text));
            case "left" -> {
                // The game removed this player (a kick) or the session ended: stop forwarding its messages.
                client.send(text);
                leaveLocally();
            }
            default -> client.send(text);
        }
    }

    private void applyStep(SeqGate.Step step) {
        step.send().forEach(client::send);
        if (step.check()) {
            SeqGate holed = gate;
            CHECK_LATER.schedule(() -> {
                try {
                    synchronized (this) {
                        if (gate == holed) {
                            applyStep(holed.check());
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "checking a hole in session " + session + " failed", e);
                }
            }, FILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (step.fill() && session != null) {
            LOG.fine(() -> "hole in session " + session + " after seq " + step.after() + "; asking for what is missing");
            String id = "fill-" + UUID.randomUUID();
            enqueue(new Queued(new BusAction(id, BusAction.Kind.RESUME, session, actor.player(), actor.name(), null,
                    Json.tree(Map.of("after", step.after())), actor.connection(), System.currentTimeMillis(),
                    actor.device()), Purpose.FILL));
        }
    }
}
