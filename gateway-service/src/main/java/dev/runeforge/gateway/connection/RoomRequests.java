package dev.runeforge.gateway.connection;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ClientMessage;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.session.SessionMembership;

/**
 * One socket's membership: what it asks of rooms (create, join, act, leave, resume), checked here against the room
 * it is in (one at a time; actions and leaves only for that one) and the per-network limits (new rooms, room codes
 * that find nothing), then handed to its {@link SessionMembership}, which talks to the session's owner. A refusal is
 * a typed error frame to the socket. Called on the socket's reader thread; {@link #current()} and {@link #closed()}
 * from any.
 */
final class RoomRequests {
    private static final Logger LOG = Logger.getLogger(RoomRequests.class.getName());

    private final PlayerSocket.Wiring w;
    private final String player;
    private final String address;
    private final SessionMembership.Client client;
    private final SessionMembership membership;

    /**
     * @param device     this browser's id, when it has one
     * @param connection this socket's id
     * @param address    the client's address, as the per-network limits count it
     * @param client     where this socket's frames go (its outbox)
     */
    RoomRequests(PlayerSocket.Wiring wiring, Principal principal, String device, String connection, String address,
                 SessionMembership.Client client) {
        this.w = wiring;
        this.player = principal.player();
        this.address = address;
        this.client = client;
        this.membership = new SessionMembership(wiring.actions(), wiring.hub(),
                new SessionMembership.Actor(principal.player(), principal.name(), device, connection), client);
    }

    /** The session this socket is in, or null. */
    String current() {
        return membership.current();
    }

    /** The socket closed: it leaves its session (the game is told it disconnected). */
    void closed() {
        membership.closed();
    }

    /** A reconnect's hello named the session the client was in and the last event it saw. */
    void resume(ClientMessage.Resume resume) {
        w.metrics().resumed();
        membership.resume(resume.session(), resume.lastSeq());
    }

    void create(ClientMessage.Create c) {
        if (membership.current() != null) {
            send(new ServerMessage.Error(ErrorCodes.ALREADY_IN_SESSION, "leave your room first", c.id()));
            return;
        }
        if (!w.roomCreation().tryAcquire(address, System.nanoTime())) {
            w.metrics().rateLimited(GatewayMetrics.ROOMS);
            send(new ServerMessage.Error(PlayerSocket.RATE_LIMIT, "too many new rooms from your network; try again in "
                    + w.roomCreation().retryAfterSeconds() + " s, or join an existing room", c.id()));
            return;
        }
        membership.create(c.id(), UUID.randomUUID().toString().replace("-", ""), c.game(), c.settings());
    }

    void join(ClientMessage.Join j) {
        long now = System.nanoTime();
        long wait = w.joins().waitNanos(player, address, now);
        if (wait > 0) {
            w.metrics().rateLimited(GatewayMetrics.JOINS);
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999));
            send(new ServerMessage.Error(ErrorCodes.RATE_LIMITED, "too many room codes that found no room; try again in "
                    + seconds + " s", j.id(), (int) Math.min(Integer.MAX_VALUE, seconds * 1000)));
            return;
        }
        Optional<String> target;
        try {
            target = w.rooms().session(j.code());
        } catch (java.io.IOException e) {
            LOG.log(Level.WARNING, "room lookup failed for " + player, e);
            send(new ServerMessage.Error(ErrorCodes.UNAVAILABLE, "the game service is unavailable, try again", j.id()));
            return;
        }
        if (target.isEmpty()) {
            w.joins().missed(player, address, now);
            send(new ServerMessage.Error(ErrorCodes.ROOM_NOT_FOUND, "there is no open room with the code " + j.code()
                    + "; check the code, or ask for a new one (rooms close when they are left idle)", j.id()));
            return;
        }
        String current = membership.current();
        if (current != null && !current.equals(target.get())) {
            send(new ServerMessage.Error(ErrorCodes.ALREADY_IN_SESSION, "leave your room first", j.id()));
            return;
        }
        membership.join(j.id(), target.get());
    }

    void action(ClientMessage.Action a) {
        if (!a.session().equals(membership.current())) {
            send(new ServerMessage.Error(ErrorCodes.NOT_IN_ROOM, "you are not in that room", a.id()));
            return;
        }
        membership.act(a.id(), a.session(), a.body());
    }

    void leave(ClientMessage.Leave l) {
        if (!l.session().equals(membership.current())) {
            send(new ServerMessage.Error(ErrorCodes.NOT_IN_ROOM, "you are not in that room", l.id()));
            return;
        }
        membership.leave(l.id(), l.session());
    }

    private void send(ServerMessage message) {
        client.send(Json.text(message));
    }
}
