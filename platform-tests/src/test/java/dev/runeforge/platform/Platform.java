package dev.runeforge.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import dev.runeforge.game.bus.ActionHandler;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import dev.runeforge.testsupport.WsClient;

/**
 * The platform's NATS-side services started in this JVM against the real NATS, in a fresh namespace: auth,
 * persistence (on a fresh database of the test PostgreSQL, unless {@code db.url} is given), one game instance
 * and the gateway. (media-token-service is not started: only voice needs it, and the voice tests start it beside
 * the platform with the LiveKit settings they test, through {@link #media}.)
 */
final class Platform implements AutoCloseable {
    /** The secret sealing auth-service's signing keys in tests; white-box tests open the store with it. */
    static final String KEY_SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    final String namespace = TestNats.newNamespace();
    /** Null when the platform was started without it. */
    final ServiceRuntime.Running auth;
    final ServiceRuntime.Running persistence;
    final ServiceRuntime.Running game;
    final dev.runeforge.gateway.Main.Running gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    Platform() throws Exception {
        this(Map.of());
    }

    Platform(Map<String, String> extra) throws Exception {
        this(extra, Telemetry::fromEnvironment);
    }

    /** As {@link #Platform(Map)}, each service traced with {@code tracing.apply(its service name)}. */
    Platform(Map<String, String> extra, Function<String, Telemetry> tracing) throws Exception {
        this(extra, tracing, true, UnaryOperator.identity());
    }

    /**
     * As {@link #Platform(Map)} without auth-service when {@code withAuth} is false: the test runs one of its own
     * (such as the jar as a process, configured as a deployment configures it) on {@link #namespace}.
     */
    Platform(Map<String, String> extra, boolean withAuth) throws Exception {
        this(extra, Telemetry::fromEnvironment, withAuth, UnaryOperator.identity());
    }

    /** As {@link #Platform(Map)}, with the game instance's views sent through {@code views} (a fault on purpose). */
    static Platform withViews(Map<String, String> extra, UnaryOperator<ActionHandler.ViewSink> views) throws Exception {
        return new Platform(extra, Telemetry::fromEnvironment, true, views);
    }

    private Platform(Map<String, String> extra, Function<String, Telemetry> tracing, boolean withAuth,
                     UnaryOperator<ActionHandler.ViewSink> views) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of(
                "bus.namespace", namespace,
                "admin.port", "0",
                "http.port", "0",
                "http.host", "127.0.0.1",
                "dev.mode", "true",
                "game.partitions", "8",
                "auth.keys.secret", KEY_SECRET));
        // Every test player comes from 127.0.0.1: the per-address limits are tested on their own.
        config.putAll(Map.of("gateway.rooms.burst", "10000", "gateway.permalinks.burst", "10000",
                "gateway.signin.burst", "10000", "gateway.replays.burst", "10000"));
        if (!extra.containsKey("db.url")) {
            TestPostgres.Database db = TestPostgres.newDatabase();
            config.put("db.url", db.jdbcUrl());
            config.put("db.user", db.user());
            config.put("db.password", db.password());
        }
        config.putAll(extra);
        auth = withAuth ? dev.runeforge.auth.Main.start(
                ServiceConfig.load(TestNats.service(dev.runeforge.auth.Main.SERVICE, config)),
                tracing.apply(dev.runeforge.auth.Main.SERVICE)) : null;
        persistence = dev.runeforge.persistence.Main.start(
                ServiceConfig.load(TestNats.service(dev.runeforge.persistence.Main.SERVICE, config)),
                tracing.apply(dev.runeforge.persistence.Main.SERVICE));
        game = dev.runeforge.game.Main.start(
                ServiceConfig.load(TestNats.service(dev.runeforge.game.Main.SERVICE, config)),
                tracing.apply(dev.runeforge.game.Main.SERVICE), views);
        gateway = dev.runeforge.gateway.Main.start(
                ServiceConfig.load(TestNats.service(dev.runeforge.gateway.Main.SERVICE, config)),
                tracing.apply(dev.runeforge.gateway.Main.SERVICE));
        awaitReady(persistence.adminPort(), Duration.ofSeconds(30));
    }

    /**
     * Waits for a service's /ready: persistence migrates its fresh database in the background, and until then
     * answers permalink and profile requests with UNAVAILABLE (as it should; tests want the steady state).
     */
    private void awaitReady(int adminPort, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + adminPort + "/ready");
        while (get(ready, null).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(ready + " not ready within " + limit);
            }
            Thread.sleep(50);
        }
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/ws");
    }

    /** Signs in as a guest; returns the Cookie header value to send. */
    String guest(String name) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(http("/api/auth/guest"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new AssertionError("guest sign-in failed: " + res.statusCode() + " " + res.body());
        }
        String setCookie = res.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** media-token-service on this platform's namespace, with {@code extra} settings (LiveKit's); the caller closes it. */
    ServiceRuntime.Running media(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("bus.namespace", namespace,
                "admin.port", "0", "admin.host", "127.0.0.1"));
        config.putAll(extra);
        return dev.runeforge.media.Main.start(ServiceConfig.load(TestNats.service(dev.runeforge.media.Main.SERVICE, config)));
    }

    /** A guest named {@code name} on a WebSocket, past hello: the welcome names them. */
    WsClient player(String name) throws Exception {
        WsClient ws = WsClient.connect(ws(), guest(name));
        ws.send(Map.of("type", "hello", "v", 1));
        JsonNode welcome = ws.awaitType("welcome", Duration.ofSeconds(10));
        if (!name.equals(welcome.path("name").asText())) {
            ws.close();
            throw new AssertionError("welcomed as " + welcome.path("name") + ", not " + name);
        }
        return ws;
    }

    HttpResponse<String> get(URI uri, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        gateway.close();
        game.close();
        persistence.close();
        if (auth != null) {
            auth.close();
        }
        TestNats.deleteNamespace(namespace);
    }
}
