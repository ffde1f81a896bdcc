package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;

/**
 * The gateway's voice routes over the real bus: {@code GET /api/livekit}, {@code POST /api/livekit/token} with its
 * typed answers (200/400/401/403/404/503), and the LiveKit origin in the Content-Security-Policy. The test writes
 * session summaries into the session directory itself, standing in for the game instance (VoiceMembershipIT does
 * the same through a real dice room once the game instance writes them).
 */
class VoiceRoutesIT {
    private static final String SECRET = "routes-test-secret-0123456789abcdefghijkl";
    private static final String SESSION = "abcdefabcdefabcdefabcdefabcdef01";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tokensForMembersTypedRefusalsAndThePolicyAllowsLiveKit() throws Exception {
        Map<String, String> voice = Map.of("livekit.url", "ws://livekit.internal:7880",
                "livekit.public.url", "wss://voice.example.test", "livekit.api.key", "APIroutes",
                "livekit.api.secret", SECRET, "livekit.call.timeout", "PT0.5S");
        try (Platform platform = new Platform(voice);
             Connection nc = TestNats.connect()) {
            HttpResponse<String> status = platform.get(platform.http("/api/livekit"), null);
            assertEquals(200, status.statusCode());
            assertEquals(Map.of("enabled", true, "url", "wss://voice.example.test"), Json.read(status.body(), Map.class));
            String csp = status.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(csp.contains("connect-src 'self' wss://voice.example.test https://voice.example.test;"), csp);

            String cookie = platform.guest("Ann");
            String annId = Json.read(platform.get(platform.http("/api/auth/me"), cookie).body(), JsonNode.class)
                    .path("player").asText();

            // No media-token-service answering yet: 503, said plainly, never a hang.
            HttpResponse<String> down = post(platform, cookie, "{\"session\":\"" + SESSION + "\"}");
            assertEquals(503, down.statusCode());
            assertEquals("UNAVAILABLE", code(down));

            try (ServiceRuntime.Running ignored = platform.media(voice)) {
                var sessions = nc.keyValue(new Subjects(platform.namespace).sessionsBucket());
                sessions.put(SESSION, Json.bytes(new SessionSummary(SESSION, "dice", "WOLF-1234", "host-x",
                        List.of(new SessionSummary.Member("host-x", "Hal"), new SessionSummary.Member(annId, "Ann")),
                        List.of("kicked-1"), false, 4, System.currentTimeMillis())));

                HttpResponse<String> ok = post(platform, cookie, "{\"session\":\"" + SESSION + "\"}");
                assertEquals(200, ok.statusCode(), ok.body());
                assertEquals("no-store", ok.headers().firstValue("Cache-Control").orElse(""));
                JsonNode body = Json.read(ok.body(), JsonNode.class);
                assertEquals("wss://voice.example.test", body.path("url").asText());
                SignedJWT jwt = SignedJWT.parse(body.path("token").asText());
                assertTrue(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8))));
                assertEquals(annId, jwt.getJWTClaimsSet().getSubject(), "the player id comes from the sign-in");

                // The body cannot choose who the token is for.
                HttpResponse<String> spoof = post(platform, cookie,
                        "{\"session\":\"" + SESSION + "\",\"player\":\"host-x\"}");
                assertEquals(annId, SignedJWT.parse(Json.read(spoof.body(), JsonNode.class).path("token").asText())
                        .getJWTClaimsSet().getSubject());

                String outsider = platform.guest("Out");
                HttpResponse<String> refused = post(platform, outsider, "{\"session\":\"" + SESSION + "\"}");
                assertEquals(403, refused.statusCode());
                assertEquals("NOT_A_MEMBER", code(refused));

                sessions.put(SESSION, Json.bytes(new SessionSummary(SESSION, "dice", "WOLF-1234", "host-x",
                        List.of(new SessionSummary.Member("host-x", "Hal")), List.of(annId), false, 5,
                        System.currentTimeMillis())));
                HttpResponse<String> barred = post(platform, cookie, "{\"session\":\"" + SESSION + "\"}");
                assertEquals(403, barred.statusCode());
                assertEquals("BARRED", code(barred));

                sessions.put(SESSION, Json.bytes(new SessionSummary(SESSION, "dice", null, "host-x", List.of(),
                        List.of(annId), true, 6, System.currentTimeMillis())));
                HttpResponse<String> closed = post(platform, cookie, "{\"session\":\"" + SESSION + "\"}");
                assertEquals(404, closed.statusCode());
                assertEquals("SESSION_CLOSED", code(closed));

                HttpResponse<String> unknown = post(platform, cookie, "{\"session\":\"nosuchsession\"}");
                assertEquals(404, unknown.statusCode());
                assertEquals("NOT_FOUND", code(unknown));

                assertEquals(400, post(platform, cookie, "{\"session\":\"../x\"}").statusCode());
                assertEquals(400, post(platform, cookie, "not json").statusCode());
                assertEquals(401, post(platform, null, "{\"session\":\"" + SESSION + "\"}").statusCode());
            }
        }
    }

    @Test
    void aGatewayWithoutLiveKitSaysVoiceIsOff() throws Exception {
        try (Platform platform = new Platform()) {
            HttpResponse<String> status = platform.get(platform.http("/api/livekit"), null);
            assertEquals(Map.of("enabled", false), Json.read(status.body(), Map.class));
            assertTrue(status.headers().firstValue("Content-Security-Policy").orElseThrow()
                    .contains("connect-src 'self';"));
            HttpResponse<String> off = post(platform, platform.guest("Ann"), "{\"session\":\"" + SESSION + "\"}");
            assertEquals(503, off.statusCode());
            assertEquals("LIVEKIT_NOT_CONFIGURED", code(off));
        }
    }

    private HttpResponse<String> post(Platform platform, String cookie, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(platform.http("/api/livekit/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> res) {
        return Json.read(res.body(), JsonNode.class).path("code").asText();
    }
}
