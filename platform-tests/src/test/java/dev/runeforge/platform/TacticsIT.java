package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tactics duel over the WebSocket on the real platform: fought to the end (both sides act before anyone falls),
 * the end says who won and by which roll, and a rematch starts a new duel with the same players in the same session.
 */
class TacticsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Platform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform(Map.of("gateway.rate.burst", "1000", "gateway.rate.refill", "1000"));
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

    private static void act(WsClient ws, String session, Map<String, Object> body) {
        ws.send(Map.of("type", "action", "id", id(), "session", session, "body", body));
    }

    private static String type(JsonNode m) {
        return m.path("body").path("type").asText();
    }

    /**
     * Fights the duel from the turn that has just started until it is won, each side closing in and striking:
     * the host plays the knight, Bob the raider. Returns the {@code encounter_won} event; checks that both units had
     * a turn before either fell.
     */
    private static JsonNode fight(WsClient host, WsClient bob, String session, Map<String, int[]> at, String first)
            throws InterruptedException {
        String turn = first;
        java.util.Set<String> hadATurn = new java.util.HashSet<>();
        for (int turns = 0; turns < 200; turns++) {
            hadATurn.add(turn);
            String enemy = turn.equals("knight") ? "raider" : "knight";
            WsClient ws = turn.equals("knight") ? host : bob;
            int[] me = at.get(turn);
            int[] them = at.get(enemy);
            if (Math.max(Math.abs(me[0] - them[0]), Math.abs(me[1] - them[1])) > 1) {
                int x = them[0] + (me[0] < them[0] ? -1 : 1); // beside it, on its row: the duel's middle row is clear
                act(ws, session, Map.of("type", "move", "x", x, "y", them[1]));
            }
            act(ws, session, Map.of("type", "attack", "target", enemy));
            act(ws, session, Map.of("type", "end_turn"));
            JsonNode next = host.await(m -> {
                if ("moved".equals(type(m))) {
                    JsonNode to = m.path("body").path("to");
                    at.put(m.path("body").path("unit").asText(), new int[] {to.path("x").asInt(), to.path("y").asInt()});
                }
                if ("attacked".equals(type(m)) && m.path("body").path("down").asBoolean()) {
                    assertEquals(2, hadATurn.size(), "someone fell before both sides had a turn: " + m);
                }
                return "turn_started".equals(type(m)) || "encounter_won".equals(type(m));
            }, WAIT);
            if ("encounter_won".equals(type(next))) {
                return next.path("body");
            }
            turn = next.path("body").path("unit").asText();
        }
        throw new AssertionError("the duel did not end within 200 turns");
    }

    private static Map<String, int[]> positions(JsonNode units) {
        Map<String, int[]> at = new HashMap<>();
        units.forEach(u -> at.put(u.path("id").asText(), new int[] {u.path("x").asInt(), u.path("y").asInt()}));
        return at;
    }

    @Test
    void aFinishedDuelSaysWhoWonAndARematchStartsANewDuelWithTheSamePlayers() throws Exception {
        try (WsClient alice = platform.player("Alice"); WsClient bob = platform.player("Bob")) {
            alice.send(Map.of("type", "create", "id", id(), "game", "tactics",
                    "settings", Map.of("scenario", "duel", "turnSeconds", 0)));
            JsonNode created = alice.awaitType("joined", WAIT);
            String session = created.path("session").asText();
            bob.send(Map.of("type", "join", "id", id(), "code", created.path("code").asText()));
            JsonNode bobView = bob.awaitType("joined", WAIT).path("view");
            String bobId = bobView.path("players").get(1).path("id").asText();
            assertTrue(bobView.path("units").findValues("hp").stream().allMatch(hp -> hp.asInt() == 16),
                    "the duel's fighters have 16 hit points: " + bobView.path("units"));
            act(bob, session, Map.of("type", "claim", "unit", "raider"));
            alice.await(m -> "unit_assigned".equals(type(m)), WAIT);
            act(alice, session, Map.of("type", "start"));
            JsonNode first = alice.await(m -> "turn_started".equals(type(m)), WAIT);

            JsonNode won = fight(alice, bob, session, positions(bobView.path("units")),
                    first.path("body").path("unit").asText());
            JsonNode decisive = won.path("decisive");
            String winner = won.path("side").asText();
            assertEquals(winner.equals("blue") ? "knight" : "raider", decisive.path("unit").asText());
            assertTrue(decisive.path("damage").asInt() > 0 && decisive.path("roll").asInt() >= 1, won.toString());
            assertEquals(decisive.path("roll").asInt() + 6, decisive.path("total").asInt(), "d20 + 6");

            // The loser asks for the rematch as readily as the winner: here, whoever Bob is.
            act(bob, session, Map.of("type", "rematch"));
            Map<String, int[]> start = null;
            String current = null;
            for (WsClient ws : new WsClient[] {alice, bob}) {
                JsonNode reset = ws.await(m -> "encounter_reset".equals(type(m)), WAIT).path("body");
                assertEquals(2, reset.path("encounter").asInt());
                for (JsonNode u : reset.path("units")) {
                    assertEquals(16, u.path("hp").asInt(), "back at full hit points: " + u);
                }
                JsonNode raider = reset.path("units").findParents("id").stream()
                        .filter(u -> "raider".equals(u.path("id").asText())).findFirst().orElseThrow();
                assertEquals(bobId, raider.path("owner").asText(), "the same players");
                assertEquals(5, raider.path("x").asInt(), "where it started");
                start = positions(reset.path("units"));
                current = ws.await(m -> "turn_started".equals(type(m)), WAIT).path("body").path("unit").asText();
            }
            // Someone joining now finds a new duel under way with the same two players in it.
            try (WsClient carol = platform.player("Carol")) {
                carol.send(Map.of("type", "join", "id", id(), "code", created.path("code").asText()));
                JsonNode view = carol.awaitType("joined", WAIT).path("view");
                assertEquals("battle", view.path("phase").asText());
                assertEquals(2, view.path("encounter").asInt());
                assertEquals(java.util.List.of("Alice", "Bob", "Carol"),
                        view.path("players").findValuesAsText("name"));
                assertTrue(view.path("result").isMissingNode() || view.path("result").isNull(), view.toString());
            }
            // And it is fought to a second end in the same session.
            JsonNode again = fight(alice, bob, session, start, current);
            assertTrue(again.has("decisive"), again.toString());
        }
    }
}
