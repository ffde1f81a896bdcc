package dev.runeforge.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.save.Saves;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.connection.AddressLimiter;
import dev.runeforge.gateway.rest.FakeRequests;
import dev.runeforge.gateway.rest.RestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/sessions} over in-memory HTTP, with fakes of its ports: the action path ({@link SessionActions}),
 * the session directory and the request-reply services. What a caller sees for every route, including sessions
 * that are not theirs.
 */
class SessionRouteTest {
    private static final Subjects SUBJECTS = new Subjects("rf");
    private static final String S1 = "s1abc";

    /** The action path: records what was sent, answers as told. */
    static final class FakeActions implements SessionActions {
        record Sent(String id, BusAction.Kind kind, String session, String player, String device, String game,
                    JsonNode body) {
        }

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        volatile Function<Sent, Answer> answer = s -> new Answer.Accepted(s.session(), "WOLF-1234",
                s.game() == null ? "dice" : s.game());
        volatile Unanswered failure;

        @Override
        public Answer send(String id, BusAction.Kind kind, String session, Principal who, String device,
                           String game, JsonNode body) throws Unanswered {
            Sent s = new Sent(id, kind, session, who.player(), device, game, body);
            sent.add(s);
            if (failure != null) {
                throw failure;
            }
            return answer.apply(s);
        }
    }

    static final class FakeDirectory implements SessionsBucket.Reader {
        final Map<String, SessionSummary> summaries = new ConcurrentHashMap<>();
        volatile boolean down;

        @Override
        public Optional<SessionSummary> find(String session) throws IOException {
            if (down) {
                throw new IOException("KV unreachable");
            }
            return Optional.ofNullable(summaries.get(session));
        }
    }

    private final FakeActions actions = new FakeActions();
    private final FakeDirectory directory = new FakeDirectory();
    private final FakeRequests requests = new FakeRequests();
    private RestHarness http = harness(10_000, 10_000);

    private RestHarness harness(int roomBurst) {
        return harness(roomBurst, 10_000);
    }

