package dev.runeforge.gateway.connection;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.DirectoryBucket;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.LogContext;
import dev.runeforge.common.protocol.ClientMessage;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.gateway.auth.Credentials;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.session.JoinGuard;
import dev.runeforge.gateway.session.SessionHub;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * One player's WebSocket: frames in (size, rate, parse), heartbeat and deadlines, phases (upgrade with its token
 * checked -> awaiting hello -> ready), one switch over the client's messages, and frames out through the socket's
 * {@link Outbox}. What the socket asks of rooms (create, join, act, leave, resume) is its membership's:
 * {@link RoomRequests}. Every failure becomes a typed {@code error} frame, never a dropped connection.
 */
public final class PlayerSocket implements WsListener, Heartbeat.Beating {
    private static final Logger LOG = Logger.getLogger(PlayerSocket.class.getName());

    /** What every socket shares: the gate, the bus, limits. */
    public record Wiring(UpgradeGate gate, ActionClient actions, DirectoryBucket rooms, SessionHub hub,
                         GatewayMetrics metrics, int maxMessageBytes, int burst, double perSecond,
                         AddressLimiter roomCreation, ClientAddress addresses, Heartbeat heartbeat, int outboxLimit,
                         Guards guards, ConnectionCaps caps, JoinGuard joins, SignInSockets signIns) {
    }

    /**
     * Deadlines and patience (docs/protocol.md, Connections): {@code hello} within {@code hello}; a socket in no room
     * that sends nothing but pings for {@code idle} is closed; {@code floodRefusals} messages refused in a row (rate
     * or size) close the socket; a socket whose access token expired more than {@code tokenGrace} ago is closed (the
     * client reconnects with a fresh token and resumes).
     */
    public record Guards(Duration hello, Duration idle, int floodRefusals, Duration tokenGrace) {
        public static final Guards DEFAULT = new Guards(Duration.ofSeconds(10), Duration.ofMinutes(30), 50,
                Duration.ofSeconds(30));
    }

    /** Room creation is refused with this code when one address creates too many rooms. */
    public static final String RATE_LIMIT = "RATE_LIMIT";

    private enum Phase { AWAITING_HELLO, READY }

    /** WebSocket close code 1001: the server gives up on a client it cannot hear. */
    private static final int GOING_AWAY = 1001;
    /** WebSocket close code 1013: try again later (the client fell too far behind, or holds too many sockets). */
    private static final int TRY_AGAIN_LATER = 1013;
    /** WebSocket close code 1008: the client broke a rule (no hello, flooding, an expired token). */
    private static final int POLICY_VIOLATION = 1008;
    /** WebSocket close code 1000: done (idle). */
    private static final int NORMAL = 1000;
    /** How long a client may take to answer our close frame before its TCP connection is dropped. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private final Wiring w;
    private final String connectionId = UUID.randomUUID().toString();
    private final StringBuilder fragments = new StringBuilder();
    /** Whether the message being received is over the limit (its further frames are skipped). */
    private boolean oversized;
    private final RateLimiter limiter;
    private final Outbox outbox;
    private Principal principal;
    /** This browser's id, when it has one (see Credentials.device). */
    private String device;
    /** The client's address: the socket's peer, or the proxy's X-Forwarded-For when configured to trust it. */
    private String address;
    /** When the client last sent a message other than a ping (System.nanoTime). */
    private volatile long lastActive = System.nanoTime();
    /** Messages refused in a row for their rate or size (a flood when it reaches Guards.floodRefusals). */
    private int refusedInARow;
    /** Closes this socket when its sign-in is revoked (a logout): any thread, never blocks the caller. */
    private final Runnable signedOut = () -> Thread.ofVirtual().start(() -> closeWith(new ServerMessage.Error(
            ErrorCodes.UNAUTHORIZED, "signed out: sign in again", null), POLICY_VIOLATION, "signed out"));
    /** Whether the caps counted this socket in (then onClose counts it out). */
    private boolean counted;
    /** When the client was last heard from (System.nanoTime): any frame, pongs included. */
    private volatile long lastHeard = System.nanoTime();
    /** When the last heartbeat ping went out (System.nanoTime), 0 once its pong came back. */
    private volatile long pingSentAt;
    private volatile WsSession ws;
    /**
     * Held while anything is written to the socket (frames from the outbox's thread, pings from the heartbeat's,
     * pongs from the reader's, the close frame): Helidon does not promise that two writers can share a connection.
     */
    private final ReentrantLock writing = new ReentrantLock();
    private Phase phase = Phase.AWAITING_HELLO;
    private RoomRequests membership;

