package dev.runeforge.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.RuntimeSettings;

/**
 * Every setting gateway-service reads (docs/operations.md, Configuration), read once by {@link Main}; each default
 * is stated here and nowhere else.
 *
 * @param partitions {@code game.partitions}: must equal the game instances'
 * @param devMode    {@code dev.mode}: cookies without {@code Secure}, for plain-http localhost only
 * @param livekitUrl where browsers reach LiveKit ({@code livekit.public.url}, else {@code livekit.url}): shows the
 *                   voice panel and joins the Content-Security-Policy; empty = voice off
 */
public record GatewaySettings(RuntimeSettings runtime, Http http, int partitions, boolean devMode, Tokens tokens,
                              Sockets sockets, ActionClient.Settings actions, Limit rooms, Limit signin,
                              Limit permalinks, Limit replays, Duration restTimeout, Optional<String> livekitUrl,
                              Guards guards) {
    public static final int ADMIN_PORT = 9080;

    public GatewaySettings {
        Objects.requireNonNull(runtime);
        Objects.requireNonNull(http);
        Objects.requireNonNull(tokens);
        Objects.requireNonNull(sockets);
        Objects.requireNonNull(actions);
        Objects.requireNonNull(restTimeout);
        Objects.requireNonNull(livekitUrl);
        Objects.requireNonNull(guards);
    }

    /**
     * {@code http.*}: the public listener; whether to trust {@code X-Forwarded-For} for per-address limits, and
     * the deployment's proxies ({@code http.forwarded.proxies}, addresses or CIDR ranges; empty = the peer is the
     * one proxy); {@code http.header.timeout}: a request's line and headers must arrive within it (slowloris).
     */
    public record Http(String host, int port, boolean forwardedTrust, List<String> forwardedProxies,
                       Duration headerTimeout) {
        public Http {
            forwardedProxies = List.copyOf(forwardedProxies);
        }
    }

    /**
     * What a socket may hold and how long it may dawdle: {@code gateway.connections.per.player},
     * {@code gateway.connections.per.address} (open sockets), {@code gateway.hello.timeout}, {@code gateway.idle.timeout},
     * {@code gateway.flood.refusals} (refused messages in a row before the socket is closed), {@code gateway.token.grace}
     * (how long a socket outlives its access token), and room-code guessing: {@code gateway.join.misses} free misses
     * per player and per address, then one per {@code gateway.join.misses.refill}.
     */
    public record Guards(int connectionsPerPlayer, int connectionsPerAddress, Duration hello, Duration idle,
                         int floodRefusals, Duration tokenGrace, int joinMisses, Duration joinRefill) {
    }

    /** {@code auth.issuer}, {@code auth.audience}, {@code auth.clock-skew}: what an access token must say. */
    public record Tokens(String issuer, String audience, Duration clockSkew) {
    }

    /**
     * The player WebSocket: {@code gateway.origins} (other origins allowed to open it), {@code gateway.frame.limit}
     * (largest message), {@code gateway.rate.*} (messages per socket: a burst, then per second),
     * {@code gateway.heartbeat.*} (ping every interval, close when silent that long) and {@code gateway.outbox.limit}
     * (frames a socket may fall behind before it is closed).
     */
    public record Sockets(List<String> origins, int frameLimit, int rateBurst, double rateRefill,
                          Duration heartbeatInterval, Duration heartbeatSilence, int outboxLimit) {
        public Sockets {
            origins = List.copyOf(origins);
        }
    }

    /** A per-client-address budget: a burst, then so many per minute. */
    public record Limit(int burst, double perMinute) {
    }

    public static GatewaySettings read(ServiceConfig c) {
        RuntimeSettings runtime = RuntimeSettings.read(c, ADMIN_PORT);
        Http http = new Http(c.string("http.host", "0.0.0.0"), c.integer("http.port", 8080),
                c.flag("http.forwarded.trust", false), c.list("http.forwarded.proxies"),
                c.duration("http.header.timeout", Duration.ofSeconds(10)));
        int partitions = c.integer("game.partitions", Partitions.DEFAULT_COUNT);
        boolean devMode = c.flag("dev.mode", false);
        Tokens tokens = new Tokens(
                c.string("auth.issuer", TokenClaims.DEFAULT_ISSUER),
                c.string("auth.audience", TokenClaims.DEFAULT_AUDIENCE),
                c.duration("auth.clock-skew", Duration.ofSeconds(60)));
        Sockets sockets = new Sockets(
                c.list("gateway.origins"),
                c.integer("gateway.frame.limit", 16 * 1024),
                c.integer("gateway.rate.burst", 20),
                c.decimal("gateway.rate.refill", 10),
                c.duration("gateway.heartbeat.interval", Duration.ofSeconds(10)),
                c.duration("gateway.heartbeat.silence", Duration.ofSeconds(25)),
                c.integer("gateway.outbox.limit", 1024));
        // gateway.action.attempt / .deadline: an unanswered action goes again after the first, is refused at the second.
        ActionClient.Settings actions = new ActionClient.Settings(
                c.duration("gateway.action.attempt", ActionClient.Settings.DEFAULT.attempt()),
                c.duration("gateway.action.deadline", ActionClient.Settings.DEFAULT.deadline()),
                ActionClient.Settings.DEFAULT.firstRetry(), ActionClient.Settings.DEFAULT.maxRetry());
        Limit rooms = new Limit(c.integer("gateway.rooms.burst", 10), c.decimal("gateway.rooms.per.minute", 2));
        Limit signin = new Limit(c.integer("gateway.signin.burst", 10), c.decimal("gateway.signin.per.minute", 10));
        Limit permalinks = new Limit(c.integer("gateway.permalinks.burst", 120),
                c.decimal("gateway.permalinks.per.minute", 120));
        // Public replays of finished sessions, read without a token: a budget per address.
        Limit replays = new Limit(c.integer("gateway.replays.burst", 30), c.decimal("gateway.replays.per.minute", 30));
        Duration restTimeout = c.duration("gateway.rest.timeout", Duration.ofSeconds(5));
        Optional<String> publicUrl = c.optional("livekit.public.url");
        Optional<String> url = c.optional("livekit.url");
        Guards guards = new Guards(
                c.integer("gateway.connections.per.player", 8),
                c.integer("gateway.connections.per.address", 64),
                c.duration("gateway.hello.timeout", Duration.ofSeconds(10)),
                c.duration("gateway.idle.timeout", Duration.ofMinutes(30)),
                c.integer("gateway.flood.refusals", 50),
                c.duration("gateway.token.grace", Duration.ofSeconds(30)),
                c.integer("gateway.join.misses", 10),
                c.duration("gateway.join.misses.refill", Duration.ofMinutes(1)));
        return new GatewaySettings(runtime, http, partitions, devMode, tokens, sockets, actions, rooms, signin,
                permalinks, replays, restTimeout, publicUrl.or(() -> url), guards);
    }
}
