package dev.runeforge.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.TestNats;

/**
 * The platform's NATS-side services started in this JVM against the real NATS, in a fresh namespace: auth,
 * one game instance and the gateway. (persistence and media-token are not on the action path; their own ITs
 * cover them.)
 */
final class Platform implements AutoCloseable {
    final String namespace = TestNats.newNamespace();
    final ServiceRuntime.Running auth;
    final ServiceRuntime.Running game;
    final Main.Running gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    Platform() throws Exception {
        this(Map.of());
    }

    Platform(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of(
                "bus.namespace", namespace,
                "nats.url", TestNats.url(),
                "admin.port", "0",
                "http.port", "0",
                "http.host", "127.0.0.1",
                "dev.mode", "true",
                "game.partitions", "8",
                // Every test player comes from 127.0.0.1: the per-address room creation limit is tested on its own.
                "gateway.rooms.burst", "10000"));
        config.putAll(extra);
        auth = dev.runeforge.auth.Main.start(ServiceConfig.load(config));
        game = dev.runeforge.game.Main.start(ServiceConfig.load(config));
        gateway = Main.start(ServiceConfig.load(config));
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
        auth.close();
        TestNats.deleteNamespace(namespace);
    }
}
