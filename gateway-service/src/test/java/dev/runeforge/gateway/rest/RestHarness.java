package dev.runeforge.gateway.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.gateway.auth.Principal;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRules;

/**
 * REST routes on a real Helidon server on a free loopback port, with no NATS or database behind them: the
 * routes' ports are fakes. Access tokens are fake too: {@code "tok-<player>"} is that player (roles "guest"),
 * anything else is refused, so the cookie/Bearer handling and the 401 path are the real ones.
 */
public final class RestHarness implements AutoCloseable {
    public static final Api.Authenticator TOKENS = token -> token.startsWith("tok-")
            ? Optional.of(new Principal(token.substring(4), "Name of " + token.substring(4), List.of("guest"),
            System.currentTimeMillis() / 1000 + 900))
            : Optional.empty();

    private final WebServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    public RestHarness(Consumer<HttpRules> routes) {
        server = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(r -> routes.accept(r))
                .build().start();
    }

    public static Api api() {
        return new Api(TOKENS);
    }

    public static String token(String player) {
        return "tok-" + player;
    }

    /** A request as {@code player} (Bearer), or anonymous when null; {@code body} JSON text or null. */
    public HttpResponse<String> send(String method, String path, String player, String body) throws Exception {
        return send(method, path, player == null ? Map.of() : Map.of("Authorization", "Bearer " + token(player)),
                body, "application/json");
    }

    public HttpResponse<String> send(String method, String path, Map<String, String> headers, String body,
                                     String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        headers.forEach(b::header);
        if (body != null) {
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> res) {
        return Json.tree(res.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop();
    }
}
