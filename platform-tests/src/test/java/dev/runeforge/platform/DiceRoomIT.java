package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The first playable slice end to end over real NATS: two players, one room, rolls seen by both. */
class DiceRoomIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Platform platform;

    @BeforeAll
    static void start() throws Exception {
        // A generous rate limit here: the latency probe rolls back to back.
        platform = new Platform(Map.of("gateway.rate.burst", "1000", "gateway.rate.refill", "1000",
                "game.dice.rolls.limit", "100000", "gateway.rooms.burst", "1000"));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static WsClient connect(String name) throws Exception {
        return platform.player(name);
    }

    /** Alice creates a room, Bob joins it; returns {session, code}. */
    private static String[] room(WsClient alice, WsClient bob) throws Exception {
        return room(alice, bob, "open");
    }

    private static String[] room(WsClient alice, WsClient bob, String mode) throws Exception {
        alice.send(Map.of("type", "create", "id", id(), "game", "dice", "settings", Map.of("mode", mode)));
        JsonNode joined = alice.awaitType("joined", WAIT);
        assertTrue(Math.abs(joined.path("serverTime").asLong() - System.currentTimeMillis()) < 60_000,
                "a view says when (server time) it was made: " + joined);
        String session = joined.path("session").asText();
        String code = joined.path("code").asText();
        assertTrue(code.matches("[A-Z]+-[A-Z]+-\\d{4}"), code);
        bob.send(Map.of("type", "join", "id", id(), "code", code));
        JsonNode bobJoined = bob.awaitType("joined", WAIT);
        assertEquals(session, bobJoined.path("session").asText());
        assertEquals(2, bobJoined.path("view").path("players").size());
        alice.await(m -> "event".equals(m.path("type").asText())
                && "player_joined".equals(m.path("body").path("type").asText()), WAIT);
        return new String[] {session, code};
    }

    private static JsonNode awaitRoll(WsClient ws, String rollKeySuffix) throws InterruptedException {
        return ws.await(m -> "rolled".equals(m.path("body").path("type").asText())
                && m.path("body").path("roll").path("action").asText().endsWith(":" + rollKeySuffix), WAIT);
    }

    @Test
    void bothPlayersSeeTheSameRoll() throws Exception {
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Bob")) {
            String session = room(alice, bob)[0];
            String rollId = id();
            alice.send(Map.of("type", "action", "id", rollId, "session", session,
                    "body", Map.of("type", "roll", "formula", "2d6+3")));
            JsonNode atAlice = awaitRoll(alice, rollId);
            JsonNode atBob = awaitRoll(bob, rollId);
            assertEquals(atAlice, atBob);
            JsonNode roll = atBob.path("body").path("roll");
            assertEquals("2d6+3", roll.path("formula").asText());
            assertEquals("Alice", roll.path("name").asText());
            int sum = 0;
            for (JsonNode d : roll.path("terms").get(0).path("dice")) {
                assertTrue(d.path("value").asInt() >= 1 && d.path("value").asInt() <= 6);
                sum += d.path("value").asInt();
            }
            assertEquals(sum + 3, roll.path("total").asInt());
            alice.await(m -> "accepted".equals(m.path("type").asText()) && rollId.equals(m.path("id").asText()), WAIT);
        }
    }

    @Test
    void hiddenRollIsNotSentToPlayersBeforeRevealAndIsAfter() throws Exception {
        try (WsClient dm = connect("Dana"); WsClient bob = connect("Bob")) {
            String session = room(dm, bob, "dm-led")[0];
            String secretId = id();
            dm.send(Map.of("type", "action", "id", secretId, "session", session,
                    "body", Map.of("type", "roll", "formula", "3d6+2", "hidden", true)));
            JsonNode atDm = awaitRoll(dm, secretId).path("body").path("roll");
            assertTrue(atDm.path("hidden").asBoolean());
            int total = atDm.path("total").asInt();
            String rollId = atDm.path("id").asText();
            JsonNode atBob = awaitRoll(bob, secretId).path("body").path("roll");
            assertEquals(rollId, atBob.path("id").asText());
            // A marker after it: every frame Bob got until then is in hand.
            String marker = id();
            bob.send(Map.of("type", "action", "id", marker, "session", session,
                    "body", Map.of("type", "roll", "formula", "1d4")));
            awaitRoll(bob, marker);
            for (String frame : bob.frames()) {
                if (frame.contains(rollId)) {
                    assertFalse(frame.contains("\"total\"") || frame.contains("\"terms\"")
                            || frame.contains("\"formula\""), "Bob saw the hidden roll's dice: " + frame);
                }
            }
            dm.send(Map.of("type", "action", "id", id(), "session", session,
                    "body", Map.of("type", "reveal", "roll", rollId)));
            JsonNode revealed = bob.await(m -> "roll_revealed".equals(m.path("body").path("type").asText()), WAIT);
            assertEquals(total, revealed.path("body").path("detail").path("total").asInt());
            assertEquals(3, revealed.path("body").path("detail").path("terms").get(0).path("dice").size());
        }
    }

    @Test
    void aKickedPlayerIsRemovedAndTheirBrowserCannotRejoin() throws Exception {
        String browser = "device-" + UUID.randomUUID().toString().replace("-", "");
        try (WsClient alice = connect("Alice");
             WsClient bob = WsClient.connect(platform.ws(), platform.guest("Bob") + "; rf_device=" + browser)) {
            bob.send(Map.of("type", "hello", "v", 1));
            String bobId = bob.awaitType("welcome", WAIT).path("player").asText();
            String[] room = room(alice, bob);
            alice.send(Map.of("type", "action", "id", id(), "session", room[0],
                    "body", Map.of("type", "kick", "player", bobId)));
            JsonNode left = bob.awaitType("left", WAIT);
            assertEquals("removed", left.path("reason").asText());
            JsonNode kicked = alice.await(m -> "player_kicked".equals(m.path("body").path("type").asText()), WAIT);
            assertFalse(kicked.toString().contains(browser), "browser ids are never sent: " + kicked);
            bob.send(Map.of("type", "join", "id", id(), "code", room[1]));
            assertEquals("KICKED", bob.awaitType("error", WAIT).path("code").asText());

            // A fresh guest token (a new player id) in the same browser is still barred from that room...
            try (WsClient again = WsClient.connect(platform.ws(), platform.guest("Robert") + "; rf_device=" + browser);
                 WsClient carol = connect("Carol")) {
                again.send(Map.of("type", "hello", "v", 1));
                again.awaitType("welcome", WAIT);
                again.send(Map.of("type", "join", "id", id(), "code", room[1]));
                assertEquals("KICKED", again.awaitType("error", WAIT).path("code").asText());
                // ...while another browser joins it.
                carol.send(Map.of("type", "join", "id", id(), "code", room[1]));
                assertEquals(room[0], carol.awaitType("joined", WAIT).path("session").asText());
            }
        }
    }

    @Test
    void rollRoundTripIsMeasured() throws Exception {
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Bob")) {
            String session = room(alice, bob)[0];
            int warmup = 300;
            int n = 500;
            long[] micros = new long[n];
            for (int i = 0; i < warmup + n; i++) {
                String rollId = id();
                long start = System.nanoTime();
                alice.send(Map.of("type", "action", "id", rollId, "session", session,
                        "body", Map.of("type", "roll", "formula", "1d20")));
                awaitRoll(alice, rollId);
                awaitRoll(bob, rollId);
                if (i >= warmup) {
                    micros[i - warmup] = (System.nanoTime() - start) / 1000;
                }
            }
            Arrays.sort(micros);
            System.out.printf("roll round trip (client sends -> both clients receive), n=%d: p50=%d us, p90=%d us, "
                    + "p99=%d us, max=%d us%n", n, micros[n / 2], micros[n * 9 / 10], micros[n * 99 / 100], micros[n - 1]);
        }
    }

    @Test
    void aRetriedActionIsAppliedOnce() throws Exception {
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Bob")) {
            String session = room(alice, bob)[0];
            String rollId = id();
            Map<String, Object> action = Map.of("type", "action", "id", rollId, "session", session,
                    "body", Map.of("type", "roll", "formula", "1d100"));
            alice.send(action);
            alice.send(action);
            awaitRoll(bob, rollId);
            String marker = id();
            alice.send(Map.of("type", "action", "id", marker, "session", session,
                    "body", Map.of("type", "roll", "formula", "1d4")));
            awaitRoll(bob, marker);
            long copies = bob.frames().stream().filter(f -> f.contains(":" + rollId + "\"")).count();
            assertEquals(1, copies, "the retried roll reached Bob " + copies + " times");
        }
    }

    @Test
    void badInputGetsTypedErrors() throws Exception {
        try (WsClient early = WsClient.connect(platform.ws(), platform.guest("Early"))) {
            early.send(Map.of("type", "ping", "t", 1));
            assertEquals("HELLO_REQUIRED", early.awaitType("error", WAIT).path("code").asText());
        }
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Bob")) {
            String session = room(alice, bob)[0];

            alice.send("{not json");
            assertEquals("BAD_MESSAGE", alice.awaitType("error", WAIT).path("code").asText());

            alice.send(Map.of("type", "teleport"));
            assertEquals("BAD_MESSAGE", alice.awaitType("error", WAIT).path("code").asText());

            String bad = id();
            alice.send(Map.of("type", "action", "id", bad, "session", session,
                    "body", Map.of("type", "roll", "formula", "3d7")));
            JsonNode err = alice.awaitType("error", WAIT);
            assertEquals("INVALID_DICE_FORMAT", err.path("code").asText());
            assertEquals(bad, err.path("ref").asText());
            assertTrue(err.path("message").asText().contains("d7"), err.toString());

            String unknown = id();
            alice.send(Map.of("type", "action", "id", unknown, "session", session, "body", Map.of("type", "cheat")));
            assertEquals("INVALID_ACTION", alice.awaitType("error", WAIT).path("code").asText());

            alice.send(Map.of("type", "action", "id", id(), "session", "someone-elses-room",
                    "body", Map.of("type", "roll", "formula", "1d6")));
            assertEquals("NOT_IN_ROOM", alice.awaitType("error", WAIT).path("code").asText());

            alice.send(Map.of("type", "action", "id", "bad id with spaces", "session", session,
                    "body", Map.of("type", "roll", "formula", "1d6")));
            assertEquals("BAD_MESSAGE", alice.awaitType("error", WAIT).path("code").asText());

            alice.send(Map.of("type", "ping", "t", 42));
            assertEquals(42, alice.awaitType("pong", WAIT).path("t").asInt());

            assertFalse(bob.frames().stream().anyMatch(f -> f.contains("INVALID_DICE_FORMAT")),
                    "Alice's errors are hers alone");
        }
        try (WsClient carol = connect("Carol")) {
            String join = id();
            carol.send(Map.of("type", "join", "id", join, "code", "NOPE-0000"));
            JsonNode err = carol.awaitType("error", WAIT);
            assertEquals("ROOM_NOT_FOUND", err.path("code").asText());
            assertEquals(join, err.path("ref").asText());
            carol.send(Map.of("type", "create", "id", id(), "game", "chess"));
            assertEquals("UNKNOWN_GAME", carol.awaitType("error", WAIT).path("code").asText());
        }
    }

    @Test
    void aPlayerWhoLeavesStopsReceivingTheRoom() throws Exception {
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Bob")) {
            String session = room(alice, bob)[0];
            bob.send(Map.of("type", "leave", "id", id(), "session", session));
            bob.awaitType("left", WAIT);
            alice.await(m -> "player_left".equals(m.path("body").path("type").asText()), WAIT);
            String rollId = id();
            alice.send(Map.of("type", "action", "id", rollId, "session", session,
                    "body", Map.of("type", "roll", "formula", "1d8")));
            awaitRoll(alice, rollId);
            Thread.sleep(300);
            assertFalse(bob.frames().stream().anyMatch(f -> f.contains(rollId)), "Bob left and must not see new rolls");
        }
    }

    @Test
    void aReconnectingPlayerGetsExactlyTheEventsItMissedOnceAndInOrder() throws Exception {
        try (WsClient alice = connect("Alice")) {
            String bobCookie = platform.guest("Bob");
            String session;
            long lastSeq;
            try (WsClient bob = WsClient.connect(platform.ws(), bobCookie)) {
                bob.send(Map.of("type", "hello", "v", 1));
                bob.awaitType("welcome", WAIT);
                alice.send(Map.of("type", "create", "id", id(), "game", "dice"));
                JsonNode created = alice.awaitType("joined", WAIT);
                session = created.path("session").asText();
                bob.send(Map.of("type", "join", "id", id(), "code", created.path("code").asText()));
                lastSeq = bob.awaitType("joined", WAIT).path("seq").asLong();
            } // Bob's connection drops
            String missed = id();
            alice.send(Map.of("type", "action", "id", missed, "session", session,
                    "body", Map.of("type", "roll", "formula", "1d12")));
            awaitRoll(alice, missed);

            try (WsClient bob = WsClient.connect(platform.ws(), bobCookie)) {
                bob.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", lastSeq)));
                bob.awaitType("welcome", WAIT);
                JsonNode resumed = bob.awaitType("resumed", WAIT);
                assertEquals(lastSeq, resumed.path("seq").asLong(), "the client's view still holds; what it missed follows");
                awaitRoll(bob, missed);
                String after = id();
                alice.send(Map.of("type", "action", "id", after, "session", session,
                        "body", Map.of("type", "roll", "formula", "1d12")));
                JsonNode next = awaitRoll(bob, after);
                // Presences come between: what counts is that every seq after the client's comes once, in order.
                List<Long> seqs = bob.frames().stream().map(f -> Json.tree(f.getBytes(StandardCharsets.UTF_8)))
                        .filter(f -> "event".equals(f.path("type").asText()))
                        .map(f -> f.path("seq").asLong()).toList();
                assertEquals(LongStream.rangeClosed(lastSeq + 1, next.path("seq").asLong()).boxed().toList(), seqs,
                        "events continue gap-free from the client's last, each once");
                assertEquals(1, bob.frames().stream().filter(f -> f.contains("\"type\":\"event\"") && f.contains(missed)).count(),
                        "the missed roll comes once");
                assertFalse(bob.frames().stream().anyMatch(f -> f.contains("\"type\":\"joined\"")), "no fresh view needed");
            }
            // A client without a view (lastSeq 0) gets one.
            try (WsClient bob = WsClient.connect(platform.ws(), bobCookie)) {
                bob.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
                JsonNode view = bob.awaitType("joined", WAIT);
                assertTrue(view.path("view").path("rolls").toString().contains(missed), "the missed roll is in the view");
            }
            try (WsClient stranger = WsClient.connect(platform.ws(), platform.guest("Mallory"))) {
                stranger.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
                assertEquals("NOT_IN_ROOM", stranger.awaitType("error", WAIT).path("code").asText());
            }
        }
    }

    // --- issue 18: roll modes on the wire, chat, the admin passing on ---

    /** Every frame {@code ws} got that mentions {@code needle}. */
    private static List<String> framesWith(WsClient ws, String needle) {
        return ws.frames().stream().filter(f -> f.contains(needle)).toList();
    }

    /** A roll by {@code ws} that everyone sees; once every member has it, every frame before it is in hand. */
    private static void marker(WsClient ws, String session, WsClient... others) throws Exception {
        String marker = id();
        ws.send(Map.of("type", "action", "id", marker, "session", session,
                "body", Map.of("type", "roll", "formula", "1d4")));
        awaitRoll(ws, marker);
        for (WsClient other : others) {
            awaitRoll(other, marker);
        }
    }

    @Test
    void aRollToTheDmOrToOneselfNeverReachesAnotherPlayersSocket() throws Exception {
        try (WsClient dm = connect("Dana"); WsClient bob = connect("Bob"); WsClient carol = connect("Carol")) {
            String[] room = room(dm, bob, "dm-led");
            carol.send(Map.of("type", "join", "id", id(), "code", room[1]));
            carol.awaitType("joined", WAIT);
            String toDmAction = id();
            bob.send(Map.of("type", "action", "id", toDmAction, "session", room[0], "body", Map.of("type", "roll",
                    "formula", "1d20+4", "mode", "dm", "label", "Insight", "advantage", "advantage")));
            JsonNode atBob = awaitRoll(bob, toDmAction).path("body").path("roll");
            assertEquals("dm", atBob.path("mode").asText());
            assertEquals("Insight", atBob.path("label").asText());
            assertEquals("1d20+4", atBob.path("formula").asText());
            assertEquals("advantage", atBob.path("advantage").asText());
            JsonNode atDm = awaitRoll(dm, toDmAction).path("body").path("roll");
            assertEquals(atBob.path("total"), atDm.path("total"), "the DM sees it whole");
            String toDm = atBob.path("id").asText();
            String selfAction = id();
            bob.send(Map.of("type", "action", "id", selfAction, "session", room[0], "body", Map.of("type", "roll",
                    "formula", "3d6", "mode", "self", "label", "Hunch")));
            String self = awaitRoll(bob, selfAction).path("body").path("roll").path("id").asText();
            marker(bob, room[0], dm, carol);

            for (String frame : framesWith(carol, toDm)) {
                assertFalse(frame.contains("\"total\"") || frame.contains("\"terms\"") || frame.contains("\"formula\"")
                        || frame.contains("Insight") || frame.contains("advantage"), "Carol got Bob's roll to the DM: " + frame);
            }
            assertFalse(framesWith(carol, toDm).isEmpty(), "Carol was told that Bob rolled (the check is not vacuous)");
            for (WsClient other : List.of(carol, dm)) {
                for (String frame : framesWith(other, self)) {
                    assertFalse(frame.contains("\"total\"") || frame.contains("Hunch"), "Bob's own roll leaked: " + frame);
                }
            }
            // Nor later: a late joiner's view and a page of history show them redacted.
            try (WsClient eve = connect("Eve")) {
                eve.send(Map.of("type", "join", "id", id(), "code", room[1]));
                JsonNode view = eve.awaitType("joined", WAIT).path("view");
                String history = id();
                eve.send(Map.of("type", "action", "id", history, "session", room[0], "body", Map.of("type", "history")));
                JsonNode page = eve.await(m -> "result".equals(m.path("type").asText())
                        && history.equals(m.path("ref").asText()), WAIT);
                for (String seen : List.of(view.toString(), page.toString())) {
                    assertFalse(seen.contains("Insight") || seen.contains("Hunch"), seen);
                }
                assertTrue(view.toString().contains(toDm), "Eve sees that Bob rolled to the DM");
            }
        }
    }

    @Test
    void chatReachesTheRoomsMembersOnlyAsTheTextTyped() throws Exception {
        String text = "<img src=x onerror=alert(1)> & \"hi\"";
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Bob"); WsClient mallory = connect("Mallory")) {
            String[] room = room(alice, bob);
            mallory.send(Map.of("type", "create", "id", id(), "game", "dice"));
            mallory.awaitType("joined", WAIT); // in a room of her own on the same gateway
            String said = id();
            alice.send(Map.of("type", "action", "id", said, "session", room[0],
                    "body", Map.of("type", "chat", "text", "  " + text + "  ")));
            JsonNode line = bob.await(m -> "chat".equals(m.path("body").path("type").asText()), WAIT).path("body");
            assertEquals(text, line.path("text").asText(), "as typed (trimmed): the client shows it as text");
            assertEquals("Alice", line.path("name").asText());
            assertTrue(line.path("action").asText().endsWith(":" + said));
            alice.await(m -> "accepted".equals(m.path("type").asText()) && said.equals(m.path("id").asText()), WAIT);
            marker(alice, room[0], bob);
            assertTrue(framesWith(mallory, "onerror").isEmpty(), "a non-member gets nothing of it");

            alice.send(Map.of("type", "action", "id", id(), "session", room[0],
                    "body", Map.of("type", "chat", "text", "x".repeat(301))));
            assertEquals("INVALID_CHAT", alice.awaitType("error", WAIT).path("code").asText());
            mallory.send(Map.of("type", "action", "id", id(), "session", room[0],
                    "body", Map.of("type", "chat", "text", "let me in")));
            assertEquals("NOT_IN_ROOM", mallory.awaitType("error", WAIT).path("code").asText());

            String bobId = bob.frames().stream().filter(f -> f.contains("\"welcome\"")).findFirst()
                    .map(f -> Json.read(f, JsonNode.class).path("player").asText()).orElseThrow();
            alice.send(Map.of("type", "action", "id", id(), "session", room[0],
                    "body", Map.of("type", "kick", "player", bobId)));
            bob.awaitType("left", WAIT);
            alice.send(Map.of("type", "action", "id", id(), "session", room[0],
                    "body", Map.of("type", "chat", "text", "after the kick")));
            alice.await(m -> "after the kick".equals(m.path("body").path("text").asText()), WAIT);
            Thread.sleep(300);
            assertTrue(framesWith(bob, "after the kick").isEmpty(), "a kicked player hears no more");
        }
    }

    @Test
    void anOpenRoomHandsItsAdminToTheLongestPresentPlayerWhenItsCreatorLeaves() throws Exception {
        try (WsClient alice = connect("Alice"); WsClient bob = connect("Ana-Maria"); WsClient carol = connect("O'Neil")) {
            String[] room = room(alice, bob);
            carol.send(Map.of("type", "join", "id", id(), "code", room[1]));
            JsonNode carolView = carol.awaitType("joined", WAIT).path("view");
            assertEquals(carolView.path("creator").asText(), carolView.path("admin").asText());
            String bobId = carolView.path("players").get(1).path("id").asText();
            String carolId = carolView.path("players").get(2).path("id").asText();
            assertEquals("O'Neil", carolView.path("players").get(2).path("name").asText());
            for (String online : List.of(bobId, carolId)) { // both online: the longest present wins, not the only one
                alice.await(m -> "presence".equals(m.path("body").path("type").asText())
                        && online.equals(m.path("body").path("player").asText())
                        && m.path("body").path("connected").asBoolean(), WAIT);
            }
            alice.send(Map.of("type", "leave", "id", id(), "session", room[0]));
            JsonNode changed = carol.await(m -> "admin_changed".equals(m.path("body").path("type").asText()), WAIT)
                    .path("body");
            assertEquals(bobId, changed.path("player").asText(), "the longest present");
            assertEquals("left", changed.path("reason").asText());
            String kick = id();
            bob.send(Map.of("type", "action", "id", kick, "session", room[0],
                    "body", Map.of("type", "kick", "player", carolId)));
            bob.await(m -> "accepted".equals(m.path("type").asText()) && kick.equals(m.path("id").asText()), WAIT);
            assertEquals("removed", carol.awaitType("left", WAIT).path("reason").asText(), "the new admin runs the room");
        }
    }
}