    private RestHarness harness(int roomBurst, int replayBurst) {
        return new RestHarness(new SessionRoutes(RestHarness.api(), actions, directory, requests, SUBJECTS,
                new AddressLimiter(roomBurst, 1.0, 1000), new AddressLimiter(replayBurst, 1.0, 1000),
                dev.runeforge.gateway.connection.ClientAddress.direct())::register);
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private static SessionSummary summary(String session, String host, List<String> members, List<String> barred,
                                          boolean closed) {
        List<SessionSummary.Member> list = new ArrayList<>();
        members.forEach(m -> list.add(new SessionSummary.Member(m, "Name of " + m)));
        return new SessionSummary(session, "dice", closed ? null : "WOLF-1234", host, list, barred, closed, 7, 1000);
    }

    private static void assertError(HttpResponse<String> res, int status, String code) {
        assertEquals(status, res.statusCode(), res.body());
        JsonNode body = RestHarness.json(res);
        assertEquals(code, body.path("code").asText(), res.body());
        assertFalse(body.path("message").asText().isBlank(), res.body());
        assertEquals("application/json", res.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void everySessionRouteButTheReplayRefusesAnUnauthenticatedCaller() throws Exception {
        directory.summaries.put(S1, summary(S1, "alice", List.of("alice"), List.of(), false));
        for (String[] route : new String[][]{{"POST", "/api/sessions", "{\"game\":\"dice\"}"},
                {"GET", "/api/sessions?mine=true", null}, {"GET", "/api/sessions/" + S1, null},
                {"DELETE", "/api/sessions/" + S1, null}, {"POST", "/api/sessions/" + S1 + "/join", null}}) {
            assertError(http.send(route[0], route[1], null, route[2]), 401, ErrorCodes.UNAUTHORIZED);
            assertError(http.send(route[0], route[1], Map.of("Authorization", "Bearer forged"), route[2],
                    "application/json"), 401, ErrorCodes.UNAUTHORIZED);
        }
        assertTrue(actions.sent.isEmpty(), "nothing reaches the action path without a token");
        assertTrue(requests.sent.isEmpty());
    }

    @Test
    void aMemberSeesTheSessionWithItsMembersByCookieOrBearer() throws Exception {
        directory.summaries.put(S1, summary(S1, "alice", List.of("alice", "bob"), List.of("mallory"), false));
        HttpResponse<String> res = http.send("GET", "/api/sessions/" + S1, Map.of("Cookie", "rf_token=tok-bob"), null, null);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode body = RestHarness.json(res);
        assertEquals(S1, body.path("session").asText());
        assertEquals("dice", body.path("game").asText());
        assertEquals("WOLF-1234", body.path("code").asText());
        assertEquals("alice", body.path("host").asText());
        assertFalse(body.path("closed").asBoolean());
        assertEquals(2, body.path("members").size());
        assertEquals("bob", body.path("members").get(1).path("id").asText());
        assertEquals("Name of bob", body.path("members").get(1).path("name").asText());
        assertFalse(body.has("barred"), "who was removed is not shown");
        assertEquals(200, http.send("GET", "/api/sessions/" + S1, "alice", null).statusCode());
    }

    @Test
    void someoneElsesSessionIsNotFoundExactlyLikeOneThatDoesNotExist() throws Exception {
        directory.summaries.put(S1, summary(S1, "alice", List.of("alice"), List.of("mallory"), false));
        HttpResponse<String> stranger = http.send("GET", "/api/sessions/" + S1, "carol", null);
        HttpResponse<String> barred = http.send("GET", "/api/sessions/" + S1, "mallory", null);
        HttpResponse<String> unknown = http.send("GET", "/api/sessions/nosuchsession", "carol", null);
        HttpResponse<String> junk = http.send("GET", "/api/sessions/a.b*c", "carol", null);
        for (HttpResponse<String> res : List.of(stranger, barred, unknown, junk)) {
            assertError(res, 404, ErrorCodes.NOT_FOUND);
            assertEquals(unknown.body(), res.body(), "no hint that the session exists");
        }
        assertFalse(stranger.body().contains("WOLF") || stranger.body().contains("alice"), stranger.body());
    }

    @Test
    void aBarredPlayerStillListedAsMemberIsNotFound() throws Exception {
        directory.summaries.put(S1, summary(S1, "alice", List.of("alice", "mallory"), List.of("mallory"), false));
        assertError(http.send("GET", "/api/sessions/" + S1, "mallory", null), 404, ErrorCodes.NOT_FOUND);
        assertError(http.send("DELETE", "/api/sessions/" + S1, "mallory", null), 404, ErrorCodes.NOT_FOUND);
    }

    @Test
    void anUnreadableDirectoryIsUnavailableNotNotFound() throws Exception {
        directory.down = true;
        assertError(http.send("GET", "/api/sessions/" + S1, "alice", null), 503, ErrorCodes.UNAVAILABLE);
    }

    @Test
    void createPublishesACreateAndAnswersWithTheRoomCode() throws Exception {
        HttpResponse<String> res = http.send("POST", "/api/sessions", Map.of("Authorization", "Bearer tok-alice",
                "Cookie", "rf_device=abcdefghijklmnop1234"), "{\"game\":\"dice\",\"settings\":{\"mode\":\"dm-led\"}}",
                "application/json; charset=UTF-8");
        assertEquals(201, res.statusCode(), res.body());
        JsonNode body = RestHarness.json(res);
        FakeActions.Sent sent = actions.sent.getFirst();
        assertEquals(BusAction.Kind.CREATE, sent.kind());
        assertEquals("alice", sent.player());
        assertEquals("dice", sent.game());
        assertEquals("abcdefghijklmnop1234", sent.device(), "a kick can bar the browser");
        assertEquals("dm-led", sent.body().path("mode").asText());
        assertEquals(sent.session(), body.path("session").asText());
        assertEquals("WOLF-1234", body.path("code").asText());
        assertEquals("dice", body.path("game").asText());
        assertEquals("/api/sessions/" + sent.session(), res.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void aRetriedCreateWithTheSameIdempotencyKeyIsTheSameSessionAndAction() throws Exception {
        Map<String, String> alice = Map.of("Authorization", "Bearer tok-alice", "Idempotency-Key", "create-42");
        String first = RestHarness.json(http.send("POST", "/api/sessions", alice, "{\"game\":\"dice\"}", "application/json"))
                .path("session").asText();
        String again = RestHarness.json(http.send("POST", "/api/sessions", alice, "{\"game\":\"dice\"}", "application/json"))
                .path("session").asText();
        assertEquals(first, again);
        assertEquals(actions.sent.get(0).id(), actions.sent.get(1).id());
        assertEquals("idem-create-42", actions.sent.get(0).id());
        // The same key from another player is another session; no key is a new session every time.
        String bobs = RestHarness.json(http.send("POST", "/api/sessions", Map.of("Authorization", "Bearer tok-bob",
                "Idempotency-Key", "create-42"), "{\"game\":\"dice\"}", "application/json")).path("session").asText();
        assertFalse(bobs.equals(first));
        http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\"}");
        http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\"}");
        assertFalse(actions.sent.get(3).session().equals(actions.sent.get(4).session()));
        assertEquals(null, actions.sent.get(3).id(), "a fresh id is the action path's to choose");
        assertError(http.send("POST", "/api/sessions", Map.of("Authorization", "Bearer tok-alice", "Idempotency-Key",
                "not ok!"), "{\"game\":\"dice\"}", "application/json"), 400, ErrorCodes.BAD_MESSAGE);
    }

    @Test
    void createWithoutSettingsSendsAnEmptyObject() throws Exception {
        assertEquals(201, http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\"}").statusCode());
        assertTrue(actions.sent.getFirst().body().isObject() && actions.sent.getFirst().body().isEmpty());
    }

    @Test
    void createFromASaveUsesTheCallersOwnSlotAsTheGamesSettings() throws Exception {
        requests.on(SUBJECTS.dbSavesGet(), req -> {
            if (req.path("player").asText().equals("alice") && req.path("slot").asInt() == 3) {
                return new Saves.Save(3, "Goblin ambush", "tactics", Json.tree(Map.of("map", "forest", "goblins", 4)), 1, 2);
            }
            throw new RpcException(ErrorCodes.NOT_FOUND, "no save in slot " + req.path("slot").asInt());
        });
        HttpResponse<String> res = http.send("POST", "/api/sessions", "alice", "{\"save\":3}");
        assertEquals(201, res.statusCode(), res.body());
        FakeActions.Sent sent = actions.sent.getFirst();
        assertEquals("tactics", sent.game());
        assertEquals("forest", sent.body().path("map").asText());
        assertEquals(4, sent.body().path("goblins").asInt());

        // Bob naming slot 3 asks for his own slot 3, which he does not have.
        assertError(http.send("POST", "/api/sessions", "bob", "{\"save\":3}"), 404, ErrorCodes.NOT_FOUND);
        assertEquals("bob", requests.sent.getLast().body().path("player").asText());
        assertError(http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\",\"save\":3}"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", "{\"save\":3,\"settings\":{}}"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", "{\"save\":11}"), 400, ErrorCodes.BAD_MESSAGE);
        assertEquals(1, actions.sent.size(), "no refused create reached the action path");
    }

    @Test
    void aMalformedOrMistypedCreateIsRefusedWithAClearMessage() throws Exception {
        HttpResponse<String> malformed = http.send("POST", "/api/sessions", "alice", "{\"game\": \"dice\",");
        assertError(malformed, 400, ErrorCodes.BAD_MESSAGE);
        assertTrue(RestHarness.json(malformed).path("message").asText().startsWith("malformed JSON"), malformed.body());
        assertError(http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\"} trailing"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", "[1,2]"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", ""), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", "{}"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\",\"settings\":[1]}"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\",\"save\":\"x\"}"), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("POST", "/api/sessions", Map.of("Authorization", "Bearer tok-alice"), "game=dice",
                "application/x-www-form-urlencoded"), 415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE);
        assertError(http.send("POST", "/api/sessions", Map.of("Authorization", "Bearer tok-alice"), "{\"game\":\"dice\"}",
                null), 415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE);
        String huge = "{\"game\":\"dice\",\"settings\":{\"x\":\"" + "a".repeat(SessionRoutes.MAX_CREATE_BODY) + "\"}}";
        assertError(http.send("POST", "/api/sessions", "alice", huge), 413, ErrorCodes.BODY_TOO_LARGE);
        assertTrue(actions.sent.isEmpty());
    }

    @Test
    void theGamesRefusalOfACreateKeepsItsCode() throws Exception {
        actions.answer = s -> new SessionActions.Answer.Refused(ErrorCodes.UNKNOWN_GAME, "no game called 'chess'");
        HttpResponse<String> res = http.send("POST", "/api/sessions", "alice", "{\"game\":\"chess\"}");
        assertError(res, 400, ErrorCodes.UNKNOWN_GAME);
        assertEquals("no game called 'chess'", RestHarness.json(res).path("message").asText());
    }

    @Test
    void aGameThatDoesNotAnswerIsATimeoutAndABusThatDoesNotStoreIsUnavailable() throws Exception {
        actions.failure = new SessionActions.Unanswered("the game did not answer within 5000 ms", true, null);
        assertError(http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\"}"), 504, ErrorCodes.TIMEOUT);
        actions.failure = new SessionActions.Unanswered("the game service is unavailable; try again", false, null);
        assertError(http.send("POST", "/api/sessions/" + S1 + "/join", "alice", null), 503, ErrorCodes.UNAVAILABLE);
    }

