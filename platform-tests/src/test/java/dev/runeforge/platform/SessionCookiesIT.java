package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions over HTTP: guest sign-in sets an access and a refresh cookie; refresh rotates both; replaying a spent
 * refresh token signs the whole sign-in out; logout revokes; an access token that lapses under an open socket
 * does not cut the game. Access tokens live 2 s here and the gateway allows no clock skew, so expiry is real.
 */
class SessionCookiesIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static Platform platform;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform(Map.of("auth.access.ttl", "PT2S", "auth.clock-skew", "PT0S"));
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    /** The cookies of one browser, by name (value and attributes as last set). */
    private record Jar(Map<String, String> setCookies) {
        String header(String... names) {
            StringBuilder b = new StringBuilder();
            for (String n : names) {
                String sc = setCookies.get(n);
                if (sc != null) {
                    b.append(b.isEmpty() ? "" : "; ").append(sc, 0, sc.indexOf(';'));
                }
            }
            return b.toString();
        }

        String value(String name) {
            String sc = setCookies.get(name);
            return sc == null ? null : sc.substring(name.length() + 1, sc.indexOf(';'));
        }
    }

    private static Jar jar(HttpResponse<?> res) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String sc : res.headers().allValues("Set-Cookie")) {
            m.put(sc.substring(0, sc.indexOf('=')), sc);
        }
        return new Jar(m);
    }

    private HttpResponse<String> post(String path, String cookie, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(platform.http(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null && !cookie.isEmpty()) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Jar guest(String name) throws Exception {
        HttpResponse<String> res = post("/api/auth/guest", null, "{\"name\":\"" + name + "\"}");
        assertEquals(200, res.statusCode(), res.body());
        return jar(res);
    }

    private HttpResponse<String> refresh(String refreshCookie) throws Exception {
        return post("/api/auth/refresh", "rf_refresh=" + refreshCookie, "");
    }

    private int me(String accessCookie) throws Exception {
        return platform.get(platform.http("/api/auth/me"), "rf_token=" + accessCookie).statusCode();
    }

    @Test
    void guestSignInSetsStrictHttpOnlyCookiesAndTheRefreshCookieOnlyGoesToAuth() throws Exception {
        Jar jar = guest("Ada");
        String access = jar.setCookies().get("rf_token");
        String refresh = jar.setCookies().get("rf_refresh");
        for (String c : List.of(access, refresh)) {
            assertTrue(c.contains("; HttpOnly"), c);
            assertTrue(c.contains("; SameSite=Strict"), c);
            assertFalse(c.contains("Secure"), "dev.mode=true relaxes Secure: " + c);
        }
        assertTrue(access.contains("Path=/;"), access);
        assertTrue(refresh.contains("Path=/api/auth;"), refresh);
        assertTrue(access.contains("Max-Age=2;") || access.contains("Max-Age=1;"), access);
    }

    @Test
    void refreshRotatesBothTokensAndKeepsThePlayer() throws Exception {
        Jar first = guest("Bea");
        HttpResponse<String> res = refresh(first.value("rf_refresh"));
        assertEquals(200, res.statusCode(), res.body());
        Jar second = jar(res);
        assertNotEquals(first.value("rf_refresh"), second.value("rf_refresh"));
        assertNotEquals(first.value("rf_token"), second.value("rf_token"));
        assertEquals(200, me(second.value("rf_token")));
        String player = platform.get(platform.http("/api/auth/me"), "rf_token=" + second.value("rf_token")).body();
        assertTrue(res.body().contains("\"name\":\"Bea\""), res.body());
        assertTrue(player.contains(res.body().replaceAll(".*\"player\":\"([^\"]+)\".*", "$1")), player);
    }

    @Test
    void replayingASpentRefreshTokenRevokesTheFamilyAndTheNewestTokenFailsToo() throws Exception {
        Jar first = guest("Cai");
        Jar second = jar(refresh(first.value("rf_refresh")));
        Jar third = jar(refresh(second.value("rf_refresh")));
        HttpResponse<String> replay = refresh(first.value("rf_refresh"));
        assertEquals(401, replay.statusCode());
        assertTrue(replay.body().contains("\"code\":\"UNAUTHORIZED\""), replay.body());
        assertTrue(jar(replay).setCookies().get("rf_refresh").contains("Max-Age=0"), "the refused cookie is cleared");
        assertEquals(401, refresh(third.value("rf_refresh")).statusCode());
    }

    @Test
    void logoutRevokesTheRefreshTokenAndClearsBothCookies() throws Exception {
        Jar jar = guest("Dee");
        HttpResponse<String> out = post("/api/auth/logout", jar.header("rf_token", "rf_refresh"), "");
        assertEquals(204, out.statusCode());
        Jar cleared = jar(out);
        assertTrue(cleared.setCookies().get("rf_token").contains("Max-Age=0"));
        assertTrue(cleared.setCookies().get("rf_refresh").contains("Max-Age=0"));
        assertEquals(401, refresh(jar.value("rf_refresh")).statusCode());
    }

    @Test
    void refreshWithoutOrWithAGarbageCookieIs401WithATypedError() throws Exception {
        HttpResponse<String> none = post("/api/auth/refresh", null, "");
        assertEquals(401, none.statusCode());
        assertTrue(none.body().contains("\"code\":\"UNAUTHORIZED\""), none.body());
        assertEquals(401, refresh("garbage").statusCode());
        assertEquals(401, refresh("A".repeat(43)).statusCode());
    }

    @Test
    void anAccessTokenThatExpiresUnderAnOpenSocketDoesNotCutTheGame() throws Exception {
        Jar jar = guest("Eve");
        try (WsClient ws = WsClient.connect(platform.ws(), "rf_token=" + jar.value("rf_token"))) {
            ws.send(Map.of("type", "hello", "v", 1));
            ws.awaitType("welcome", WAIT);
            ws.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice"));
            String session = ws.awaitType("joined", WAIT).path("session").asText();

            long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (me(jar.value("rf_token")) == 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(401, me(jar.value("rf_token")), "the access token has expired");

            String id = UUID.randomUUID().toString();
            ws.send(Map.of("type", "action", "id", id, "session", session, "body", Map.of("type", "roll", "formula", "1d20")));
            ws.await(m -> "accepted".equals(m.path("type").asText()) && id.equals(m.path("id").asText()), WAIT);

            // A new socket (a reload) needs a fresh access token: the client refreshes, then connects.
            Jar refreshed = jar(refresh(jar.value("rf_refresh")));
            try (WsClient again = WsClient.connect(platform.ws(), "rf_token=" + refreshed.value("rf_token"))) {
                again.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
                again.awaitType("joined", WAIT);
            }
        }
    }

    @Test
    void withoutAProviderLoginIsATyped404() throws Exception {
        HttpResponse<String> res = platform.get(platform.http("/api/auth/login"), null);
        assertEquals(404, res.statusCode());
        assertTrue(res.body().contains("\"code\":\"OIDC_DISABLED\""), res.body());
    }

    @Test
    void signInsAreRateLimitedPerClientAddress() throws Exception {
        // Behind two proxies: this test's connection (the edge, 127.0.0.1) and 10.0.0.1, which the client's address
        // is appended by; the client is the right-most address that is neither.
        try (Platform limited = new Platform(Map.of("gateway.signin.burst", "2", "gateway.signin.per.minute", "1",
                "http.forwarded.trust", "true", "http.forwarded.proxies", "127.0.0.1,10.0.0.1"))) {
            java.util.function.BiFunction<String, String, Integer> guestFrom = (address, path) -> {
                try {
                    HttpRequest.Builder b = HttpRequest.newBuilder(limited.http(path)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Gil\"}"));
                    if (address != null) {
                        b.header("X-Forwarded-For", address + ", 10.0.0.1");
                    }
                    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    if (res.statusCode() == 429) {
                        assertTrue(res.body().contains("\"code\":\"RATE_LIMITED\""), res.body());
                        assertTrue(res.headers().firstValue("Retry-After").isPresent());
                    }
                    return res.statusCode();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertEquals(200, guestFrom.apply("203.0.113.7", "/api/auth/guest"));
            assertEquals(200, guestFrom.apply("203.0.113.7", "/api/auth/guest"));
            assertEquals(429, guestFrom.apply("203.0.113.7", "/api/auth/guest"));
            // Login attempts draw on the same per-address budget.
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(limited.http("/api/auth/login"))
                    .header("X-Forwarded-For", "203.0.113.7").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, login.statusCode());
            // Another client behind the same proxy is not affected.
            assertEquals(200, guestFrom.apply("198.51.100.9", "/api/auth/guest"));
        }
    }

    @Test
    void outsideDevModeCookiesAreSecure() throws Exception {
        try (Platform prod = new Platform(Map.of("dev.mode", "false"))) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(prod.http("/api/auth/guest"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Fay\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode(), res.body());
            Optional<String> notSecure = res.headers().allValues("Set-Cookie").stream().filter(c -> !c.contains("; Secure")).findAny();
            assertTrue(notSecure.isEmpty(), notSecure.orElse(""));
        }
    }
}
