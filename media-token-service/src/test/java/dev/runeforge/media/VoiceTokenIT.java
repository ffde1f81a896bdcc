package dev.runeforge.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.media.Voice;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * media-token-service on the real NATS, issuing LiveKit tokens over {@code <ns>.media.token}. The tests write the
 * session summaries into the KV bucket themselves: they stand in for the game instance that owns each session.
 * Issued tokens are decoded and verified with Nimbus (HS256 with the API secret), independently of LiveKit's SDK.
 */
class VoiceTokenIT {
    static final String API_KEY = "APIrunetest";
    static final String SECRET = "test-secret-0123456789abcdefghijklmnopqrstuv";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SESSION = "0123456789abcdef0123456789abcdef";

    @RegisterExtension
    final TestBus bus = new TestBus();
    private KeyValue sessions;

    private ServiceRuntime.Running start(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("bus.namespace", bus.namespace(),
                "admin.host", "127.0.0.1", "admin.port", "0"));
        config.putAll(extra);
        ServiceRuntime.Running running = Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, config)));
        sessions = bus.nc().keyValue(bus.subjects().sessionsBucket());
        return running;
    }

    /** LiveKit "configured" at a URL nothing listens on: tokens need no call to LiveKit. */
    private ServiceRuntime.Running startConfigured() throws Exception {
        return start(Map.of("livekit.url", "ws://127.0.0.1:1", "livekit.public.url", "wss://voice.example.test",
                "livekit.api.key", API_KEY, "livekit.api.secret", SECRET, "livekit.token.ttl", "PT2M"));
    }

    /** What the owning game instance would write after a commit. */
    private void put(SessionSummary summary) throws Exception {
        sessions.put(summary.session(), Json.bytes(summary));
    }

    static SessionSummary summary(String session, String host, List<String> members, List<String> barred, boolean closed,
                                  long seq) {
        return new SessionSummary(session, "dice", closed ? null : "WOLF-1234", host,
                members.stream().map(id -> new SessionSummary.Member(id, "Name of " + id)).toList(), barred, closed, seq,
                System.currentTimeMillis());
    }

    private Voice.Token token(String player, String session) {
        return Rpc.request(bus.nc(), bus.subjects().mediaToken(), new Voice.TokenRequest(player, session),
                Voice.Token.class, WAIT);
    }

    private String refusal(String player, String session) {
        return assertThrows(RpcException.class, () -> token(player, session)).code();
    }

    @Test
    void aMemberGetsATokenForThatSessionsRoomOnlyWithEveryClaimAndGrant() throws Exception {
        try (ServiceRuntime.Running ignored = startConfigured()) {
            put(summary(SESSION, "host-1", List.of("host-1", "p-2"), List.of(), false, 3));
            long before = Instant.now().getEpochSecond();

            Voice.Token reply = token("p-2", SESSION);

            SignedJWT jwt = SignedJWT.parse(reply.token());
            assertEquals(JWSAlgorithm.HS256, jwt.getHeader().getAlgorithm());
            assertTrue(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8))), "signed with the API secret");
            assertFalse(jwt.verify(new MACVerifier("another-secret-0123456789abcdefghijklmnop".getBytes(StandardCharsets.UTF_8))));
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            assertEquals(API_KEY, claims.getIssuer());
            assertEquals("p-2", claims.getSubject(), "identity = player id");
            assertEquals("Name of p-2", claims.getStringClaim("name"), "the name the session knows them by");
            assertEquals(SESSION, Json.read(claims.getStringClaim("metadata"), JsonNode.class).path("session").asText());
            long exp = claims.getExpirationTime().toInstant().getEpochSecond();
            assertTrue(exp >= before + 119 && exp <= Instant.now().getEpochSecond() + 121, "a 2-minute TTL, got exp " + exp);
            assertTrue(claims.getNotBeforeTime().toInstant().getEpochSecond() <= Instant.now().getEpochSecond());
            assertEquals(exp, reply.expiresAt());

            Map<String, Object> video = claims.getJSONObjectClaim("video");
            assertEquals(Boolean.TRUE, video.get("roomJoin"));
            assertEquals(bus.namespace() + "-" + SESSION, video.get("room"), "this session's room only");
            assertEquals(Boolean.TRUE, video.get("canPublish"));
            assertEquals(Boolean.TRUE, video.get("canSubscribe"));
            assertEquals(Boolean.FALSE, video.get("canPublishData"));
            assertNull(video.get("roomAdmin"), "only the host administers the room");
            assertNull(video.get("roomCreate"));
            assertNull(video.get("roomList"));
            assertEquals(java.util.Set.of("roomJoin", "room", "canPublish", "canSubscribe", "canPublishData"), video.keySet());

            assertEquals("wss://voice.example.test", reply.url(), "browsers get the public URL");
            assertEquals(bus.namespace() + "-" + SESSION, reply.room());
            assertEquals("p-2", reply.identity());
            assertEquals("Name of p-2", reply.name());
            assertFalse(reply.admin());
        }
    }

    @Test
    void theHostsTokenMayAdministerTheRoom() throws Exception {
        try (ServiceRuntime.Running ignored = startConfigured()) {
            put(summary(SESSION, "host-1", List.of("host-1", "p-2"), List.of(), false, 3));

            Voice.Token reply = token("host-1", SESSION);

            SignedJWT jwt = SignedJWT.parse(reply.token());
            assertTrue(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8))));
            Map<String, Object> video = jwt.getJWTClaimsSet().getJSONObjectClaim("video");
            assertEquals(Boolean.TRUE, video.get("roomAdmin"));
            assertEquals(bus.namespace() + "-" + SESSION, video.get("room"));
            assertEquals(Boolean.TRUE, video.get("roomJoin"));
            assertEquals(Boolean.FALSE, video.get("canPublishData"));
            assertTrue(reply.admin());
        }
    }

    @Test
    void nonMembersKickedPlayersAndClosedOrUnknownSessionsAreRefusedWithTypedCodes() throws Exception {
        try (ServiceRuntime.Running running = startConfigured()) {
            put(summary(SESSION, "host-1", List.of("host-1", "p-2"), List.of("p-3"), false, 5));
            String closed = "closedsession0000000000000000000a";
            put(summary(closed, "host-1", List.of("host-1"), List.of(), true, 9));
            // A summary written mid-kick may still list the player: barred wins.
            String midKick = "midkick0000000000000000000000000";
            put(summary(midKick, "host-1", List.of("host-1", "p-4"), List.of("p-4"), false, 2));
            String garbled = "garbled0000000000000000000000000";
            sessions.put(garbled, "{not json".getBytes(StandardCharsets.UTF_8));
            String wrongKey = "wrongkey000000000000000000000000";
            sessions.put(wrongKey, Json.bytes(summary(SESSION, "host-1", List.of("p-9"), List.of(), false, 1)));

            assertEquals(Voice.NOT_A_MEMBER, refusal("stranger", SESSION));
            assertEquals(Voice.BARRED, refusal("p-3", SESSION));
            assertEquals(Voice.BARRED, refusal("p-4", midKick));
            assertEquals(Voice.SESSION_CLOSED, refusal("host-1", closed));
            assertEquals(ErrorCodes.NOT_FOUND, refusal("p-2", "nosuchsession"));
            assertEquals(ErrorCodes.NOT_FOUND, refusal("p-2", garbled), "a garbled summary is a refusal, not a crash");
            assertEquals(ErrorCodes.NOT_FOUND, refusal("p-9", wrongKey), "a summary must name its own session");
            RpcException bad = assertThrows(RpcException.class, () -> Rpc.request(bus.nc(), bus.subjects().mediaToken(),
                    Map.of("player", "p-2", "session", "../etc"), Voice.Token.class, WAIT));
            assertEquals(ErrorCodes.BAD_MESSAGE, bad.code());

            assertEquals("p-2", token("p-2", SESSION).identity(), "the service still answers members");

            Map<String, Double> metrics = metrics(running.adminPort());
            assertEquals(1.0, metrics.get("rf_media_tokens_issued_total"));
            assertEquals(1.0, metrics.get("rf_media_tokens_refused_total{reason=\"not_a_member\"}"));
            assertEquals(2.0, metrics.get("rf_media_tokens_refused_total{reason=\"barred\"}"));
            assertEquals(1.0, metrics.get("rf_media_tokens_refused_total{reason=\"session_closed\"}"));
            assertEquals(3.0, metrics.get("rf_media_tokens_refused_total{reason=\"not_found\"}"));
            assertEquals(1.0, metrics.get("rf_media_tokens_refused_total{reason=\"invalid\"}"));
        }
    }

    @Test
    void aPlayerKickedAfterJoiningIsRefusedFromThenOn() throws Exception {
        try (ServiceRuntime.Running ignored = startConfigured()) {
            put(summary(SESSION, "host-1", List.of("host-1", "p-2"), List.of(), false, 3));
            assertEquals("p-2", token("p-2", SESSION).identity());

            put(summary(SESSION, "host-1", List.of("host-1"), List.of("p-2"), false, 4));

            assertEquals(Voice.BARRED, refusal("p-2", SESSION));
        }
    }

    @Test
    void withoutLiveKitConfiguredEveryRequestIsToldSo() throws Exception {
        try (ServiceRuntime.Running running = start(Map.of())) {
            put(summary(SESSION, "host-1", List.of("host-1"), List.of(), false, 1));

            RpcException e = assertThrows(RpcException.class, () -> token("host-1", SESSION));
            assertEquals(Voice.LIVEKIT_NOT_CONFIGURED, e.code());
            assertTrue(e.getMessage().contains("not configured"), e.getMessage());
            assertEquals("not-configured", Rpc.request(bus.nc(), bus.subjects().mediaPing(), Map.of(),
                    Main.PingReply.class, WAIT).livekit());
            assertEquals(1.0, metrics(running.adminPort()).get("rf_media_tokens_refused_total{reason=\"not_configured\"}"));
        }
    }

    /** Every sample of the service's /metrics, by name and labels as printed (e.g. {@code x{reason="barred"}}). */
    static Map<String, Double> metrics(int adminPort) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        Map<String, Double> out = new HashMap<>();
        for (String line : res.body().split("\n")) {
            if (line.startsWith("rf_media_")) {
                int space = line.lastIndexOf(' ');
                String key = line.substring(0, space);
                int brace = key.indexOf('{');
                String name = brace < 0 ? key : key.substring(0, brace);
                // Only the label this test cares about (the registry adds common ones, e.g. the service).
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:reason|operation)=\"[^\"]*\"").matcher(key);
                out.put(m.find() ? name + "{" + m.group() + "}" : name, Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }
}
