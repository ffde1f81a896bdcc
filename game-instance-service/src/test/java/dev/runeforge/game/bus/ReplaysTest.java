package dev.runeforge.game.bus;

import dev.runeforge.common.bus.Commit;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.game.engine.SessionStep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.session.SessionHistory.Replay;
import dev.runeforge.common.session.SessionHistory.ReplayQuery;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.game.dice.DiceRules;
import org.junit.jupiter.api.Test;

/** Replays and session summaries, pure: a dice room driven through the engine's own steps, then told again. */
class ReplaysTest {
    private static final String DM = "g-dm";
    private static final String BOB = "g-bob";
    private static final String EVE = "g-eve";

    private final DiceRules rules = new DiceRules();
    private final SplittableRandom rng = new SplittableRandom(7);
    private final List<SessionHistory.Event> log = new ArrayList<>();
    private LiveSession<?, ?, ?> session = LiveSession.empty(rules, "s1", "WOLF-0001");
    private long now = 1_790_000_000_000L;
    private int ids;

    /** Runs one action and archives its events, as the projection would. */
    private JsonNode act(BusAction.Kind kind, String player, Object body) {
        BusAction a = new BusAction("a" + (++ids), kind, "s1", player, player.substring(2), "dice",
                body == null ? null : Json.tree(body), null, 0);
        now += 1000;
        var outcome = SessionStep.decide(session, a, Instant.ofEpochMilli(now), rng);
        Commit commit = ((SessionStep.Outcome.Committed) outcome).commit();
        long seq = commit.firstSeq();
        for (JsonNode e : commit.events()) {
            log.add(new SessionHistory.Event(seq++, e));
        }
        session = SessionStep.apply(session, commit, 0).after();
        return commit.events().getFirst();
    }

    private Replay replay(String viewer, long after, int maxSteps) {
        return Replays.replay(rules, new ReplayQuery("s1", viewer, after), log, maxSteps, 1 << 20);
    }

    /** A DM-led room: a public roll, a hidden roll revealed at once and one never revealed. */
    private String[] room() {
        act(BusAction.Kind.CREATE, DM, Map.of("mode", "dm-led"));
        act(BusAction.Kind.JOIN, BOB, null);
        act(BusAction.Kind.GAME, BOB, Map.of("type", "roll", "formula", "1d20"));
        String revealed = act(BusAction.Kind.GAME, DM, Map.of("type", "roll", "formula", "1d20", "hidden", true))
                .path("roll").path("id").asText();
        String secret = act(BusAction.Kind.GAME, DM, Map.of("type", "roll", "formula", "1d20", "hidden", true))
                .path("roll").path("id").asText();
        act(BusAction.Kind.GAME, DM, Map.of("type", "reveal", "roll", revealed));
        return new String[] {revealed, secret};
    }

