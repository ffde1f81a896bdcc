package dev.runeforge.gateway.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.gateway.rest.FakeRequests;
import dev.runeforge.gateway.rest.RestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/players/me} with a fake of persistence's statistics. */
class PlayerRouteTest {
    private static final Subjects SUBJECTS = new Subjects("rf");
    private final FakeRequests requests = new FakeRequests();
    private final RestHarness http = new RestHarness(new PlayerRoutes(RestHarness.api(), requests, SUBJECTS)::register);

    @AfterEach
    void stop() {
        http.close();
    }

    @Test
    void meIsTheTokensIdentityWithTheCallersStatistics() throws Exception {
        requests.on(SUBJECTS.dbStatsGet(), req -> req.path("player").asText().equals("alice")
                ? Map.of("rolls", 42, "natural_20s", 3, "encounters_won", 2)
                : Map.of("rolls", 0, "natural_20s", 0, "encounters_won", 0));
        HttpResponse<String> res = http.send("GET", "/api/players/me", "alice", null);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode body = RestHarness.json(res);
        assertEquals("alice", body.path("id").asText());
        assertEquals("Name of alice", body.path("name").asText());
        assertEquals("guest", body.path("roles").get(0).asText());
        assertEquals(42, body.path("stats").path("rolls").asLong());
        assertEquals(3, body.path("stats").path("natural_20s").asLong());
        assertEquals(2, body.path("stats").path("encounters_won").asLong());
        assertEquals("alice", requests.sent.getLast().body().path("player").asText());
    }

    @Test
    void statisticsThatCannotBeReadLeaveTheIdentityStanding() throws Exception {
        HttpResponse<String> res = http.send("GET", "/api/players/me", "alice", null);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode body = RestHarness.json(res);
        assertEquals("alice", body.path("id").asText());
        assertTrue(body.path("stats").isNull(), res.body());
    }

    @Test
    void meNeedsASignedInCaller() throws Exception {
        HttpResponse<String> res = http.send("GET", "/api/players/me", null, null);
        assertEquals(401, res.statusCode());
        assertEquals("UNAUTHORIZED", RestHarness.json(res).path("code").asText());
        assertTrue(requests.sent.isEmpty());
    }
}
