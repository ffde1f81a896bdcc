package dev.runeforge.gateway;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import dev.runeforge.common.admin.AdminServer;
import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Partitions;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.service.Shutdown;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.gateway.auth.AuthRoutes;
import dev.runeforge.gateway.auth.TokenVerifier;
import dev.runeforge.gateway.connection.AddressLimiter;
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
import dev.runeforge.gateway.session.ActionPublisher;
import dev.runeforge.gateway.session.RoomLookup;
import dev.runeforge.gateway.session.SessionActions;
import dev.runeforge.gateway.session.SessionDirectory;
import dev.runeforge.gateway.session.SessionHub;
import dev.runeforge.gateway.session.SessionRoutes;
import dev.runeforge.gateway.version.VersionRoutes;
import dev.runeforge.gateway.voice.VoiceRoutes;
import io.helidon.common.socket.SocketOptions;
import io.helidon.config.Config;
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

    public static void main(String[] args) throws Exception {
        Logging.init(SERVICE);
        start(ServiceConfig.load()).shutdown().onSignal();
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

    public static Running start(Config config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(Config)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static Running start(Config config, Telemetry telemetry) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, telemetry);
        Subjects subjects = rt.subjects();
        Connection nc = rt.nats();
        AdminServer admin = rt.admin();
        int partitions = config.get("game.partitions").asInt().orElse(Partitions.DEFAULT_COUNT);
        boolean devMode = config.get("dev.mode").asBoolean().orElse(false);
        Set<String> origins = new HashSet<>(config.get("gateway.origins").asList(String.class).orElse(List.of()));
        int maxMessage = config.get("gateway.frame.limit").asInt().orElse(16 * 1024);

        int replicas = config.get("bus.replicas").asInt().orElse(1);
        NatsClients.ensureStreams(nc, subjects, replicas);
        NatsClients.ensureDirectory(nc, subjects, replicas);

        TokenVerifier verifier = new TokenVerifier(nc, subjects,
                config.get("auth.issuer").asString().orElse(TokenClaims.DEFAULT_ISSUER),
                config.get("auth.audience").asString().orElse(TokenClaims.DEFAULT_AUDIENCE),
                config.get("auth.clock-skew").as(Duration.class).orElse(Duration.ofSeconds(60)));
        UpgradeGate gate = new UpgradeGate(verifier, origins);
        SessionHub hub = new SessionHub(nc, subjects, admin.registry());
        // Behind a reverse proxy the operator trusts, per-address limits count X-Forwarded-For's first address.
        boolean trustForwarded = config.get("http.forwarded.trust").asBoolean().orElse(false);
        Heartbeat heartbeat = new Heartbeat(
                config.get("gateway.heartbeat.interval").as(Duration.class).orElse(Duration.ofSeconds(10)),
                config.get("gateway.heartbeat.silence").as(Duration.class).orElse(Duration.ofSeconds(25)));
        GatewayMetrics metrics = new GatewayMetrics(admin.registry());
        ActionPublisher publisher = new ActionPublisher(nc, subjects, partitions);
        // One budget per address for new rooms, whether opened over the WebSocket or REST.
        AddressLimiter roomCreation = new AddressLimiter(config.get("gateway.rooms.burst").asInt().orElse(10),
                config.get("gateway.rooms.per.minute").asDouble().orElse(2.0), 100_000);
        PlayerSocket.Wiring wiring = new PlayerSocket.Wiring(gate, publisher,
                new RoomLookup(nc, subjects), hub, metrics, maxMessage,
                config.get("gateway.rate.burst").asInt().orElse(20),
                config.get("gateway.rate.refill").asDouble().orElse(10.0),
                roomCreation,
                trustForwarded,
                heartbeat);
        AuthRoutes auth = new AuthRoutes(nc, subjects, verifier, !devMode,
                new AddressLimiter(config.get("gateway.signin.burst").asInt().orElse(10),
                        config.get("gateway.signin.per.minute").asDouble().orElse(10.0), 100_000)
                        .onRefusal(() -> metrics.rateLimited(GatewayMetrics.SIGNIN)),
                trustForwarded);
        PermalinkRoutes permalinks = new PermalinkRoutes(nc, subjects,
                new AddressLimiter(config.get("gateway.permalinks.burst").asInt().orElse(120),
                        config.get("gateway.permalinks.per.minute").asDouble().orElse(120.0), 100_000)
                        .onRefusal(() -> metrics.rateLimited(GatewayMetrics.PERMALINKS)),
                trustForwarded);
        // Browsers connect to LiveKit directly: the policy must allow its origin (LIVEKIT_PUBLIC_URL or LIVEKIT_URL).
        Optional<String> livekitUrl = config.get("livekit.public.url").asString().asOptional()
                .or(() -> config.get("livekit.url").asString().asOptional()).map(String::strip).filter(s -> !s.isEmpty());
        String csp = csp(VoiceRoutes.connectSources(livekitUrl));

        // REST resources (docs/protocol.md, REST): the action path for session changes, NATS queries for the rest.
        Duration restTimeout = config.get("gateway.rest.timeout").as(Duration.class).orElse(Duration.ofSeconds(5));
        Api api = new Api(verifier::verify);
        Requests requests = Requests.nats(nc, restTimeout);
        List<Consumer<HttpRules>> resources = List.of(
                new SessionRoutes(api, SessionActions.bus(publisher, hub, restTimeout), SessionDirectory.kv(nc, subjects),
                        requests, subjects, roomCreation, trustForwarded)::register,
                new SaveRoutes(api, requests, subjects,
                        new HostedGames(requests, subjects, Duration.ofMinutes(1), Clock.systemUTC())::ids)::register,
                new PlayerRoutes(api, requests, subjects)::register,
                new VersionRoutes(api)::register,
                new VoiceRoutes(api, requests, subjects, livekitUrl)::register);

        WebServer server = WebServer.builder()
                .host(config.get("http.host").asString().orElse("0.0.0.0"))
                .port(config.get("http.port").asInt().orElse(8080))
                .shutdownHook(false)
                // Game frames are small and latency-bound: without TCP_NODELAY, Nagle's algorithm meets the
                // client's delayed ACK and back-to-back frames wait ~40 ms.
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                // Headers up to 96 KiB reach the routes, so an oversized token is refused by the token check (401,
                // like every other bad token) rather than by the HTTP parser (431).
                .addProtocol(Http1Config.builder().maxHeadersSize(96 * 1024).build())
                .addProtocol(WsConfig.builder().name("websocket").maxFrameLength(maxMessage).build())
                .addFeature(StaticContentFeature.builder()
                        .addClasspath(cp -> cp.location("web").context("/").welcome("index.html"))
                        .build())
                .routing(r -> routing(r, csp, auth, permalinks, gate, resources))
                .addRouting(WsRouting.builder().endpoint("/ws", () -> new PlayerSocket(wiring)))
                .build()
                .start();

        return new Running(server, rt.run(9080, () -> {
            heartbeat.close();
            server.stop();
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
