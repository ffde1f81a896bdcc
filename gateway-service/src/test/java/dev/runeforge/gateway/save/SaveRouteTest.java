package dev.runeforge.gateway.save;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.save.Saves;
import dev.runeforge.gateway.rest.FakeRequests;
import dev.runeforge.gateway.rest.RestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /api/saves} with a fake of persistence: what is asked of it, and how its answers and refusals read. */
class SaveRouteTest {
    private static final Subjects SUBJECTS = new Subjects("rf");
    private final FakeRequests requests = new FakeRequests();
    private final RestHarness http = new RestHarness(
            new SaveRoutes(RestHarness.api(), requests, SUBJECTS, () -> Set.of("dice", "tactics"))::register);

    @AfterEach
    void stop() {
        http.close();
    }

    private static String body(String name, String game) {
        return Json.text(Map.of("name", name, "game", game, "data", Map.of("map", "forest")));
    }

    @Test
    void everyRequestNamesTheCallerAsTheOwner() throws Exception {
        requests.on(SUBJECTS.dbSavesList(), req -> new Saves.Listing(java.util.List.of()))
                .on(SUBJECTS.dbSavesGet(), req -> new Saves.Save(req.path("slot").asInt(), "n", "tactics",
                        Json.tree(Map.of("map", "forest")), 1, 1))
                .on(SUBJECTS.dbSavesPut(), req -> new Saves.Save(req.path("slot").isInt() ? req.path("slot").asInt() : 1,
                        req.path("name").asText(), req.path("game").asText(), null, 5, 5))
                .on(SUBJECTS.dbSavesDelete(), req -> Map.of());
        assertEquals(200, http.send("GET", "/api/saves", "alice", null).statusCode());
        assertEquals(200, http.send("GET", "/api/saves/2", "alice", null).statusCode());
        assertEquals(201, http.send("POST", "/api/saves", "alice", body("Ambush", "tactics")).statusCode());
        assertEquals(201, http.send("PUT", "/api/saves/4", "alice", body("Ambush", "tactics")).statusCode());
        assertEquals(204, http.send("DELETE", "/api/saves/4", "alice", null).statusCode());
        assertEquals(5, requests.sent.size());
        requests.sent.forEach(s -> assertEquals("alice", s.body().path("player").asText(), s.toString()));
        JsonNode post = requests.sent.get(2).body();
        assertFalse(post.has("slot"), "POST asks for the first free slot");
        assertEquals("forest", post.path("data").path("map").asText());
        assertEquals(4, requests.sent.get(3).body().path("slot").asInt());
    }

    @Test
    void replacingASlotIs200AndCreatingIt201() throws Exception {
        requests.on(SUBJECTS.dbSavesPut(), req -> new Saves.Save(3, "n", "dice", null, 1000, 2000));
        HttpResponse<String> res = http.send("PUT", "/api/saves/3", "alice", body("n", "dice"));
        assertEquals(200, res.statusCode(), res.body());
        assertFalse(RestHarness.json(res).has("data"));
    }

    @Test
    void persistencesRefusalsKeepTheirCodes() throws Exception {
        requests.on(SUBJECTS.dbSavesPut(), req -> {
            throw new RpcException(ErrorCodes.SAVES_FULL, "all 10 save slots are used; delete or overwrite one");
        }).on(SUBJECTS.dbSavesGet(), req -> {
            throw new RpcException(ErrorCodes.NOT_FOUND, "no save in slot 9");
        });
        HttpResponse<String> full = http.send("POST", "/api/saves", "alice", body("n", "dice"));
        assertEquals(409, full.statusCode());
        assertEquals("SAVES_FULL", RestHarness.json(full).path("code").asText());
        HttpResponse<String> missing = http.send("GET", "/api/saves/9", "alice", null);
        assertEquals(404, missing.statusCode());
        assertEquals("NOT_FOUND", RestHarness.json(missing).path("code").asText());
        HttpResponse<String> down = http.send("GET", "/api/saves", "alice", null);
        assertEquals(503, down.statusCode());
        assertEquals("UNAVAILABLE", RestHarness.json(down).path("code").asText());
        assertFalse(down.body().contains("rf.db"), "no subject names in answers: " + down.body());
    }

    @Test
    void invalidSavesNeverReachPersistence() throws Exception {
        assertEquals(400, http.send("POST", "/api/saves", "alice", body("n", "chess")).statusCode());
        assertEquals(400, http.send("PUT", "/api/saves/11", "alice", body("n", "dice")).statusCode());
        assertEquals(400, http.send("POST", "/api/saves", "alice", "{\"name\":\"n\",\"game\":\"dice\"}").statusCode());
        assertEquals(413, http.send("POST", "/api/saves", "alice",
                Json.text(Map.of("name", "n", "game", "dice", "data", Map.of("x", "y".repeat(Saves.MAX_DATA_BYTES))))).statusCode());
        assertEquals(401, http.send("GET", "/api/saves", null, null).statusCode());
        assertTrue(requests.sent.isEmpty());
    }
}
