package dev.runeforge.gateway.connection;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.LogContext;
import dev.runeforge.common.protocol.ClientMessage;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.gateway.auth.Credentials;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.session.ActionPublisher;
import dev.runeforge.gateway.session.RoomLookup;
import dev.runeforge.gateway.session.SessionHub;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * One player's WebSocket. Phases: upgrade (token checked) -> awaiting hello -> ready; once ready it is in at
 * most one session at a time. Every client message is parsed into a {@link ClientMessage} and dispatched in one
 * switch; every failure becomes a typed {@code error} frame, never a dropped connection.
 */
public final class PlayerSocket implements WsListener, SessionHub.Member, Heartbeat.Beating {
    private static final Logger LOG = Logger.getLogger(PlayerSocket.class.getName());

    /** What every socket shares: the gate, the bus, limits. */
    public record Wiring(UpgradeGate gate, ActionPublisher publisher, RoomLookup rooms, SessionHub hub,
                         GatewayMetrics metrics, int maxMessageBytes, int burst, double perSecond,
                         AddressLimiter roomCreation, boolean trustForwarded, Heartbeat heartbeat) {
    }

    /** Room creation is refused with this code when one address creates too many rooms. */
    public static final String RATE_LIMIT = "RATE_LIMIT";

    private enum Phase { AWAITING_HELLO, READY }

    /** WebSocket close code 1001: the server gives up on a client it cannot hear. */
    private static final int GOING_AWAY = 1001;


    private final Wiring w;
    private final String connectionId = UUID.randomUUID().toString();
    private final StringBuilder fragments = new StringBuilder();
    private final RateLimiter limiter;
    private Principal principal;
    /** This browser's id, when it has one (see Credentials.device). */
    private String device;
    /** The client's address: the socket's peer, or the proxy's X-Forwarded-For when configured to trust it. */
    private String address;
    private long presenceCount;
    /** When the client was last heard from (System.nanoTime): any frame, pongs included. */
    private volatile long lastHeard = System.nanoTime();
    /** When the last heartbeat ping went out (System.nanoTime), 0 once its pong came back. */
    private volatile long pingSentAt;
    private WsSession ws;
    private Phase phase = Phase.AWAITING_HELLO;

    // Session state; guarded by `this` (the socket's thread and the hub's dispatcher both touch it).
    private String session;
    private String pendingJoin;
    private boolean joined;
    private long lastSeq;

