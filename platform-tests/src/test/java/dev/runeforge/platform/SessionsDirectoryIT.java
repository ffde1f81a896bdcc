package dev.runeforge.platform;

import static dev.runeforge.platform.RestApiIT.assertError;
import static dev.runeforge.platform.RestApiIT.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.WsClient;
import org.junit.jupiter.api.Test;

/**
 * The REST routes that read what the session back end provides, end to end on the real platform: the session
 * summaries game instances write to the {@code <ns>-sessions} KV bucket, ending a session (action kind END),
 * {@code <ns>.db.sessions.mine}, {@code <ns>.db.stats.get} and {@code <ns>.game.replay}.
 *
 * <p>Needs the sessions branch (the game-agnostic session back end): on the REST branch alone nothing writes the
 * summaries or serves those subjects, and this test fails. It is meant to pass once both are merged; the
 * behaviour of the routes themselves is pinned with fakes in {@code SessionRouteTest} and {@code PlayerRouteTest}.
 */
class SessionsDirectoryIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newHttpClient();
    private Platform platform;

    private HttpResponse<String> call(String method, String path, String cookie, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(platform.http(path)).header("Cookie", cookie);
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Summaries and projections follow the commit: ask until the answer says what is expected. */
    private HttpResponse<String> until(String method, String path, String cookie, Predicate<HttpResponse<String>> done)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> res = call(method, path, cookie, null);
        while (!done.test(res) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            res = call(method, path, cookie, null);
        }
        return res;
    }

    private String playerId(String cookie) throws Exception {
        return json(call("GET", "/api/players/me", cookie, null)).path("id").asText();
    }

    @Test
    void membersSeeTheSessionTheHostEndsItAndOthersNeverSeeIt() throws Exception {
        try (Platform p = new Platform()) {
            platform = p;
            String alice = p.guest("Alice");
            String bob = p.guest("Bob");
            String carol = p.guest("Carol");
            String dave = p.guest("Dave");
            String aliceId = playerId(alice);
            String bobId = playerId(bob);

            JsonNode created = json(call("POST", "/api/sessions", alice, Json.text(Map.of("game", "dice"))));
            String session = created.path("session").asText();
            String path = "/api/sessions/" + session;
            assertEquals(200, call("POST", path + "/join", bob, null).statusCode());
            assertEquals(200, call("POST", path + "/join", dave, null).statusCode());

            HttpResponse<String> seen = until("GET", path, alice, r -> r.statusCode() == 200 && json(r).path("members").size() == 3);
            assertEquals(200, seen.statusCode(), seen.body());
            JsonNode view = json(seen);
            assertEquals(session, view.path("session").asText());
            assertEquals("dice", view.path("game").asText());
            assertEquals(created.path("code").asText(), view.path("code").asText());
            assertEquals(aliceId, view.path("host").asText());
            assertEquals("Alice", view.path("members").get(0).path("name").asText());
            assertEquals(bobId, view.path("members").get(1).path("id").asText());
            assertFalse(view.path("closed").asBoolean());
            assertEquals(200, call("GET", path, bob, null).statusCode());

            // Carol is not in it: the same 404 as for a session that never was.
            HttpResponse<String> stranger = call("GET", path, carol, null);
            assertError(stranger, 404, "NOT_FOUND");
            assertEquals(call("GET", "/api/sessions/nosuchsession0", carol, null).body(), stranger.body());
            assertError(call("DELETE", path, carol, null), 404, "NOT_FOUND");
            assertError(call("DELETE", path, dave, null), 403, "FORBIDDEN");

            // Alice rolls (for her statistics), then removes Bob: he is barred and the session is gone for him.
            try (WsClient ws = WsClient.connect(p.ws(), alice)) {
                ws.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
                ws.awaitType("joined", WAIT);
                String roll = UUID.randomUUID().toString();
                ws.send(Map.of("type", "action", "id", roll, "session", session, "body", Map.of("type", "roll", "formula", "1d20")));
                ws.await(m -> "accepted".equals(m.path("type").asText()) && roll.equals(m.path("id").asText()), WAIT);
                String kick = UUID.randomUUID().toString();
                ws.send(Map.of("type", "action", "id", kick, "session", session, "body", Map.of("type", "kick", "player", bobId)));
                ws.await(m -> "accepted".equals(m.path("type").asText()) && kick.equals(m.path("id").asText()), WAIT);
            }
            assertError(until("GET", path, bob, r -> r.statusCode() == 404), 404, "NOT_FOUND");
            assertError(call("POST", path + "/join", bob, null), 403, "KICKED");

            HttpResponse<String> mine = until("GET", "/api/sessions?mine=true", alice,
                    r -> r.statusCode() == 200 && r.body().contains(session));
            assertEquals(200, mine.statusCode(), mine.body());
            assertTrue(mine.body().contains(session), mine.body());
            assertFalse(call("GET", "/api/sessions?mine=true", carol, null).body().contains(session));

            HttpResponse<String> replay = call("GET", path + "/replay", alice, null);
            assertEquals(200, replay.statusCode(), replay.body());
            assertEquals(session, json(replay).path("session").asText());
            JsonNode steps = json(replay).path("steps");
            assertTrue(steps.size() >= 3, replay.body());
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(steps.get(i).path("seq").asLong() > steps.get(i - 1).path("seq").asLong(), replay.body());
            }
            int refused = call("GET", path + "/replay", carol, null).statusCode();
            assertTrue(refused == 403 || refused == 404, "a stranger gets no replay: " + refused);

            HttpResponse<String> me = until("GET", "/api/players/me", alice,
                    r -> json(r).path("stats").path("rolls").asLong() >= 1);
            assertEquals(1, json(me).path("stats").path("rolls").asLong(), me.body());
            assertTrue(json(me).path("stats").has("natural_20s") && json(me).path("stats").has("encounters_won"), me.body());

            assertEquals(204, call("DELETE", path, alice, null).statusCode());
            HttpResponse<String> ended = until("GET", path, alice, r -> json(r).path("closed").asBoolean());
            assertTrue(json(ended).path("closed").asBoolean(), ended.body());
            assertEquals(204, call("DELETE", path, alice, null).statusCode(), "ending an ended session is done");
        }
    }
}
