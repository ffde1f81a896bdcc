package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.Test;

/**
 * A room's life around its players' connections, over raw WebSockets through the whole platform: who is online,
 * the DM-led room's grace for an offline DM (2 s here instead of 60 s), and the per-address room creation limit.
 * Connections end the hard way (TCP closed without a close frame, as when a tab is killed): the gateway's
 * heartbeat must notice.
 */
class RoomLifecycleIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static WsClient connect(Platform platform, String cookie) throws Exception {
        WsClient ws = WsClient.connect(platform.ws(), cookie);
        ws.send(Map.of("type", "hello", "v", 1));
        ws.awaitType("welcome", WAIT);
        return ws;
    }

    private static JsonNode presence(WsClient ws, String player, boolean connected) throws InterruptedException {
        return ws.await(m -> "presence".equals(m.path("body").path("type").asText())
                && player.equals(m.path("body").path("player").asText())
                && m.path("body").path("connected").asBoolean() == connected, WAIT);
    }

    @Test
    void playersSeeWhoIsOnlineAndADmLedRoomClosesWhenItsDmStaysAway() throws Exception {
        try (Platform platform = new Platform(Map.of("game.dice.dm.grace", "PT2S",
                "gateway.heartbeat.interval", "PT0.2S", "gateway.heartbeat.silence", "PT5S"))) {
            String dmCookie = platform.guest("Dana");
            WsClient dm = connect(platform, dmCookie);
            try (WsClient bob = connect(platform, platform.guest("Bob"))) {
                dm.send(Map.of("type", "create", "id", id(), "game", "dice", "settings", Map.of("mode", "dm-led")));
                JsonNode created = dm.awaitType("joined", WAIT);
                String session = created.path("session").asText();
                String dmId = created.path("view").path("creator").asText();
                presence(dm, dmId, true);
                bob.send(Map.of("type", "join", "id", id(), "code", created.path("code").asText()));
                JsonNode view = bob.awaitType("joined", WAIT).path("view");
                assertTrue(view.path("players").get(0).path("connected").asBoolean(), view.toString());
                String bobId = view.path("players").get(1).path("id").asText();
                JsonNode bobOnline = presence(dm, bobId, true);
                assertFalse(bobOnline.path("body").has("connection"), "connection ids stay in the game instance");

                // The DM's connection drops: Bob is told, with the moment the room will close.
                dm.close();
                JsonNode away = presence(bob, dmId, false);
                long graceUntil = away.path("body").path("graceUntil").asLong();
                assertTrue(graceUntil > System.currentTimeMillis() - 1_000, away.toString());

                // Back in time (a reload): the room goes on.
                dm = WsClient.connect(platform.ws(), dmCookie);
                dm.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
                dm.awaitType("joined", WAIT);
                presence(bob, dmId, true);
                Thread.sleep(2_500); // past the first grace: it must have been called off
                String rollId = id();
                bob.send(Map.of("type", "action", "id", rollId, "session", session,
                        "body", Map.of("type", "roll", "formula", "1d20")));
                bob.await(m -> "accepted".equals(m.path("type").asText()) && rollId.equals(m.path("id").asText()), WAIT);

                // Gone for good: after the grace the room closes, and says why.
                dm.close();
                presence(bob, dmId, false);
                JsonNode closed = bob.await(m -> "room_closed".equals(m.path("body").path("type").asText()), WAIT);
                assertEquals("dm_left", closed.path("body").path("reason").asText());
                assertEquals("closed", bob.awaitType("left", WAIT).path("reason").asText());
            } finally {
                dm.close();
            }
        }
    }

    @Test
    void oneAddressCreatesOnlySoManyRooms() throws Exception {
        try (Platform platform = new Platform(Map.of("gateway.rooms.burst", "3", "gateway.rooms.per.minute", "1"))) {
            for (int i = 0; i < 3; i++) {
                try (WsClient ws = connect(platform, platform.guest("Host" + i))) {
                    ws.send(Map.of("type", "create", "id", id(), "game", "dice"));
                    ws.awaitType("joined", WAIT);
                }
            }
            try (WsClient ws = connect(platform, platform.guest("Host"))) {
                String ref = id();
                ws.send(Map.of("type", "create", "id", ref, "game", "dice"));
                JsonNode error = ws.awaitType("error", WAIT);
                assertEquals("RATE_LIMIT", error.path("code").asText());
                assertEquals(ref, error.path("ref").asText());
                assertTrue(error.path("message").asText().contains("try again"), error.toString());
                // Joining is not limited: the limit is on new rooms only.
                ws.send(Map.of("type", "join", "id", id(), "code", "NONE-0000"));
                assertEquals("ROOM_NOT_FOUND", ws.awaitType("error", WAIT).path("code").asText());
            }
        }
    }
}
