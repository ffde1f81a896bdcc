package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/livekit/token} end to end on a real dice room: membership comes from the session directory that
 * the game instance writes (KV {@code <ns>-sessions}, SessionSummary), never from the request.
 *
 * <p>NEEDS THE SESSION-DIRECTORY WRITER (the game instance writing SessionSummary after each commit), which is being
 * built on another branch: until it is merged this test fails (every token is refused NOT_FOUND: no summary). It is
 * deliberately not disabled. media-token-service's own VoiceTokenIT covers the same rules with summaries the test
 * writes itself.
 */
class VoiceMembershipIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SECRET = "membership-test-secret-0123456789abcdefgh";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Platform platform;
    private static ServiceRuntime.Running media;

    @BeforeAll
    static void start() throws Exception {
        // The URL is never dialled by these tests: tokens need no LiveKit, and RoomService failures are only counted.
        Map<String, String> voice = Map.of("livekit.url", "ws://127.0.0.1:9", "livekit.api.key", "APImembership",
                "livekit.api.secret", SECRET, "livekit.call.timeout", "PT0.5S");
        platform = new Platform(voice);
        media = platform.media(voice);
    }

    @AfterAll
    static void stop() {
        if (media != null) {
            media.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void membersOfARealDiceRoomGetTokensOutsidersAndKickedPlayersAreRefused() throws Exception {
        String aliceCookie = platform.guest("Alice");
        String bobCookie = platform.guest("Bob");
        String eveCookie = platform.guest("Eve");
        try (WsClient alice = hello(aliceCookie); WsClient bob = hello(bobCookie)) {
            String aliceId = alice.awaitType("welcome", WAIT).path("player").asText();
            String bobId = bob.awaitType("welcome", WAIT).path("player").asText();
            alice.send(Map.of("type", "create", "id", id(), "game", "dice", "settings", Map.of("mode", "open")));
            JsonNode joined = alice.awaitType("joined", WAIT);
            String session = joined.path("session").asText();
            bob.send(Map.of("type", "join", "id", id(), "code", joined.path("code").asText()));
            bob.awaitType("joined", WAIT);

            // The summary reaches the directory just after the commit: allow it a moment.
            HttpResponse<String> aliceToken = awaitStatus(aliceCookie, session, 200);
            JsonNode a = Json.read(aliceToken.body(), JsonNode.class);
            SignedJWT jwt = SignedJWT.parse(a.path("token").asText());
            assertTrue(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8))));
            assertEquals(aliceId, jwt.getJWTClaimsSet().getSubject());
            assertEquals("Alice", jwt.getJWTClaimsSet().getStringClaim("name"));
            Map<String, Object> video = jwt.getJWTClaimsSet().getJSONObjectClaim("video");
            assertEquals(platform.namespace + "-" + session, video.get("room"));
            assertEquals(Boolean.TRUE, video.get("roomAdmin"), "the room's creator hosts it");
            assertEquals("no-store", aliceToken.headers().firstValue("Cache-Control").orElse(""));

            HttpResponse<String> bobToken = awaitStatus(bobCookie, session, 200);
            JsonNode b = Json.read(bobToken.body(), JsonNode.class);
            assertEquals(bobId, b.path("identity").asText());
            assertFalse(b.path("admin").asBoolean());
            assertFalse(SignedJWT.parse(b.path("token").asText()).getJWTClaimsSet().getJSONObjectClaim("video")
                    .containsKey("roomAdmin"));

            HttpResponse<String> eve = post(eveCookie, session);
            assertEquals(403, eve.statusCode(), eve.body());
            assertEquals("NOT_A_MEMBER", Json.read(eve.body(), JsonNode.class).path("code").asText());

            alice.send(Map.of("type", "action", "id", id(), "session", session,
                    "body", Map.of("type", "kick", "player", bobId)));
            bob.awaitType("left", WAIT);
            HttpResponse<String> kicked = awaitStatus(bobCookie, session, 403);
            assertEquals("BARRED", Json.read(kicked.body(), JsonNode.class).path("code").asText());

            assertEquals(404, post(aliceCookie, "0000000000000000000000000000dead").statusCode());
            assertEquals(401, post(null, session).statusCode());
        }
    }

    private static WsClient hello(String cookie) throws Exception {
        WsClient ws = WsClient.connect(platform.ws(), cookie);
        ws.send(Map.of("type", "hello", "v", 1));
        return ws;
    }

    private static HttpResponse<String> awaitStatus(String cookie, String session, int status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> res = post(cookie, session);
        while (res.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            res = post(cookie, session);
        }
        assertEquals(status, res.statusCode(), res.body());
        return res;
    }

    private static HttpResponse<String> post(String cookie, String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(platform.http("/api/livekit/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.text(Map.of("session", session))));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
