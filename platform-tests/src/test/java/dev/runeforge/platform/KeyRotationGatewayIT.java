package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.auth.keys.KeyRotation;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.WsClient;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;

/**
 * Rotating the signing key logs nobody out: tokens signed before keep working, new tokens carry the new key, a
 * player in a room keeps playing on the same socket, and a key the gateway has never seen is fetched on demand.
 */
class KeyRotationGatewayIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static String kid(String cookie) {
        String token = cookie.substring(cookie.indexOf('=') + 1);
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), java.nio.charset.StandardCharsets.UTF_8);
        return Json.tree(header.getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("kid").asText();
    }

    private static KeyRotation.Rotated rotate(Connection nc, Subjects subjects) {
        return Rpc.request(nc, subjects.authAdminRotate(), Map.of(), KeyRotation.Rotated.class, WAIT);
    }

    private static void roll(WsClient ws, String session) throws Exception {
        String id = UUID.randomUUID().toString();
        ws.send(Map.of("type", "action", "id", id, "session", session, "body", Map.of("type", "roll", "formula", "1d20")));
        ws.await(m -> "accepted".equals(m.path("type").asText()) && id.equals(m.path("id").asText()), WAIT);
    }

    @Test
    void rotationLogsNobodyOutAndNewTokensUseTheNewKey() throws Exception {
        try (Platform platform = new Platform(); Connection nc = TestNats.connect()) {
            Subjects subjects = new Subjects(platform.namespace);
            String ada = platform.guest("Ada");
            try (WsClient ws = WsClient.connect(platform.ws(), ada)) {
                ws.send(Map.of("type", "hello", "v", 1));
                ws.awaitType("welcome", WAIT);
                ws.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice"));
                JsonNode joined = ws.awaitType("joined", WAIT);
                String session = joined.path("session").asText();
                roll(ws, session);

                KeyRotation.Rotated first = rotate(nc, subjects);
                String bea = platform.guest("Bea");
                assertEquals(first.current(), kid(bea), "new tokens are signed with the new key");
                assertNotEquals(kid(ada), kid(bea));
                assertEquals(200, platform.get(platform.http("/api/auth/me"), ada).statusCode(), "the old token still works");
                assertEquals(200, platform.get(platform.http("/api/auth/me"), bea).statusCode());

                // Two more rotations: the key that signs now was created after the gateway last read the JWKS, so
                // the gateway must fetch it on seeing the unknown kid.
                rotate(nc, subjects);
                KeyRotation.Rotated third = rotate(nc, subjects);
                String cai = platform.guest("Cai");
                assertEquals(third.current(), kid(cai));
                assertEquals(200, platform.get(platform.http("/api/auth/me"), cai).statusCode(), "unknown kid refetched");
                assertEquals(200, platform.get(platform.http("/api/auth/me"), ada).statusCode());

                // The socket opened before any rotation still plays, and the old token still opens new sockets.
                roll(ws, session);
                try (WsClient again = WsClient.connect(platform.ws(), ada); WsClient beaWs = WsClient.connect(platform.ws(), bea)) {
                    again.send(Map.of("type", "hello", "v", 1));
                    again.awaitType("welcome", WAIT);
                    beaWs.send(Map.of("type", "hello", "v", 1));
                    beaWs.awaitType("welcome", WAIT);
                    beaWs.send(Map.of("type", "join", "id", UUID.randomUUID().toString(), "code", joined.path("code").asText()));
                    beaWs.awaitType("joined", WAIT);
                }
                roll(ws, session);
            }
        }
    }
}
