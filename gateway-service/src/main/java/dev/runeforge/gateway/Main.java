package dev.runeforge.gateway;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import dev.runeforge.common.admin.AdminServer;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.DirectoryBucket;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.service.Shutdown;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.gateway.auth.AuthRoutes;
import dev.runeforge.gateway.auth.RevokedSignIns;
import dev.runeforge.gateway.auth.TokenVerifier;
import dev.runeforge.gateway.connection.AddressLimiter;
import dev.runeforge.gateway.connection.ClientAddress;
import dev.runeforge.gateway.connection.ConnectionCaps;
import dev.runeforge.gateway.connection.HeaderDeadline;
import dev.runeforge.gateway.connection.SignInSockets;
import dev.runeforge.gateway.connection.GatewayMetrics;
import dev.runeforge.gateway.connection.Heartbeat;
import dev.runeforge.gateway.connection.PlayerSocket;
import dev.runeforge.gateway.connection.UpgradeGate;
import dev.runeforge.gateway.permalink.PermalinkRoutes;
import dev.runeforge.gateway.player.PlayerRoutes;
import dev.runeforge.gateway.rest.Api;
import dev.runeforge.gateway.rest.Requests;
import dev.runeforge.gateway.save.HostedGames;
import dev.runeforge.gateway.save.SaveRoutes;
import dev.runeforge.gateway.session.JoinGuard;
import dev.runeforge.gateway.session.SessionActions;
import dev.runeforge.gateway.session.SessionHub;
import dev.runeforge.gateway.session.SessionRoutes;
import dev.runeforge.gateway.version.VersionRoutes;
import dev.runeforge.gateway.voice.VoiceRoutes;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.nats.client.Connection;