    public PlayerSocket(Wiring wiring) {
        this.w = wiring;
        this.limiter = new RateLimiter(wiring.burst(), wiring.perSecond(), System.nanoTime());
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        principal = w.gate().admit(headers).orElseThrow(() -> {
            w.metrics().refusedUpgrade();
            return new WsUpgradeException("not authenticated");
        });
        device = Credentials.device(headers).orElse(null);
        address = ClientAddress.forwarded(headers, w.trustForwarded()).orElse(null);
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        this.ws = session;
        w.heartbeat().add(this);
        if (address == null) {
            address = session.socketContext().remotePeer().host();
        }
        w.metrics().connected();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        closed();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.FINE, "socket error", t);
        closed();
    }

    private synchronized void closed() {
        if (ws == null) {
            return;
        }
        ws = null;
        w.heartbeat().remove(this);
        w.metrics().disconnected();
        leaveLocally();
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        long now = System.nanoTime();
        lastHeard = now;
        long sent = pingSentAt;
        if (sent != 0) {
            pingSentAt = 0; // one sample per ping: an unsolicited pong measures nothing
            w.metrics().roundTrip(now - sent);
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        lastHeard = System.nanoTime();
        session.pong(buffer);
    }

    @Override
    public synchronized void beat(long silentSince) {
        if (ws == null) {
            return;
        }
        WsSession open = ws;
        if (lastHeard - silentSince < 0) {
            try {
                open.close(GOING_AWAY, "no heartbeat");
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing a silent socket failed", e);
            }
            closed();
            return;
        }
        try {
            pingSentAt = System.nanoTime();
            open.ping(BufferData.empty());
        } catch (RuntimeException e) {
            closed(); // the connection is gone: nothing can be written to it
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        lastHeard = System.nanoTime();
        send(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE, "binary frames are not supported", null));
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        lastHeard = System.nanoTime();
        if (fragments.length() + text.length() > w.maxMessageBytes()) {
            fragments.setLength(0);
            send(new ServerMessage.Error(ErrorCodes.FRAME_TOO_LARGE,
                    "messages are limited to " + w.maxMessageBytes() + " bytes", null));
            return;
        }
        fragments.append(text);
        if (!last) {
            return;
        }
        String message = fragments.toString();
        fragments.setLength(0);
        if (!limiter.tryAcquire(System.nanoTime())) {
            w.metrics().rateLimited(GatewayMetrics.MESSAGES);
            send(new ServerMessage.Error(ErrorCodes.RATE_LIMITED, "slow down: too many messages", null));
            return;
        }
        ClientMessage parsed;
        try {
            parsed = Json.read(message, ClientMessage.class);
        } catch (IllegalArgumentException e) {
            send(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE, "unreadable message: " + e.getMessage(), null));
            return;
        }
        // The session and player name every log line written while this message is handled (the catches too).
        try (LogContext.Scope logged = LogContext.open(currentSession(), principal.player())) {
            try {
                dispatch(parsed);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "bus unavailable for " + principal.player(), e);
                failed(parsed, ErrorCodes.UNAVAILABLE, "the game service is unavailable, try again");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "message from " + principal.player() + " failed", e);
                failed(parsed, ErrorCodes.INTERNAL, "internal error");
            }
        }
    }

    private void dispatch(ClientMessage message) throws IOException {
        if (phase == Phase.AWAITING_HELLO && !(message instanceof ClientMessage.Hello)) {
            send(new ServerMessage.Error(ErrorCodes.HELLO_REQUIRED, "send hello first", null));
            return;
        }
        switch (message) {
            case ClientMessage.Hello h -> hello(h);
            case ClientMessage.Create c -> create(c);
            case ClientMessage.Join j -> join(j);
            case ClientMessage.Action a -> action(a);
            case ClientMessage.Leave l -> leave(l);
            case ClientMessage.Ping p -> send(new ServerMessage.Pong(p.t()));
        }
    }

    private void hello(ClientMessage.Hello h) {
        if (phase != Phase.AWAITING_HELLO) {
            send(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE, "hello was already received", null));
            return;
        }
        if (h.v() != ClientMessage.PROTOCOL_VERSION) {
            send(new ServerMessage.Error(ErrorCodes.UNSUPPORTED_VERSION,
                    "this server speaks protocol version " + ClientMessage.PROTOCOL_VERSION, null));
            return;
        }
        phase = Phase.READY;
        send(new ServerMessage.Welcome(ClientMessage.PROTOCOL_VERSION, principal.player(), principal.name()));
        if (h.resume() != null) {
            resume(h.resume());
        }
    }

    /**
     * A reconnecting member: it gets a fresh {@code joined} view of the session (which covers every event it
     * missed; later events follow it in order), or NOT_IN_ROOM. Game instances decide, so a player who left
     * or was removed cannot come back this way.
     */
    private void resume(ClientMessage.Resume resume) {
        w.metrics().resumed();
        String id = "resume-" + UUID.randomUUID();
        enter(resume.session(), id);
        try {
            publish(BusAction.Kind.RESUME, id, resume.session(), null, null);
        } catch (IOException e) {
            synchronized (this) {
                leaveLocally();
            }
            send(new ServerMessage.Error(ErrorCodes.UNAVAILABLE, "the game service is unavailable, try again", id));
        }
    }

    private void create(ClientMessage.Create c) throws IOException {
        if (currentSession() != null) {
            send(new ServerMessage.Error(ErrorCodes.ALREADY_IN_SESSION, "leave your room first", c.id()));
            return;
        }
        if (!w.roomCreation().tryAcquire(address, System.nanoTime())) {
            w.metrics().rateLimited(GatewayMetrics.ROOMS);
            send(new ServerMessage.Error(RATE_LIMIT, "too many new rooms from your network; try again in "
                    + w.roomCreation().retryAfterSeconds() + " s, or join an existing room", c.id()));
            return;
        }
        String sessionId = UUID.randomUUID().toString().replace("-", "");
        enter(sessionId, c.id());
        publish(BusAction.Kind.CREATE, c.id(), sessionId, c.game(), c.settings());
    }

    private void join(ClientMessage.Join j) throws IOException {
        Optional<String> target = w.rooms().session(j.code());
        if (target.isEmpty()) {
            send(new ServerMessage.Error(ErrorCodes.ROOM_NOT_FOUND, "no room with code " + j.code(), j.id()));
            return;
        }
        String current = currentSession();
        if (current != null && !current.equals(target.get())) {
            send(new ServerMessage.Error(ErrorCodes.ALREADY_IN_SESSION, "leave your room first", j.id()));
            return;
        }
        enter(target.get(), j.id());
        publish(BusAction.Kind.JOIN, j.id(), target.get(), null, null);
    }

    private void action(ClientMessage.Action a) throws IOException {
        if (!a.session().equals(currentSession())) {
            send(new ServerMessage.Error(ErrorCodes.NOT_IN_ROOM, "you are not in that room", a.id()));
            return;
        }
        publish(BusAction.Kind.GAME, a.id(), a.session(), null, a.body());
    }

    private void leave(ClientMessage.Leave l) throws IOException {
        if (!l.session().equals(currentSession())) {
            send(new ServerMessage.Error(ErrorCodes.NOT_IN_ROOM, "you are not in that room", l.id()));
            return;
        }
        publish(BusAction.Kind.LEAVE, l.id(), l.session(), null, null);
        synchronized (this) {
            leaveLocally();
        }
        send(new ServerMessage.Left(l.session()));
    }

    private void publish(BusAction.Kind kind, String id, String sessionId, String game, JsonNode body)
            throws IOException {
        w.publisher().publish(new BusAction(id, kind, sessionId, principal.player(), principal.name(), game, body,
                connectionId, System.currentTimeMillis(), device));
    }

    /**
     * Tells the session's game that this connection now shows it, or no longer does (others see who is online; a
     * DM-led room waits for its DM). Asynchronous, in order per socket: called under this socket's lock.
     */
    private void presence(String sessionId, boolean connected) {
        BusAction action = new BusAction("presence-" + connectionId + "-" + (++presenceCount), BusAction.Kind.PRESENCE,
                sessionId, principal.player(), principal.name(), null,
                Json.tree(Map.of("connected", connected)), connectionId, System.currentTimeMillis(), device);
        try {
            w.publisher().publishAsync(action).whenComplete((ack, e) -> {
                if (e != null) {
                    LOG.log(Level.WARNING, "presence of " + principal.player() + " in " + sessionId + " not stored", e);
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "presence of " + principal.player() + " in " + sessionId + " not published", e);
        }
    }

    private synchronized String currentSession() {
        return session;
    }

    /** Subscribes before the action is published, so the answer cannot overtake the subscription. */
    private synchronized void enter(String sessionId, String joinId) {
        if (!sessionId.equals(session)) {
            leaveLocally();
            session = sessionId;
            joined = false;
            lastSeq = 0;
            w.hub().attach(sessionId, this);
        }
        pendingJoin = joinId;
    }

    private void leaveLocally() {
        if (session != null) {
            if (joined) {
                presence(session, false);
            }
            w.hub().detach(session, this);
            session = null;
            pendingJoin = null;
            joined = false;
        }
    }

    private void failed(ClientMessage message, String code, String text) {
        String ref = switch (message) {
            case ClientMessage.Create c -> c.id();
            case ClientMessage.Join j -> j.id();
            case ClientMessage.Action a -> a.id();
            case ClientMessage.Leave l -> l.id();
            default -> null;
        };
        synchronized (this) {
            if (ref != null && ref.equals(pendingJoin) && !joined) {
                leaveLocally();
            }
        }
        send(new ServerMessage.Error(code, text, ref));
    }

    @Override
    public String player() {
        return principal.player();
    }

    @Override
    public String connectionId() {
        return connectionId;
    }

    /** From the hub: forward what this socket may see, in seq order, each event once. */
    @Override
    public synchronized void deliver(String sessionId, JsonNode message, String text) {
        if (!sessionId.equals(session)) {
            return;
        }
        switch (message.path("type").asText()) {
            case "joined" -> {
                if (!joined) {
                    presence(sessionId, true);
                }
                joined = true;
                pendingJoin = null;
                lastSeq = message.path("seq").asLong();
            }
            case "event" -> {
                long seq = message.path("seq").asLong();
                if (!joined || seq <= lastSeq) {
                    return; // before our view, or already seen
                }
                if (seq > lastSeq + 1) {
                    LOG.warning(() -> "gap in session " + sessionId + ": " + lastSeq + " -> " + seq);
                }
                lastSeq = seq;
            }
            case "left" -> {
                // The game removed this player (a kick) or the session ended: stop forwarding its messages.
                sendRaw(text);
                leaveLocally();
                return;
            }
            case "error" -> {
                if (!joined && message.path("ref").asText("").equals(pendingJoin)) {
                    // The join or create was refused: this socket is not in the room after all.
                    sendRaw(text);
                    leaveLocally();
                    return;
                }
            }
            default -> {
            }
        }
        sendRaw(text);
    }

    private void send(ServerMessage message) {
        sendRaw(Json.text(message));
    }

    private synchronized void sendRaw(String text) {
        if (ws == null) {
            return;
        }
        try {
            ws.send(text, true);
            w.metrics().sent();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "send failed; the socket is closing", e);
        }
    }
}