    public PlayerSocket(Wiring wiring) {
        this.w = wiring;
        this.limiter = new RateLimiter(wiring.burst(), wiring.perSecond(), System.nanoTime());
        this.outbox = new Outbox(wiring.outboxLimit(), this::write, this::tooSlow);
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        principal = w.gate().admit(headers).orElseThrow(() -> {
            w.metrics().refusedUpgrade();
            return new WsUpgradeException("not authenticated");
        });
        device = Credentials.device(headers).orElse(null);
        upgradeHeaders = headers;
        return Optional.empty();
    }

    /** The upgrade's headers, until onOpen knows the peer and can tell the client's address. */
    private Headers upgradeHeaders;

    @Override
    public void onOpen(WsSession session) {
        this.ws = session;
        address = w.addresses().of(upgradeHeaders, session.socketContext().remotePeer().host());
        upgradeHeaders = null;
        membership = new RoomRequests(w, principal, device, connectionId, address, this::send);
        w.metrics().connected();
        synchronized (this) {
            counted = w.caps().open(principal.player(), address);
        }
        if (!counted) {
            w.metrics().refusedUpgrade();
            closeWith(new ServerMessage.Error(ErrorCodes.TOO_MANY_CONNECTIONS, "too many open connections (at most "
                    + w.caps().perPlayer() + " per player and " + w.caps().perAddress() + " per network); close a tab "
                    + "or another device, then reconnect", null), TRY_AGAIN_LATER, "too many connections");
            return;
        }
        w.heartbeat().add(this);
        if (principal.signIn() != null) {
            w.signIns().add(principal.signIn(), signedOut);
        }
        w.heartbeat().after(w.guards().hello(), () -> {
            if (phase == Phase.AWAITING_HELLO && ws != null) {
                closeWith(new ServerMessage.Error(ErrorCodes.HELLO_REQUIRED, "no hello within "
                        + w.guards().hello().toSeconds() + " s: closing", null), POLICY_VIOLATION, "no hello");
            }
        });
    }