    @Test
    void roomCreationSharesThePerAddressLimit() throws Exception {
        http.close();
        http = harness(1);
        assertEquals(201, http.send("POST", "/api/sessions", "alice", "{\"game\":\"dice\"}").statusCode());
        HttpResponse<String> refused = http.send("POST", "/api/sessions", "bob", "{\"game\":\"dice\"}");
        assertError(refused, 429, "RATE_LIMIT");
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void joinPublishesAJoinAndTheGamesRefusalsGetTheirStatuses() throws Exception {
        HttpResponse<String> ok = http.send("POST", "/api/sessions/" + S1 + "/join", "bob", null);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(S1, RestHarness.json(ok).path("session").asText());
        assertEquals("WOLF-1234", RestHarness.json(ok).path("code").asText());
        assertEquals(BusAction.Kind.JOIN, actions.sent.getFirst().kind());
        assertEquals("bob", actions.sent.getFirst().player());

        Map<String, Integer> statuses = Map.of("ROOM_FULL", 409, "KICKED", 403, ErrorCodes.ROOM_NOT_FOUND, 404);
        for (var e : statuses.entrySet()) {
            actions.answer = s -> new SessionActions.Answer.Refused(e.getKey(), "refused: " + e.getKey());
            HttpResponse<String> res = http.send("POST", "/api/sessions/" + S1 + "/join", "bob", null);
            assertError(res, e.getValue(), e.getKey());
            assertEquals("refused: " + e.getKey(), RestHarness.json(res).path("message").asText());
        }
        assertError(http.send("POST", "/api/sessions/bad.id/join", "bob", null), 404, ErrorCodes.NOT_FOUND);
    }

    @Test
    void onlyTheHostEndsASessionAndOthersLearnNothingMore() throws Exception {
        directory.summaries.put(S1, summary(S1, "alice", List.of("alice", "bob"), List.of(), false));
        assertError(http.send("DELETE", "/api/sessions/" + S1, "bob", null), 403, ErrorCodes.FORBIDDEN);
        assertError(http.send("DELETE", "/api/sessions/" + S1, "carol", null), 404, ErrorCodes.NOT_FOUND);
        assertTrue(actions.sent.isEmpty(), "refused before the action path");

        HttpResponse<String> ended = http.send("DELETE", "/api/sessions/" + S1, "alice", null);
        assertEquals(204, ended.statusCode(), ended.body());
        assertEquals(BusAction.Kind.END, actions.sent.getFirst().kind());
        assertEquals(S1, actions.sent.getFirst().session());
        assertEquals("alice", actions.sent.getFirst().player());
    }

    @Test
    void endingAClosedSessionAgainIsDoneAndTheGamesRefusalIsKept() throws Exception {
        directory.summaries.put(S1, summary(S1, "alice", List.of("alice"), List.of(), true));
        assertEquals(204, http.send("DELETE", "/api/sessions/" + S1, "alice", null).statusCode());
        assertTrue(actions.sent.isEmpty());

        directory.summaries.put("s2", summary("s2", "alice", List.of("alice"), List.of(), false));
        actions.answer = s -> new SessionActions.Answer.Refused(ErrorCodes.FORBIDDEN, "only the host can end it");
        assertError(http.send("DELETE", "/api/sessions/s2", "alice", null), 403, ErrorCodes.FORBIDDEN);
    }

    @Test
    void sessionsAreListedOnlyAsTheCallersOwn() throws Exception {
        assertError(http.send("GET", "/api/sessions", "alice", null), 400, ErrorCodes.BAD_MESSAGE);
        assertError(http.send("GET", "/api/sessions?mine=false", "alice", null), 400, ErrorCodes.BAD_MESSAGE);
        requests.on(SUBJECTS.dbSessionsMine(), req -> Map.of("sessions", List.of(
                summary("s9", "alice", List.of("alice", "bob"), List.of("mallory"), false),
                summary("s8", "bob", List.of("bob", "alice"), List.of(), true))));
        HttpResponse<String> res = http.send("GET", "/api/sessions?mine=true", "alice", null);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("alice", requests.sent.getLast().body().path("player").asText());
        JsonNode sessions = RestHarness.json(res).path("sessions");
        assertEquals(2, sessions.size());
        assertEquals("s9", sessions.get(0).path("session").asText());
        assertEquals(2, sessions.get(0).path("members").size());
        assertFalse(sessions.get(0).has("barred"));
        assertTrue(sessions.get(1).path("closed").asBoolean());
    }

    @Test
    void aListWhenPersistenceIsDownIsUnavailable() throws Exception {
        assertError(http.send("GET", "/api/sessions?mine=true", "alice", null), 503, ErrorCodes.UNAVAILABLE);
    }

    @Test
    void aReplayIsTheGamesAnswerForThisViewerAndItsRefusals() throws Exception {
        requests.on(SUBJECTS.gameReplay(), req -> {
            if (!req.path("viewer").asText().equals("alice")) {
                throw new RpcException(ErrorCodes.FORBIDDEN, "you were not in this session");
            }
            if (!req.path("session").asText().equals(S1)) {
                throw new RpcException(ErrorCodes.NOT_FOUND, "no such session");
            }
            return Map.of("session", S1, "game", "dice", "steps", List.of(
                    Map.of("seq", 1, "event", Map.of("type", "room_created"), "view", Map.of("players", List.of()))));
        });
        HttpResponse<String> res = http.send("GET", "/api/sessions/" + S1 + "/replay", "alice", null);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode body = RestHarness.json(res);
        assertEquals(S1, body.path("session").asText());
        assertEquals(1, body.path("steps").get(0).path("seq").asLong());
        assertEquals("room_created", body.path("steps").get(0).path("event").path("type").asText());
        assertError(http.send("GET", "/api/sessions/" + S1 + "/replay", "bob", null), 403, ErrorCodes.FORBIDDEN);
        assertError(http.send("GET", "/api/sessions/other/replay", "alice", null), 404, ErrorCodes.NOT_FOUND);
    }

    @Test
    void aFinishedSessionsReplayIsPublicByLinkAndAnOpenOneAsksToSignIn() throws Exception {
        // The game decides: a finished session for anyone (as an outsider), an open one for its members only.
        requests.on(SUBJECTS.gameReplay(), req -> {
            boolean finished = req.path("session").asText().equals("done1");
            if (!finished && !req.path("viewer").asText().equals("alice")) {
                throw new RpcException(ErrorCodes.FORBIDDEN, "only its members may replay a session that is still open");
            }
            return Map.of("session", req.path("session").asText(), "game", "tactics", "steps", List.of(), "more", false,
                    "askedAs", req.path("viewer").asText("outsider"));
        });
        HttpResponse<String> signedOut = http.send("GET", "/api/sessions/done1/replay", null, null);
        assertEquals(200, signedOut.statusCode(), signedOut.body());
        assertEquals("outsider", RestHarness.json(signedOut).path("askedAs").asText(), "no viewer is sent");
        HttpResponse<String> staleCookie = http.send("GET", "/api/sessions/done1/replay",
                Map.of("Cookie", "rf_token=expired"), null, null);
        assertEquals(200, staleCookie.statusCode(), "a stale cookie does not lock a visitor out");
        assertEquals("alice", RestHarness.json(http.send("GET", "/api/sessions/done1/replay", "alice", null))
                .path("askedAs").asText(), "a signed-in player is asked about as themselves");

        HttpResponse<String> open = http.send("GET", "/api/sessions/" + S1 + "/replay", null, null);
        assertError(open, 401, ErrorCodes.UNAUTHORIZED);
        assertTrue(RestHarness.json(open).path("message").asText().contains("sign in"), open.body());
        assertError(http.send("GET", "/api/sessions/" + S1 + "/replay", "bob", null), 403, ErrorCodes.FORBIDDEN);
        assertEquals(200, http.send("GET", "/api/sessions/" + S1 + "/replay", "alice", null).statusCode());
    }

    @Test
    void replaysWithoutSigningInAreLimitedPerAddress() throws Exception {
        http.close();
        http = harness(10_000, 2);
        requests.on(SUBJECTS.gameReplay(), req -> Map.of("session", "done1", "game", "dice", "steps", List.of(),
                "more", false));
        assertEquals(200, http.send("GET", "/api/sessions/done1/replay", null, null).statusCode());
        assertEquals(200, http.send("GET", "/api/sessions/done1/replay", null, null).statusCode());
        HttpResponse<String> third = http.send("GET", "/api/sessions/done1/replay", null, null);
        assertError(third, 429, ErrorCodes.RATE_LIMITED);
        assertTrue(third.headers().firstValue("Retry-After").isPresent());
        assertEquals(200, http.send("GET", "/api/sessions/done1/replay", "alice", null).statusCode(),
                "players who sign in are not counted");
    }
}
