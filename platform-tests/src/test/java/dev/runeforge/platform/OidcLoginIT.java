package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.WsClient;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sign-in with a real OIDC provider (mock-oauth2-server, started here), browser-free: login redirect → provider →
 * callback → cookies → /api/auth/me → WebSocket; a guest who signs in keeps their player id and their rolls.
 */
class OidcLoginIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CLIENT = "rune-forge-web";
    private static MockOAuth2Server provider;
    private static Platform platform;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        provider = new MockOAuth2Server();
        provider.start();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        platform = new Platform(Map.of(
                "http.port", Integer.toString(port),
                "auth.oidc.issuer", provider.issuerUrl("default").toString(),
                "auth.oidc.client-id", CLIENT,
                "auth.oidc.client-secret", "client-secret",
                "auth.oidc.redirect-uri", "http://127.0.0.1:" + port + "/api/auth/callback",
                "auth.oidc.scopes", "openid profile"));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        provider.shutdown();
    }

    private static void nextSignInIs(String subject, String name) {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT),
                Map.of("name", name), 3600));
    }

    private HttpResponse<String> get(URI uri, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> cookies(HttpResponse<?> res) {
        Map<String, String> m = new HashMap<>();
        for (String sc : res.headers().allValues("Set-Cookie")) {
            m.put(sc.substring(0, sc.indexOf('=')), sc.substring(sc.indexOf('=') + 1, sc.indexOf(';')));
        }
        return m;
    }

    /** The whole code flow as a browser would follow it; returns the callback's response. */
    private HttpResponse<String> signIn(String existingCookies) throws Exception {
        HttpResponse<String> login = get(platform.http("/api/auth/login"), existingCookies);
        assertEquals(302, login.statusCode(), login.body());
        URI authorize = URI.create(login.headers().firstValue("Location").orElseThrow());
        assertTrue(authorize.toString().startsWith(provider.authorizationEndpointUrl("default").toString()), authorize.toString());
        String q = authorize.getRawQuery();
        assertTrue(q.contains("code_challenge_method=S256") && q.contains("code_challenge="), q);
        assertTrue(q.contains("nonce=") && q.contains("state=") && q.contains("response_type=code"), q);
        String stateCookie = cookies(login).get("rf_oidc");
        assertNotNull(stateCookie);
        assertTrue(login.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("rf_oidc=") && c.contains("HttpOnly")));

        HttpResponse<String> atProvider = get(authorize, null);
        assertEquals(302, atProvider.statusCode(), atProvider.body());
        URI back = URI.create(atProvider.headers().firstValue("Location").orElseThrow());
        assertEquals("/api/auth/callback", back.getPath());
        return get(back, "rf_oidc=" + stateCookie);
    }

    private JsonNode me(String accessToken) throws Exception {
        HttpResponse<String> res = get(platform.http("/api/auth/me"), "rf_token=" + accessToken);
        assertEquals(200, res.statusCode(), res.body());
        return Json.tree(res.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void theFullCodeFlowSignsInAndTheSocketAcceptsTheToken() throws Exception {
        nextSignInIs("alice-" + UUID.randomUUID(), "Alice Liddell");
        HttpResponse<String> callback = signIn(null);
        assertEquals(303, callback.statusCode(), callback.body());
        assertEquals("/", callback.headers().firstValue("Location").orElseThrow());
        Map<String, String> jar = cookies(callback);
        assertTrue(callback.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("rf_token=") || c.startsWith("rf_refresh="))
                .allMatch(c -> c.contains("HttpOnly") && c.contains("SameSite=Strict")));
        assertNotNull(jar.get("rf_refresh"));

        JsonNode me = me(jar.get("rf_token"));
        assertEquals("Alice Liddell", me.path("name").asText());
        String player = me.path("player").asText();
        assertTrue(player.startsWith("u-"), player);

        try (WsClient ws = WsClient.connect(platform.ws(), "rf_token=" + jar.get("rf_token"))) {
            ws.send(Map.of("type", "hello", "v", 1));
            JsonNode welcome = ws.awaitType("welcome", WAIT);
            assertEquals(player, welcome.path("player").asText());
        }
    }

    @Test
    void aCallbackIsRefusedWithoutTheBrowsersStateAndCannotBeReplayed() throws Exception {
        nextSignInIs("mallory-" + UUID.randomUUID(), "Mallory");
        HttpResponse<String> login = get(platform.http("/api/auth/login"), null);
        String stateCookie = cookies(login).get("rf_oidc");
        HttpResponse<String> atProvider = get(URI.create(login.headers().firstValue("Location").orElseThrow()), null);
        URI back = URI.create(atProvider.headers().firstValue("Location").orElseThrow());

        // Login CSRF: the victim's browser has no (or another) state cookie.
        assertEquals(401, get(back, null).statusCode());
        assertEquals(401, get(back, "rf_oidc=" + "x".repeat(43)).statusCode());
        // The right browser succeeds once; the same answer again is refused.
        assertEquals(303, get(back, "rf_oidc=" + stateCookie).statusCode());
        HttpResponse<String> replay = get(back, "rf_oidc=" + stateCookie);
        assertEquals(401, replay.statusCode());
        assertTrue(replay.body().contains("\"code\":\"UNAUTHORIZED\""), replay.body());
    }

    @Test
    void aGuestWhoSignsInKeepsTheirPlayerIdAndTheirRolls() throws Exception {
        String guestCookie = platform.guest("Gus");
        String guestToken = guestCookie.substring(guestCookie.indexOf('=') + 1);
        String guestId = me(guestToken).path("player").asText();
        String session;
        String rollId = UUID.randomUUID().toString();
        try (WsClient ws = WsClient.connect(platform.ws(), guestCookie)) {
            ws.send(Map.of("type", "hello", "v", 1));
            ws.awaitType("welcome", WAIT);
            ws.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice"));
            session = ws.awaitType("joined", WAIT).path("session").asText();
            ws.send(Map.of("type", "action", "id", rollId, "session", session, "body", Map.of("type", "roll", "formula", "2d6")));
            ws.await(m -> "accepted".equals(m.path("type").asText()) && rollId.equals(m.path("id").asText()), WAIT);
        }

        String subject = "gus-" + UUID.randomUUID();
        nextSignInIs(subject, "Gus Grant");
        HttpResponse<String> callback = signIn(guestCookie);
        assertEquals(303, callback.statusCode(), callback.body());
        String token = cookies(callback).get("rf_token");
        JsonNode me = me(token);
        assertEquals(guestId, me.path("player").asText(), "the guest's player id is kept");
        assertEquals("Gus Grant", me.path("name").asText());

        try (WsClient ws = WsClient.connect(platform.ws(), "rf_token=" + token)) {
            ws.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
            JsonNode view = ws.awaitType("joined", WAIT).path("view");
            assertEquals(guestId, view.path("creator").asText(), "still the room's creator");
            boolean mine = false;
            for (JsonNode roll : view.path("rolls")) {
                mine |= guestId.equals(roll.path("player").asText()) && "2d6".equals(roll.path("formula").asText());
            }
            assertTrue(mine, "the earlier roll is theirs: " + view);
        }

        // Signing in again later, from a fresh browser, lands on the same player.
        nextSignInIs(subject, "Gus Grant");
        assertEquals(guestId, me(cookies(signIn(null)).get("rf_token")).path("player").asText());
    }

    @Test
    void aGuestWhoseAccessTokenLapsedIsStillLinkedThroughTheRefreshCookie() throws Exception {
        HttpResponse<String> guest = http.send(HttpRequest.newBuilder(platform.http("/api/auth/guest"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Hal\"}")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> jar = cookies(guest);
        String guestId = me(jar.get("rf_token")).path("player").asText();

        // Only the refresh cookie (Path=/api/auth) reaches /api/auth/login, as after 15 idle minutes.
        nextSignInIs("hal-" + UUID.randomUUID(), "Hal");
        HttpResponse<String> callback = signIn("rf_refresh=" + jar.get("rf_refresh"));
        assertEquals(guestId, me(cookies(callback).get("rf_token")).path("player").asText());

        // A spent or unknown refresh cookie links nothing: a new player.
        nextSignInIs("ida-" + UUID.randomUUID(), "Ida");
        HttpResponse<String> other = signIn("rf_refresh=" + "A".repeat(43));
        assertTrue(me(cookies(other).get("rf_token")).path("player").asText().startsWith("u-"));
    }

    @Test
    void signingInTwiceWithOneIdentityGivesOnePlayer() throws Exception {
        String subject = "twice-" + UUID.randomUUID();
        nextSignInIs(subject, "Twice");
        String first = me(cookies(signIn(null)).get("rf_token")).path("player").asText();
        nextSignInIs(subject, "Twice");
        HttpResponse<String> again = signIn(null);
        assertEquals(first, me(cookies(again).get("rf_token")).path("player").asText());
    }
}