    /**
     * Sends {@code error} as the socket's last frame, closes it with {@code status}, and drops the TCP connection
     * if the client has not answered the close within a second (a flooding client may never read it). Any thread.
     */
    private void closeWith(ServerMessage.Error error, int status, String reason) {
        WsSession open = ws;
        if (open == null) {
            return;
        }
        LOG.info(() -> "closing the socket of " + principal.player() + " from " + address + ": " + error.code());
        boolean locked = false;
        try {
            locked = writing.tryLock(CLOSE_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (locked) {
                open.send(Json.text(error), true);
            }
            open.close(status, reason);
        } catch (RuntimeException | InterruptedException e) {
            LOG.log(Level.FINE, "closing a socket failed", e);
        } finally {
            if (locked) {
                writing.unlock();
            }
        }
        closed();
        w.heartbeat().after(CLOSE_GRACE, () -> {
            if (open instanceof io.helidon.webserver.spi.ServerConnection connection) {
                connection.close(true); // interrupts its reader: the socket is closed under it
            }
        });
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
        outbox.close();
        w.heartbeat().remove(this);
        w.metrics().disconnected();
        if (counted) {
            counted = false;
            w.caps().closed(principal.player(), address);
            if (principal.signIn() != null) {
                w.signIns().remove(principal.signIn(), signedOut);
            }
        }
        membership.closed();
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
        writing.lock();
        try {
            session.pong(buffer);
        } finally {
            writing.unlock();
        }
    }

    @Override
    public void beat(long silentSince) {
        WsSession open = ws;
        if (open == null) {
            return;
        }
        long now = System.nanoTime();
        if (System.currentTimeMillis() / 1000 > principal.expiresAt() + w.guards().tokenGrace().toSeconds()) {
            Thread.ofVirtual().start(() -> closeWith(new ServerMessage.Error(ErrorCodes.TOKEN_EXPIRED,
                    "your sign-in expired: reconnect with a fresh one", null), POLICY_VIOLATION, "token expired"));
            return;
        }
        if (membership.current() == null && now - lastActive > w.guards().idle().toNanos()) {
            Thread.ofVirtual().start(() -> closeWith(new ServerMessage.Error(ErrorCodes.IDLE_TIMEOUT,
                    "closed after " + w.guards().idle().toMinutes() + " min in no room without a message", null),
                    NORMAL, "idle"));
            return;
        }
        if (lastHeard - silentSince < 0) {
            try {
                open.close(GOING_AWAY, "no heartbeat"); // not under `writing`: a stuck write must not hold the close
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing a silent socket failed", e);
            }
            closed();
            return;
        }
        // The heartbeat is one thread for every socket: never wait for a write in progress (a slow client would stall
        // everyone's pings). A socket being written to now needs no ping this round.
        if (!writing.tryLock()) {
            return;
        }
        try {
            pingSentAt = System.nanoTime();
            open.ping(BufferData.empty());
        } catch (RuntimeException e) {
            closed(); // the connection is gone: nothing can be written to it
        } finally {
            writing.unlock();
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        lastHeard = System.nanoTime();
        if (ws == null) {
            return; // closed by us: what a client sends after our close frame is not read
        }
        if (last && refused()) {
            send(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE, "binary frames are not supported", null));
        }
    }

    /**
     * Counts a refused message; closes the socket when the client keeps sending after {@code floodRefusals} refusals
     * in a row. Returns whether the refusal is still to be answered.
     */
    private boolean refused() {
        if (++refusedInARow < w.guards().floodRefusals()) {
            return true;
        }
        w.metrics().rateLimited(GatewayMetrics.MESSAGES);
        closeWith(new ServerMessage.Error(ErrorCodes.RATE_LIMITED, refusedInARow
                + " messages refused in a row: closing the connection", null), POLICY_VIOLATION, "flooding");
        return false;
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        lastHeard = System.nanoTime();
        if (ws == null) {
            return; // closed by us: what a client sends after our close frame is not read
        }
        if (oversized || fragments.length() + text.length() > w.maxMessageBytes()) {
            // The rest of an oversized message is skipped; it is answered once, when its last frame arrives.
            fragments.setLength(0);
            oversized = !last;
            if (last && refused()) {
                send(new ServerMessage.Error(ErrorCodes.FRAME_TOO_LARGE,
                        "messages are limited to " + w.maxMessageBytes() + " bytes", null));
            }
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
            if (refused()) {
                send(new ServerMessage.Error(ErrorCodes.RATE_LIMITED, "slow down: too many messages", null));
            }
            return;
        }
        refusedInARow = 0;
        ClientMessage parsed;
        try {
            parsed = Json.read(message, ClientMessage.class);
        } catch (IllegalArgumentException e) {
            send(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE, "unreadable message: " + e.getMessage(), null));
            return;
        }
        if (parsed == null) { // the text "null"
            send(new ServerMessage.Error(ErrorCodes.BAD_MESSAGE,
                    "unreadable message: a message must be a JSON object with a 'type'", null));
            return;
        }
        if (!(parsed instanceof ClientMessage.Ping)) {
            lastActive = System.nanoTime();
        }
        // The session and player name every log line written while this message is handled (the catch too).
        try (LogContext.Scope logged = LogContext.open(membership.current(), principal.player())) {
            try {
                dispatch(parsed);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "message from " + principal.player() + " failed", e);
                send(new ServerMessage.Error(ErrorCodes.INTERNAL, "internal error", ref(parsed)));
            }
        }
    }

    private void dispatch(ClientMessage message) {
        if (phase == Phase.AWAITING_HELLO && !(message instanceof ClientMessage.Hello)) {
            send(new ServerMessage.Error(ErrorCodes.HELLO_REQUIRED, "send hello first", null));
            return;
        }
        switch (message) {
            case ClientMessage.Hello h -> hello(h);
            case ClientMessage.Create c -> membership.create(c);
            case ClientMessage.Join j -> membership.join(j);
            case ClientMessage.Action a -> membership.action(a);
            case ClientMessage.Leave l -> membership.leave(l);
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
            membership.resume(h.resume());
        }
    }

    private static String ref(ClientMessage message) {
        return switch (message) {
            case ClientMessage.Create c -> c.id();
            case ClientMessage.Join j -> j.id();
            case ClientMessage.Action a -> a.id();
            case ClientMessage.Leave l -> l.id();
            default -> null;
        };
    }

    private void send(ServerMessage message) {
        send(Json.text(message));
    }

    /** Queues a frame; the outbox writes it on the socket's own thread. */
    private void send(String text) {
        outbox.send(text);
    }

    /** The outbox's writer: one frame, on the outbox's thread. */
    private void write(String text) {
        WsSession open = ws;
        if (open != null) {
            writing.lock();
            try {
                open.send(text, true);
            } finally {
                writing.unlock();
            }
            w.metrics().sent();
        }
    }

    /** The client fell too far behind: close it; it reconnects and resumes where it was. */
    private void tooSlow() {
        WsSession open = ws;
        LOG.info(() -> "closing the socket of " + principal.player() + ": it fell " + w.outboxLimit() + " frames behind");
        if (open != null) {
            try {
                // Not under `writing`: the writer may be stuck in a write to this very client; closing ends it.
                open.close(TRY_AGAIN_LATER, "too slow");
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing a slow socket failed", e);
            }
        }
        closed();
    }
}