/** gateway-service: the only public entry. Static client, sign-in, and the player WebSocket, all onto NATS. */
public final class Main {
    public static final String SERVICE = "gateway-service";
    /**
     * What the browser may load: only this site's own files, and its own WebSocket; plus, when voice is on, the
     * LiveKit server's origin (its WebSocket and HTTP probe).
     */
    static String csp(List<String> extraConnect) {
        String connect = String.join(" ", java.util.stream.Stream.concat(java.util.stream.Stream.of("'self'"),
                extraConnect.stream()).toList());
        return "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "script-src 'self'; connect-src " + connect + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    }

    private Main() {
    }

    public static void main(String[] args) {
        Logging.init(SERVICE);
        ServiceRuntime.main(SERVICE, () -> start(ServiceConfig.load()).shutdown());
    }

    /** The gateway: its public server and the service around it. */
    public record Running(WebServer server, ServiceRuntime.Running service) implements AutoCloseable {
        public int port() {
            return server.port();
        }

        public int adminPort() {
            return service.adminPort();
        }

        public Shutdown shutdown() {
            return service.shutdown();
        }

        @Override
        public void close() {
            service.close();
        }
    }

    public static Running start(ServiceConfig config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(ServiceConfig)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static Running start(ServiceConfig config, Telemetry telemetry) throws Exception {
        GatewaySettings settings = GatewaySettings.read(config);
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, settings.runtime(), telemetry);
        Subjects subjects = rt.subjects();
        Connection nc = rt.nats();
        AdminServer admin = rt.admin();
        int partitions = settings.partitions();
        GatewaySettings.Sockets sockets = settings.sockets();
        Set<String> origins = new HashSet<>(sockets.origins());
        int maxMessage = sockets.frameLimit();

        // The gateway creates no stream or bucket: the game instances own them (deploy/nats/permissions.txt lets
        // the gateway publish actions and read the directories, nothing more).

        TokenVerifier verifier = new TokenVerifier(nc, subjects, settings.tokens().issuer(),
                settings.tokens().audience(), settings.tokens().clockSkew());
        // A logout (or a refresh token presented twice) revokes a sign-in: its sockets close at once, its access
        // tokens are refused until they expire.
        SignInSockets signIns = new SignInSockets();
        RevokedSignIns revoked = new RevokedSignIns(nc, subjects, Clock.systemUTC(), signIns::revoked);
        verifier.refuseSignIns(revoked::isRevoked);
        signIns.revokedBy(revoked::isRevoked);
        UpgradeGate gate = new UpgradeGate(verifier, origins);
        SessionHub hub = new SessionHub(nc, subjects, admin.registry());
        // Behind the deployment's own proxy, per-address limits count the right-most X-Forwarded-For address that
        // is not one of its proxies (never the left-most: the client writes that).
        ClientAddress addresses = new ClientAddress(settings.http().forwardedTrust(), settings.http().forwardedProxies());
        GatewaySettings.Guards g = settings.guards();
        Heartbeat heartbeat = new Heartbeat(sockets.heartbeatInterval(), sockets.heartbeatSilence());
        GatewayMetrics metrics = new GatewayMetrics(admin.registry());
        ActionClient actions = new ActionClient(nc, subjects, partitions, settings.actions());
        // One budget per address for new rooms, whether opened over the WebSocket or REST.
        AddressLimiter roomCreation = new AddressLimiter(settings.rooms().burst(), settings.rooms().perMinute(), 100_000);
        PlayerSocket.Wiring wiring = new PlayerSocket.Wiring(gate, actions,
                DirectoryBucket.lazy(nc, subjects), hub, metrics, maxMessage,
                sockets.rateBurst(),
                sockets.rateRefill(),
                roomCreation,
                addresses,
                heartbeat,
                sockets.outboxLimit(),
                new PlayerSocket.Guards(g.hello(), g.idle(), g.floodRefusals(), g.tokenGrace()),
                new ConnectionCaps(g.connectionsPerPlayer(), g.connectionsPerAddress()),
                new JoinGuard(g.joinMisses(), g.joinRefill(), 200_000),
                signIns);
        AuthRoutes auth = new AuthRoutes(nc, subjects, verifier, !settings.devMode(),
                new AddressLimiter(settings.signin().burst(), settings.signin().perMinute(), 100_000)
                        .onRefusal(() -> metrics.rateLimited(GatewayMetrics.SIGNIN)),
                addresses);
        PermalinkRoutes permalinks = new PermalinkRoutes(nc, subjects,
                new AddressLimiter(settings.permalinks().burst(), settings.permalinks().perMinute(), 100_000)
                        .onRefusal(() -> metrics.rateLimited(GatewayMetrics.PERMALINKS)),
                addresses);
        // Browsers connect to LiveKit directly: the policy must allow its origin (LIVEKIT_PUBLIC_URL or LIVEKIT_URL).
        Optional<String> livekitUrl = settings.livekitUrl();
        String csp = csp(VoiceRoutes.connectSources(livekitUrl));

        // REST resources (docs/protocol.md, REST): the action path for session changes, NATS queries for the rest.
        Duration restTimeout = settings.restTimeout();
        Api api = new Api(verifier::verify);
        Requests requests = Requests.nats(nc, restTimeout);
        List<Consumer<HttpRules>> resources = List.of(
                new SessionRoutes(api, SessionActions.bus(actions, restTimeout), SessionsBucket.lazy(nc, subjects)::find,
                        requests, subjects, roomCreation,
                        new AddressLimiter(settings.replays().burst(), settings.replays().perMinute(), 100_000)
                                .onRefusal(() -> metrics.rateLimited(GatewayMetrics.REPLAYS)),
                        addresses)::register,
                new SaveRoutes(api, requests, subjects,
                        new HostedGames(requests, subjects, Duration.ofMinutes(1), Clock.systemUTC())::ids)::register,
                new PlayerRoutes(api, requests, subjects)::register,
                new VersionRoutes(api)::register,
                new VoiceRoutes(api, requests, subjects, livekitUrl)::register);

        HeaderDeadline headerDeadline = new HeaderDeadline(settings.http().headerTimeout());
        WebServer server = WebServer.builder()
                .host(settings.http().host())
                .port(settings.http().port())
                .shutdownHook(false)
                // Game frames are small and latency-bound: without TCP_NODELAY, Nagle's algorithm meets the
                // client's delayed ACK and back-to-back frames wait ~40 ms.
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                // Headers up to 96 KiB reach the routes, so an oversized token is refused by the token check (401,
                // like every other bad token) rather than by the HTTP parser (431).
                .addProtocol(Http1Config.builder().maxHeadersSize(96 * 1024)
                        .addReceiveListener(headerDeadline).addSendListener(headerDeadline).build())
                // The socket answers a message over the limit with FRAME_TOO_LARGE (PlayerSocket); only a single frame
                // past 64 times the limit is refused by Helidon itself, with close code 1009, before it is buffered.
                .addProtocol(WsConfig.builder().name("websocket").maxFrameLength(maxMessage * 64).build())
                .addFeature(StaticContentFeature.builder()
                        .addClasspath(cp -> cp.location("web").context("/").welcome("index.html"))
                        .build())
                .routing(r -> routing(r, csp, auth, permalinks, gate, resources))
                .addRouting(WsRouting.builder().endpoint("/ws", () -> new PlayerSocket(wiring)))
                .build()
                .start();

        return new Running(server, rt.run(() -> {
            heartbeat.close();
            headerDeadline.close();
            revoked.close();
            server.stop();
            actions.close();
        }, null));
    }

    /** The public HTTP routes (the static client is a server feature, the WebSocket a protocol route). */
    static void routing(HttpRouting.Builder r, String csp, AuthRoutes auth, PermalinkRoutes permalinks,
                        UpgradeGate gate, List<Consumer<HttpRules>> resources) {
        r.addFilter((chain, req, res) -> {
            res.header(HeaderNames.create("Content-Security-Policy"), csp);
            res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
            chain.proceed();
        });
        auth.register(r);
        permalinks.register(r);
        resources.forEach(register -> register.accept(r));
        r.route(method -> true, PathMatchers.prefix("/api/"), Api::unknown);
        r.get("/ws", gate::refuse);
    }
}