    private static boolean showsDice(JsonNode node, String rollId) {
        if (node.isObject() && rollId.equals(node.path("id").asText()) && node.has("total")) {
            return true;
        }
        for (JsonNode child : node) {
            if (showsDice(child, rollId)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anOpenSessionIsReplayedByItsMembersOnly() {
        String[] rolls = room();
        assertEquals(ErrorCodes.FORBIDDEN, assertThrows(RpcException.class, () -> replay(EVE, 0, 100)).code());
        assertEquals(ErrorCodes.FORBIDDEN, assertThrows(RpcException.class, () -> replay(null, 0, 100)).code());
        Replay bobs = replay(BOB, 0, 100);
        assertEquals(6, bobs.steps().size());
        assertFalse(bobs.more());
        assertTrue(bobs.steps().stream().noneMatch(s -> showsDice(s.event(), rolls[1]) || showsDice(s.view(), rolls[1])));
        Replay dms = replay(DM, 0, 100);
        assertTrue(dms.steps().stream().anyMatch(s -> showsDice(s.event(), rolls[1])), "the DM sees their own roll");
    }

    @Test
    void aClosedSessionIsReplayedForThePublicWithoutHiddenDiceBeforeTheirReveal() {
        String[] rolls = room();
        act(BusAction.Kind.LEAVE, BOB, null);
        act(BusAction.Kind.END, DM, null);
        Replay pub = replay(null, 0, 100);
        assertEquals(pub, replay(EVE, 0, 100), "a stranger is the public");
        assertEquals(pub, replay(BOB, 0, 100), "as is a player without private knowledge, having left");
        assertEquals("room_closed", pub.steps().getLast().event().path("type").asText());
        for (SessionHistory.Step s : pub.steps()) {
            boolean afterReveal = s.seq() >= 6;
            assertEquals(afterReveal, showsDice(s.view(), rolls[0]), "the revealed roll at step " + s.seq());
            assertFalse(showsDice(s.event(), rolls[1]) || showsDice(s.view(), rolls[1]), "never the secret roll");
        }
        assertTrue(replay(DM, 0, 100).steps().stream().anyMatch(s -> showsDice(s.view(), rolls[1])));
    }

    @Test
    void aFinishedSessionsPublicReplayKeepsItsChatAndPrivateRollsToItsMembers() {
        room();
        act(BusAction.Kind.GAME, BOB, Map.of("type", "chat", "text", "see you <b>all</b>"));
        String toDm = act(BusAction.Kind.GAME, BOB, Map.of("type", "roll", "formula", "1d20", "mode", "dm",
                "label", "Insight")).path("roll").path("id").asText();
        act(BusAction.Kind.END, DM, null);
        Replay outsider = replay(EVE, 0, 100);
        assertEquals(outsider, replay(null, 0, 100));
        String all = Json.text(outsider);
        assertFalse(all.contains("see you"), "an outsider never reads the members' chat");
        assertFalse(all.contains("Insight"));
        assertTrue(outsider.steps().stream().noneMatch(s -> showsDice(s.event(), toDm) || showsDice(s.view(), toDm)));
        assertTrue(outsider.steps().stream().anyMatch(s -> "chat".equals(s.event().path("type").asText())),
                "that someone spoke is part of the story");
        Replay bobs = replay(BOB, 0, 100);
        assertTrue(Json.text(bobs).contains("see you <b>all</b>"), "a member reads it again, as text");
        assertTrue(bobs.steps().stream().anyMatch(s -> showsDice(s.event(), toDm)), "and their own roll to the DM");
    }

    @Test
    void repliesArePagedByStepsAndBySize() {
        room();
        Replay first = replay(BOB, 0, 4);
        assertEquals(List.of(1L, 2L, 3L, 4L), first.steps().stream().map(SessionHistory.Step::seq).toList());
        assertTrue(first.more());
        Replay rest = replay(BOB, 4, 4);
        assertEquals(List.of(5L, 6L), rest.steps().stream().map(SessionHistory.Step::seq).toList());
        assertFalse(rest.more());
        long oneStep = Json.bytes(first.steps().getFirst()).length;
        Replay small = Replays.replay(rules, new ReplayQuery("s1", BOB, null), log, 100, 4096 + 200 + oneStep * 2);
        assertTrue(small.more());
        assertTrue(small.steps().size() >= 1 && small.steps().size() < 6, "cut by size: " + small.steps().size());
        assertEquals(ErrorCodes.INTERNAL, assertThrows(RpcException.class,
                () -> Replays.replay(rules, new ReplayQuery("s1", BOB, null), log, 100, 10)).code());
    }

    @Test
    void anUnreadableArchivedEventIsATypedError() {
        room();
        log.add(new SessionHistory.Event(7, Json.tree(Map.of("type", "no_such_event"))));
        RpcException e = assertThrows(RpcException.class, () -> replay(BOB, 0, 100));
        assertEquals(ErrorCodes.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("event 7"), e.getMessage());
    }

    @Test
    void theSummaryFollowsMembershipAndIgnoresEverythingElse() {
        assertNull(session.summary(now));
        room();
        SessionSummary s = session.summary(now);
        assertEquals(List.of(new SessionSummary.Member(DM, "dm"), new SessionSummary.Member(BOB, "bob")), s.members());
        assertEquals(DM, s.host());
        assertEquals("WOLF-0001", s.code());
        assertEquals(6, s.seq());
        act(BusAction.Kind.GAME, BOB, Map.of("type", "roll", "formula", "1d20"));
        SessionSummary afterRoll = session.summary(now);
        assertEquals(7, afterRoll.seq());
        assertTrue(SessionsBucket.same(s, afterRoll), "a roll changes nothing the directory shows");
        act(BusAction.Kind.GAME, DM, Map.of("type", "kick", "player", BOB));
        SessionSummary kicked = session.summary(now);
        assertFalse(SessionsBucket.same(afterRoll, kicked));
        assertEquals(List.of(BOB), kicked.barred());
        act(BusAction.Kind.END, DM, null);
        SessionSummary closed = session.summary(now);
        assertTrue(closed.closed());
        assertNull(closed.code());
        assertFalse(SessionsBucket.same(kicked, closed));
        assertFalse(SessionsBucket.same(null, closed));
        assertTrue(SessionsBucket.same(null, null));
    }
}
