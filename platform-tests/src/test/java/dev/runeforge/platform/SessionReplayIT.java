package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.DriverManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestNats;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Session history end to end on the bus: a real game instance stores a DM-led dice room, persistence-service
 * archives it, and {@code game.replay} tells it again per viewer. The engine's redaction must hold in replays: a
 * hidden roll's dice reach nobody but the DM before it is revealed, and never when it is not.
 */
class SessionReplayIT {
    private static final Duration T = Duration.ofSeconds(10);
    private static final int PARTITIONS = 8;
    private static final String DM = "g-dora";
    private static final String BOB = "g-bob";
    private static final String EVE = "g-eve";
    /** Steps per replay answer: small, so that paging with {@code after} is exercised. */
    private static final int STEPS = 4;

    private static Platform platform;
    private static TestPostgres.Database db;
    private static Connection nc;
    private static ActionClient actions;
    private static Subjects subjects;
    private static final List<JsonNode> out = new CopyOnWriteArrayList<>();
    private static int ids;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgres.newDatabase();
        platform = new Platform(Map.of("db.url", db.jdbcUrl(), "db.user", db.user(), "db.password", db.password(),
                "game.replay.steps", Integer.toString(STEPS), "game.dice.rolls.limit", "1000"));
        subjects = new Subjects(platform.namespace);
        nc = TestNats.connectIn(platform.namespace);
        nc.createDispatcher(m -> out.add(Json.tree(m.getData()))).subscribe(platform.namespace + ".out.>");
        actions = new ActionClient(nc, subjects, PARTITIONS, ActionClient.Settings.DEFAULT);
    }

    @AfterAll
    static void stop() throws Exception {
        actions.close();
        nc.close();
        platform.close();
    }

    private static String send(String session, BusAction.Kind kind, String player, Object body) throws Exception {
        String id = "h" + (++ids);
        BusAction a = new BusAction(id, kind, session, player, player.substring(2),
                kind == BusAction.Kind.CREATE ? "dice" : null, body == null ? null : Json.tree(body), null, 0);
        // As a gateway sends it; the answer's frames (the actor's own) join the views seen.
        actions.send(a).get(10, TimeUnit.SECONDS).frames()
                .forEach(f -> out.add(Json.tree(f.json().getBytes(StandardCharsets.UTF_8))));
        return id;
    }

    private static JsonNode await(Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode m : out) {
                if (match.test(m)) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no matching message");
    }

    private static void accepted(String id) throws InterruptedException {
        JsonNode a = await(m -> id.equals(m.path("id").asText()) && "accepted".equals(m.path("type").asText())
                || id.equals(m.path("ref").asText()) && "error".equals(m.path("type").asText()));
        assertEquals("accepted", a.path("type").asText(), () -> "refused: " + a);
    }

    /** The DM's copy of the hidden roll action {@code id} made (whole, with its id). */
    private static JsonNode dmsRoll(String id) throws InterruptedException {
        return await(m -> "event".equals(m.path("type").asText()) && m.path("body").path("roll").path("action")
                .asText().equals(DM + ":" + id) && m.path("body").path("roll").has("total")).path("body").path("roll");
    }

    private static SessionHistory.Replay replayPage(String session, String viewer, long after) {
        Map<String, Object> q = new HashMap<>(Map.of("session", session, "after", after));
        if (viewer != null) {
            q.put("viewer", viewer);
        }
        return Rpc.request(nc, subjects.gameReplay(), q, SessionHistory.Replay.class, T);
    }

    /** Every step, page by page. */
    private static List<SessionHistory.Step> replay(String session, String viewer) {
        List<SessionHistory.Step> steps = new ArrayList<>();
        long after = 0;
        while (true) {
            SessionHistory.Replay page = replayPage(session, viewer, after);
            assertEquals(session, page.session());
            assertEquals("dice", page.game());
            assertTrue(page.steps().size() <= STEPS, "the cap holds");
            steps.addAll(page.steps());
            if (!page.more()) {
                return steps;
            }
            after = page.steps().getLast().seq();
        }
    }

    /** Waits until the archive holds the session up to its event of type {@code last}. */
    private static List<SessionHistory.Step> replayOnceArchived(String session, String viewer, String last)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                List<SessionHistory.Step> steps = replay(session, viewer);
                if (last.equals(steps.getLast().event().path("type").asText())) {
                    return steps;
                }
            } catch (RpcException e) {
                // NOT_FOUND: nothing archived yet; FORBIDDEN: not yet the viewer's join (the archive trails the log).
                if (!e.code().equals(ErrorCodes.NOT_FOUND) && !e.code().equals(ErrorCodes.FORBIDDEN)) {
                    throw e;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the archive did not catch up");
            Thread.sleep(100);
        }
    }

    /** Every object in {@code node} (recursively) that describes roll {@code id}. */
    private static List<JsonNode> rollsIn(JsonNode node, String id) {
        List<JsonNode> found = new ArrayList<>();
        if (node.isObject() && id.equals(node.path("id").asText()) && node.has("hidden")) {
            found.add(node);
        }
        node.forEach(child -> found.addAll(rollsIn(child, id)));
        return found;
    }

    private static boolean whole(JsonNode roll) {
        return roll.has("terms") || roll.has("total") || roll.has("formula");
    }

    @Test
    void replaysShowEachViewerWhatTheySawLiveAndHiddenDiceOnlyOnceRevealed() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        accepted(send(session, BusAction.Kind.CREATE, DM, Map.of("mode", "dm-led")));
        accepted(send(session, BusAction.Kind.JOIN, BOB, null));
        for (int i = 0; i < 5; i++) {
            accepted(send(session, BusAction.Kind.GAME, BOB, Map.of("type", "roll", "formula", "2d20")));
        }
        String revealedAction = send(session, BusAction.Kind.GAME, DM, Map.of("type", "roll", "formula", "1d20",
                "hidden", true));
        accepted(revealedAction);
        String secretAction = send(session, BusAction.Kind.GAME, DM, Map.of("type", "roll", "formula", "3d20",
                "hidden", true));
        accepted(secretAction);
        String revealed = dmsRoll(revealedAction).path("id").asText();
        String secret = dmsRoll(secretAction).path("id").asText();
        accepted(send(session, BusAction.Kind.GAME, DM, Map.of("type", "reveal", "roll", revealed)));

        // Open: members replay it as themselves, nobody else at all.
        List<SessionHistory.Step> bobs = replayOnceArchived(session, BOB, "roll_revealed");
        assertEquals(ErrorCodes.FORBIDDEN, assertThrows(RpcException.class, () -> replayPage(session, EVE, 0)).code());
        assertEquals(ErrorCodes.FORBIDDEN, assertThrows(RpcException.class, () -> replayPage(session, null, 0)).code());
        List<SessionHistory.Step> dms = replay(session, DM);
        assertEquals(bobs.size(), dms.size());
        assertTrue(dms.stream().anyMatch(s -> rollsIn(s.event(), secret).stream().anyMatch(SessionReplayIT::whole)),
                "the DM sees their secret roll whole");

        accepted(send(session, BusAction.Kind.END, DM, null));
        // The archive trails the live session by a moment: until it holds the close, the session is open there.
        replayOnceArchived(session, DM, "room_closed");
        List<SessionHistory.Step> publicSteps = replay(session, null);
        List<SessionHistory.Step> eves = replay(session, EVE);
        List<SessionHistory.Step> bobsAfter = replay(session, BOB);
        assertEquals(publicSteps, eves, "a stranger replays a closed session as the public");
        for (List<SessionHistory.Step> steps : List.of(publicSteps, bobsAfter, bobs)) {
            long revealSeq = steps.stream().filter(s -> "roll_revealed".equals(s.event().path("type").asText()))
                    .findFirst().orElseThrow().seq();
            for (int i = 0; i < steps.size(); i++) {
                SessionHistory.Step s = steps.get(i);
                assertEquals(i + 1, s.seq(), "steps are gap-free");
                for (JsonNode node : List.of(s.event(), s.view())) {
                    for (JsonNode roll : rollsIn(node, secret)) {
                        assertFalse(whole(roll), "the unrevealed roll's dice at step " + s.seq() + ": " + roll);
                    }
                    for (JsonNode roll : rollsIn(node, revealed)) {
                        assertEquals(s.seq() >= revealSeq, whole(roll), "the revealed roll at step " + s.seq());
                    }
                }
            }
            assertTrue(steps.stream().anyMatch(s -> !rollsIn(s.view(), secret).isEmpty()),
                    "the secret roll is in the views, redacted (the check above is not vacuous)");
            assertTrue(steps.getLast().view().path("rolls").isArray());
        }
        assertEquals("ended", publicSteps.getLast().event().path("reason").asText());

        // Statistics: from the archived dice, exactly.
        long bobTwenties = 0;
        long dmTwenties = 0;
        for (SessionHistory.Step s : dms) {
            JsonNode roll = s.event().path("roll");
            if (!"rolled".equals(s.event().path("type").asText())) {
                continue;
            }
            long twenties = 0;
            for (JsonNode die : roll.path("terms").get(0).path("dice")) {
                twenties += die.path("value").asInt() == 20 && die.path("kept").asBoolean() ? 1 : 0;
            }
            if (BOB.equals(roll.path("player").asText())) {
                bobTwenties += twenties;
            } else if (revealed.equals(roll.path("id").asText())) {
                dmTwenties += twenties; // the secret roll's 20s never count: it was never revealed
            }
        }
        assertEquals(new SessionHistory.Stats(5, bobTwenties, 0), stats(BOB));
        assertEquals(new SessionHistory.Stats(2, dmTwenties, 0), stats(DM));

        List<SessionSummary> mine = Rpc.request(nc, subjects.dbSessionsMine(), new SessionHistory.PlayerQuery(BOB),
                SessionHistory.Sessions.class, T).sessions();
        assertEquals(session, mine.getFirst().session());
        assertTrue(mine.getFirst().closed());
        assertEquals(DM, mine.getFirst().host());
    }

    /** Every step of a replay over HTTP, as a visitor who is not signed in; the last answer when it is not 200. */
    private static List<JsonNode> publicReplay(String session) throws Exception {
        List<JsonNode> steps = new ArrayList<>();
        long after = 0;
        while (true) {
            var res = platform.get(platform.http("/api/sessions/" + session + "/replay?after=" + after), null);
            if (res.statusCode() != 200) {
                throw new AssertionError(res.statusCode() + " " + res.body());
            }
            JsonNode page = Json.read(res.body(), JsonNode.class);
            page.path("steps").forEach(steps::add);
            if (!page.path("more").asBoolean()) {
                return steps;
            }
            after = page.path("steps").get(page.path("steps").size() - 1).path("seq").asLong();
        }
    }

    @Test
    void aFinishedSessionsReplayOpensForASignedOutVisitorWithoutWhatWasPrivate() throws Exception {
        String session = UUID.randomUUID().toString().replace("-", "");
        accepted(send(session, BusAction.Kind.CREATE, DM, Map.of("mode", "dm-led")));
        accepted(send(session, BusAction.Kind.JOIN, BOB, null));
        accepted(send(session, BusAction.Kind.GAME, BOB, Map.of("type", "chat", "text", "meet at the <b>inn</b>")));
        String toDm = send(session, BusAction.Kind.GAME, BOB, Map.of("type", "roll", "formula", "1d20", "mode", "dm",
                "label", "Insight"));
        accepted(toDm);
        accepted(send(session, BusAction.Kind.GAME, BOB, Map.of("type", "roll", "formula", "1d8", "label", "Torch")));
        replayOnceArchived(session, DM, "rolled");

        var open = platform.get(platform.http("/api/sessions/" + session + "/replay"), null);
        assertEquals(401, open.statusCode(), "an open session asks a visitor to sign in: " + open.body());
        assertEquals("UNAUTHORIZED", Json.read(open.body(), JsonNode.class).path("code").asText());

        accepted(send(session, BusAction.Kind.END, DM, null));
        replayOnceArchived(session, DM, "room_closed");
        List<JsonNode> steps = publicReplay(session);
        assertEquals("room_closed", steps.getLast().path("event").path("type").asText());
        String all = steps.toString();
        assertFalse(all.contains("inn"), "the members' chat is theirs");
        assertFalse(all.contains("Insight"), "a roll to the DM stays private");
        assertTrue(all.contains("Torch"), "a public roll is there, label and all");
        assertTrue(steps.stream().anyMatch(st -> "chat".equals(st.path("event").path("type").asText())));
        assertTrue(replay(session, BOB).stream().anyMatch(st -> st.event().toString().contains("meet at the <b>inn</b>")),
                "a member reads the chat again, as typed");
    }

    private static SessionHistory.Stats stats(String player) {
        return Rpc.request(nc, subjects.dbStatsGet(), new SessionHistory.PlayerQuery(player), SessionHistory.Stats.class, T);
    }

    @Test
    void unknownSessionsAreNotFoundAndUnreadableEventsATypedError() throws Exception {
        assertEquals(ErrorCodes.NOT_FOUND,
                assertThrows(RpcException.class, () -> replayPage("nosuchsession", BOB, 0)).code());
        String broken = UUID.randomUUID().toString().replace("-", "");
        try (var c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             var st = c.prepareStatement("INSERT INTO session_events (session, seq, game, type, body, at) "
                     + "VALUES (?, 1, 'dice', 'no_such_event', '{\"type\":\"no_such_event\"}'::jsonb, now())")) {
            st.setString(1, broken);
            st.executeUpdate();
        }
        RpcException e = assertThrows(RpcException.class, () -> replayPage(broken, BOB, 0));
        assertEquals(ErrorCodes.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
    }
}
