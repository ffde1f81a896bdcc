package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.WsClient;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST surface against the real platform (NATS, PostgreSQL, auth, persistence, a game instance): saves kept
 * by persistence-service, sessions created and joined through the action path, version, and who the caller is.
 * Everything the session directory branch adds (summaries, END, sessions.mine, stats, replay) is
 * {@code SessionsDirectoryIT}.
 */
class RestApiIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Platform platform;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        platform = new Platform(Map.of("game.dice.max.players", "3"));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static HttpResponse<String> call(String method, String path, String cookie, String body) throws Exception {
        return call(method, path, cookie, body, "application/json");
    }

    static HttpResponse<String> call(String method, String path, String cookie, String body, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(platform.http(path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (body != null) {
            if (type != null) {
                b.header("Content-Type", type);
            }
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> res) {
        return Json.tree(res.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static void assertError(HttpResponse<String> res, int status, String code) {
        assertEquals(status, res.statusCode(), res.body());
        assertEquals(code, json(res).path("code").asText(), res.body());
        assertFalse(json(res).path("message").asText().isBlank(), res.body());
    }

    static String save(String name, String game, Object data) {
        return Json.text(Map.of("name", name, "game", game, "data", data));
    }

    @Test
    void savesAreKeptPerPlayerAndSomeoneElsesSlotDoesNotExist() throws Exception {
        String alice = platform.guest("Alice");
        String bob = platform.guest("Bob");
        HttpResponse<String> created = call("POST", "/api/saves", alice, save("Goblin ambush", "dice", Map.of("mode", "dm-led")));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(1, json(created).path("slot").asInt());
        assertEquals("/api/saves/1", created.headers().firstValue("Location").orElseThrow());
        assertFalse(json(created).has("data"));

        HttpResponse<String> list = call("GET", "/api/saves", alice, null);
        assertEquals(200, list.statusCode(), list.body());
        JsonNode saves = json(list).path("saves");
        assertEquals(1, saves.size());
        assertEquals("Goblin ambush", saves.get(0).path("name").asText());
        assertEquals("dice", saves.get(0).path("game").asText());
        assertFalse(saves.get(0).has("data"), "listings carry no data");
        assertTrue(saves.get(0).path("created").asLong() > 0);

        HttpResponse<String> one = call("GET", "/api/saves/1", alice, null);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals("dm-led", json(one).path("data").path("mode").asText());

        HttpResponse<String> replaced = call("PUT", "/api/saves/1", alice, save("Goblin ambush II", "dice", Map.of("mode", "open")));
        assertEquals(200, replaced.statusCode(), replaced.body());
        assertEquals("Goblin ambush II", json(replaced).path("name").asText());
        assertTrue(json(replaced).path("updated").asLong() > json(replaced).path("created").asLong());
        assertEquals(201, call("PUT", "/api/saves/5", alice, save("Slot five", "dice", Map.of())).statusCode());

        // Bob cannot see, replace or delete Alice's slot 1: his slot 1 is his own, and empty.
        assertError(call("GET", "/api/saves/1", bob, null), 404, "NOT_FOUND");
        assertError(call("DELETE", "/api/saves/1", bob, null), 404, "NOT_FOUND");
        assertEquals(201, call("PUT", "/api/saves/1", bob, save("Bob's", "dice", Map.of("mode", "open"))).statusCode());
        assertEquals("Goblin ambush II", json(call("GET", "/api/saves/1", alice, null)).path("name").asText());
        assertEquals(1, json(call("GET", "/api/saves", bob, null)).path("saves").size());
        assertFalse(call("GET", "/api/saves", bob, null).body().contains("Goblin"));

        // persistence answers saves.get and permalink.get side by side (one service, two endpoints named "get").
        assertError(call("GET", "/api/permalink/AAAAAAAAAAAAAAAA", null, null), 404, "PERMALINK_NOT_FOUND");

        assertEquals(204, call("DELETE", "/api/saves/5", alice, null).statusCode());
        assertError(call("GET", "/api/saves/5", alice, null), 404, "NOT_FOUND");
        assertError(call("DELETE", "/api/saves/5", alice, null), 404, "NOT_FOUND");
    }

    @Test
    void theEleventhSaveIsRefusedAndAFreedSlotIsTakenAgain() throws Exception {
        String carol = platform.guest("Carol");
        Set<Integer> slots = new HashSet<>();
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> res = call("POST", "/api/saves", carol, save("Save " + i, "dice", Map.of("n", i)));
            assertEquals(201, res.statusCode(), res.body());
            slots.add(json(res).path("slot").asInt());
        }
        assertEquals(10, slots.size());
        assertError(call("POST", "/api/saves", carol, save("Eleventh", "dice", Map.of())), 409, "SAVES_FULL");
        assertEquals(10, json(call("GET", "/api/saves", carol, null)).path("saves").size());
        assertEquals(200, call("PUT", "/api/saves/4", carol, save("Overwritten", "dice", Map.of())).statusCode());
        assertEquals(204, call("DELETE", "/api/saves/7", carol, null).statusCode());
        HttpResponse<String> again = call("POST", "/api/saves", carol, save("Into the gap", "dice", Map.of()));
        assertEquals(201, again.statusCode(), again.body());
        assertEquals(7, json(again).path("slot").asInt());
    }

    @Test
    void concurrentSavesOfOnePlayerNeverShareASlot() throws Exception {
        String gina = platform.guest("Gina");
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(HTTP.sendAsync(HttpRequest.newBuilder(platform.http("/api/saves"))
                    .header("Cookie", gina).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(save("Race " + i, "dice", Map.of("i", i)))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<Integer> slots = new HashSet<>();
        int full = 0;
        for (var call : calls) {
            HttpResponse<String> res = call.get();
            if (res.statusCode() == 201) {
                assertTrue(slots.add(json(res).path("slot").asInt()), "slot given twice: " + res.body());
            } else {
                assertError(res, 409, "SAVES_FULL");
                full++;
            }
        }
        assertEquals(10, slots.size());
        assertEquals(2, full);
    }

    @Test
    void badSaveRequestsAreRefusedWithAClearTypedMessage() throws Exception {
        String dave = platform.guest("Dave");
        for (String slot : new String[]{"0", "11", "abc", "-1"}) {
            assertError(call("GET", "/api/saves/" + slot, dave, null), 400, "BAD_MESSAGE");
        }
        assertError(call("POST", "/api/saves", dave, save("", "dice", Map.of())), 400, "BAD_MESSAGE");
        assertError(call("POST", "/api/saves", dave, save("x".repeat(65), "dice", Map.of())), 400, "BAD_MESSAGE");
        assertError(call("POST", "/api/saves", dave, save("Chess", "chess", Map.of())), 400, "UNKNOWN_GAME");
        assertError(call("POST", "/api/saves", dave, Json.text(Map.of("name", "n", "game", "dice", "data", "text"))), 400, "BAD_MESSAGE");
        assertError(call("POST", "/api/saves", dave, Json.text(Map.of("name", "n", "game", "dice"))), 400, "BAD_MESSAGE");
        HttpResponse<String> malformed = call("POST", "/api/saves", dave, "{\"name\": \"n\", \"game\": ");
        assertError(malformed, 400, "BAD_MESSAGE");
        assertTrue(json(malformed).path("message").asText().startsWith("malformed JSON"), malformed.body());
        assertError(call("POST", "/api/saves", dave, save("n", "dice", Map.of()), "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE");
        String big = save("Big", "dice", Map.of("blob", "x".repeat(257 * 1024)));
        assertError(call("POST", "/api/saves", dave, big), 413, "BODY_TOO_LARGE");
        assertError(call("PUT", "/api/saves/2", dave, big), 413, "BODY_TOO_LARGE");
        assertEquals(0, json(call("GET", "/api/saves", dave, null)).path("saves").size(), "nothing refused was stored");

        for (String[] route : new String[][]{{"GET", "/api/saves"}, {"POST", "/api/saves"}, {"GET", "/api/saves/1"},
                {"PUT", "/api/saves/1"}, {"DELETE", "/api/saves/1"}, {"POST", "/api/sessions"},
                {"GET", "/api/sessions?mine=true"}, {"GET", "/api/players/me"}, {"POST", "/api/sessions/x/join"}}) {
            String body = route[0].equals("POST") || route[0].equals("PUT") ? save("n", "dice", Map.of()) : null;
            assertError(call(route[0], route[1], null, body), 401, "UNAUTHORIZED");
            assertError(call(route[0], route[1], "rf_token=not-a-token", body), 401, "UNAUTHORIZED");
        }
    }

    @Test
    void aSessionCreatedOverRestIsARealRoomOthersJoinByRestOrByCode() throws Exception {
        String alice = platform.guest("Alice");
        HttpResponse<String> created = call("POST", "/api/sessions", alice,
                Json.text(Map.of("game", "dice", "settings", Map.of("mode", "dm-led"))));
        assertEquals(201, created.statusCode(), created.body());
        String session = json(created).path("session").asText();
        String code = json(created).path("code").asText();
        assertTrue(code.matches("[A-Z]{2,12}-[A-Z]{2,12}-\\d{4}"), created.body());
        assertEquals("dice", json(created).path("game").asText());
        assertEquals("/api/sessions/" + session, created.headers().firstValue("Location").orElseThrow());

        String bob = platform.guest("Bob");
        HttpResponse<String> joined = call("POST", "/api/sessions/" + session + "/join", bob, null);
        assertEquals(200, joined.statusCode(), joined.body());
        assertEquals(session, json(joined).path("session").asText());
        assertEquals(code, json(joined).path("code").asText());
        assertEquals(200, call("POST", "/api/sessions/" + session + "/join", bob, null).statusCode(), "joining again is fine");

        // Carol joins the same room by its code over the WebSocket: the settings reached the game.
        try (WsClient carol = platform.player("Carol")) {
            carol.send(Map.of("type", "join", "id", UUID.randomUUID().toString(), "code", code));
            JsonNode view = carol.awaitType("joined", WAIT).path("view");
            assertEquals("dm-led", view.path("mode").asText());
            assertEquals(3, view.path("players").size(), view.toString());
        }

        // The room holds 3 here: a fourth is refused by the game, with the game's code.
        assertError(call("POST", "/api/sessions/" + session + "/join", platform.guest("Dave"), null), 409, "ROOM_FULL");
        assertError(call("POST", "/api/sessions/nosuchsession0/join", bob, null), 404, "ROOM_NOT_FOUND");
        assertError(call("POST", "/api/sessions", alice, Json.text(Map.of("game", "chess"))), 400, "UNKNOWN_GAME");
        assertError(call("POST", "/api/sessions", alice, "{\"game\":"), 400, "BAD_MESSAGE");
        assertError(call("GET", "/api/sessions", alice, null), 400, "BAD_MESSAGE");
    }

    @Test
    void aCreateRetriedWithItsIdempotencyKeyOpensOneRoom() throws Exception {
        String alice = platform.guest("Alice");
        String key = UUID.randomUUID().toString();
        List<HttpResponse<String>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            answers.add(HTTP.send(HttpRequest.newBuilder(platform.http("/api/sessions")).header("Cookie", alice)
                    .header("Content-Type", "application/json").header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"game\":\"dice\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals(201, answers.get(i).statusCode(), answers.get(i).body());
        }
        assertEquals(json(answers.get(0)).path("session"), json(answers.get(1)).path("session"));
        assertEquals(json(answers.get(0)).path("code"), json(answers.get(1)).path("code"));
        try (WsClient bob = platform.player("Bob")) {
            bob.send(Map.of("type", "join", "id", UUID.randomUUID().toString(), "code", json(answers.get(0)).path("code").asText()));
            JsonNode view = bob.awaitType("joined", WAIT).path("view");
            assertEquals(2, view.path("players").size(), "one room, created once: " + view);
        }
    }

    @Test
    void aSaveLoadsIntoANewSessionOnlyForItsOwner() throws Exception {
        String alice = platform.guest("Alice");
        HttpResponse<String> saved = call("POST", "/api/saves", alice, save("DM night", "dice", Map.of("mode", "dm-led")));
        int slot = json(saved).path("slot").asInt();
        HttpResponse<String> created = call("POST", "/api/sessions", alice, Json.text(Map.of("save", slot)));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("dice", json(created).path("game").asText());
        try (WsClient bob = platform.player("Bob")) {
            bob.send(Map.of("type", "join", "id", UUID.randomUUID().toString(), "code", json(created).path("code").asText()));
            assertEquals("dm-led", bob.awaitType("joined", WAIT).path("view").path("mode").asText());
        }
        // Erin has no save in that slot: the same request is a 404 for her, and no session is made.
        assertError(call("POST", "/api/sessions", platform.guest("Erin"), Json.text(Map.of("save", slot))), 404, "NOT_FOUND");
        // A save whose data the game refuses is the game's refusal.
        HttpResponse<String> bad = call("POST", "/api/saves", alice, save("Broken", "dice", Map.of("mode", "chaos")));
        assertError(call("POST", "/api/sessions", alice, Json.text(Map.of("save", json(bad).path("slot").asInt()))),
                400, "INVALID_ACTION");
    }

    @Test
    void aKickedPlayerCannotRejoinOverRest() throws Exception {
        String alice = platform.guest("Alice");
        String bob = platform.guest("Bob");
        String session = json(call("POST", "/api/sessions", alice, Json.text(Map.of("game", "dice")))).path("session").asText();
        assertEquals(200, call("POST", "/api/sessions/" + session + "/join", bob, null).statusCode());
        try (WsClient admin = WsClient.connect(platform.ws(), alice)) {
            admin.send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", 0)));
            JsonNode view = admin.awaitType("joined", WAIT).path("view");
            String bobId = view.path("players").get(1).path("id").asText();
            String kick = UUID.randomUUID().toString();
            admin.send(Map.of("type", "action", "id", kick, "session", session, "body", Map.of("type", "kick", "player", bobId)));
            admin.await(m -> "accepted".equals(m.path("type").asText()) && kick.equals(m.path("id").asText()), WAIT);
        }
        assertError(call("POST", "/api/sessions/" + session + "/join", bob, null), 403, "KICKED");
    }

    @Test
    void theAnswerToARestCallNeverReachesThePlayersSockets() throws Exception {
        String alice = platform.guest("Alice");
        try (WsClient ws = WsClient.connect(platform.ws(), alice)) {
            ws.send(Map.of("type", "hello", "v", 1));
            ws.awaitType("welcome", WAIT);
            ws.send(Map.of("type", "create", "id", UUID.randomUUID().toString(), "game", "dice", "settings", Map.of()));
            String session = ws.awaitType("joined", WAIT).path("session").asText();
            // The same player joins again over REST while her socket shows the room.
            assertEquals(200, call("POST", "/api/sessions/" + session + "/join", alice, null).statusCode());
            ws.send(Map.of("type", "ping", "t", 7));
            ws.awaitType("pong", WAIT);
            long restAnswers = ws.frames().stream().filter(f -> f.contains("\"rest-")).count();
            assertEquals(0, restAnswers, "frames: " + ws.frames());
            assertEquals(1, ws.frames().stream().filter(f -> f.contains("\"joined\"")).count(), "frames: " + ws.frames());
        }
    }

    /**
     * The directory reader against a real {@code <ns>-sessions} bucket: here the test writes the summary the way a
     * game instance does (JSON of {@code SessionSummary}, key = session id), since on this branch none does yet.
     */
    @Test
    void theSessionDirectoryIsReadFromKvAndShowsASessionOnlyToItsMembers() throws Exception {
        String alice = platform.guest("Alice");
        String bob = platform.guest("Bob");
        String mallory = platform.guest("Mallory");
        String aliceId = json(call("GET", "/api/players/me", alice, null)).path("id").asText();
        String bobId = json(call("GET", "/api/players/me", bob, null)).path("id").asText();
        String malloryId = json(call("GET", "/api/players/me", mallory, null)).path("id").asText();
        String session = UUID.randomUUID().toString().replace("-", "");
        Subjects subjects = new Subjects(platform.namespace);
        try (Connection nc = TestNats.connect()) {
            KeyValue kv = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder()
                    .name(subjects.sessionsBucket()).storageType(StorageType.Memory).maxHistoryPerKey(1).build());
            kv.put(session, Json.bytes(new SessionSummary(session, "dice", "OWL-4242", aliceId,
                    List.of(new SessionSummary.Member(aliceId, "Alice"), new SessionSummary.Member(bobId, "Bob")),
                    List.of(malloryId), false, 5, System.currentTimeMillis())));
        }
        HttpResponse<String> seen = call("GET", "/api/sessions/" + session, bob, null);
        assertEquals(200, seen.statusCode(), seen.body());
        assertEquals("OWL-4242", json(seen).path("code").asText());
        assertEquals(aliceId, json(seen).path("host").asText());
        assertEquals("Bob", json(seen).path("members").get(1).path("name").asText());
        assertFalse(json(seen).path("closed").asBoolean());
        String unknown = call("GET", "/api/sessions/" + UUID.randomUUID().toString().replace("-", ""), bob, null).body();
        for (String outsider : List.of(platform.guest("Carol"), mallory)) {
            HttpResponse<String> res = call("GET", "/api/sessions/" + session, outsider, null);
            assertError(res, 404, "NOT_FOUND");
            assertEquals(unknown, res.body(), "no hint that it exists");
            assertError(call("DELETE", "/api/sessions/" + session, outsider, null), 404, "NOT_FOUND");
        }
        assertError(call("DELETE", "/api/sessions/" + session, bob, null), 403, "FORBIDDEN");
    }

    @Test
    void versionIsPublicAndMeNamesTheCallerByCookieOrBearer() throws Exception {
        HttpResponse<String> version = call("GET", "/api/version", null, null);
        assertEquals(200, version.statusCode(), version.body());
        assertTrue(json(version).path("version").asText().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version.body());
        assertFalse(json(version).path("build").asText().isBlank());

        assertError(call("GET", "/api/nothing/here", null, null), 404, "NOT_FOUND");
        assertError(call("PATCH", "/api/saves/1", platform.guest("Hal"), "{}"), 404, "NOT_FOUND");
        assertError(call("GET", "/api/auth/me", null, null), 401, "UNAUTHORIZED");

        String cookie = platform.guest("Frida");
        HttpResponse<String> me = call("GET", "/api/players/me", cookie, null);
        assertEquals(200, me.statusCode(), me.body());
        JsonNode body = json(me);
        assertTrue(body.path("id").asText().startsWith("g-"), me.body());
        assertEquals("Frida", body.path("name").asText());
        assertEquals("guest", body.path("roles").get(0).asText());
        assertTrue(body.has("stats"), me.body());

        String token = cookie.substring(cookie.indexOf('=') + 1);
        HttpResponse<String> bearer = HTTP.send(HttpRequest.newBuilder(platform.http("/api/players/me"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, bearer.statusCode(), bearer.body());
        assertEquals(body.path("id").asText(), json(bearer).path("id").asText());
    }
}
