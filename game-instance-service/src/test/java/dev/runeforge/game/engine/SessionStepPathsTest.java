package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** Every path through {@link SessionStep#decide} and {@link SessionStep#apply}, driven by {@link ToyRules}. */
class SessionStepPathsTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final ToyRules TOY = new ToyRules();

    private static BusAction action(String id, BusAction.Kind kind, String player, JsonNode body, String origin) {
        return new BusAction(id, kind, "s1", player, player.toUpperCase(), null, body, origin, 0, "dev-1");
    }

    private static BusAction action(String id, BusAction.Kind kind, String player) {
        return action(id, kind, player, null, "conn-" + player);
    }

    private static BusAction move(String id, String player, String type, int by, String who) {
        return action(id, BusAction.Kind.GAME, player, Json.tree(new ToyRules.Command(type, by, who)), "conn-" + player);
    }

    private static SessionStep.Outcome decide(LiveSession<ToyRules.State, ToyRules.Command, ToyRules.Event> s,
                                              BusAction a, Instant now) {
        return SessionStep.decide(s, a, now, new SplittableRandom(1));
    }

    private static LiveSession<ToyRules.State, ToyRules.Command, ToyRules.Event> step(
            LiveSession<ToyRules.State, ToyRules.Command, ToyRules.Event> s, BusAction a) {
        var committed = assertInstanceOf(SessionStep.Outcome.Committed.class, decide(s, a, NOW));
        return SessionStep.apply(s, committed.commit(), s.streamSeq() + 1).after();
    }

    private static LiveSession<ToyRules.State, ToyRules.Command, ToyRules.Event> empty() {
        return LiveSession.empty(TOY, "s1", "TOY-0001");
    }

    /** A room created by a, joined by b, with a deadline at {@code dueMs} (0: none). */
    private static LiveSession<ToyRules.State, ToyRules.Command, ToyRules.Event> room(int dueMs) {
        var s = step(empty(), action("c", BusAction.Kind.CREATE, "a", Json.tree(Map.of("due", dueMs)), "conn-a"));
        return step(s, action("j", BusAction.Kind.JOIN, "b"));
    }

    private static String rejected(SessionStep.Outcome o) {
        return assertInstanceOf(SessionStep.Outcome.Rejected.class, o).code();
    }

    @Test
    void beforeTheRoomExistsOnlyCreateIsTakenAndEverythingElseIsRefusedOrIgnored() {
        var s = empty();
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, rejected(decide(s, action("j", BusAction.Kind.JOIN, "a"), NOW)));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, rejected(decide(s, action("e", BusAction.Kind.END, "a"), NOW)));
        assertEquals(ErrorCodes.NOT_IN_ROOM, rejected(decide(s, action("r", BusAction.Kind.RESUME, "a"), NOW)));
        assertEquals(ErrorCodes.NOT_IN_ROOM, rejected(decide(s, action("l", BusAction.Kind.LEAVE, "a"), NOW)));
        assertEquals(ErrorCodes.NOT_IN_ROOM, rejected(decide(s, move("m", "a", "add", 1, null), NOW)));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class, decide(s, action("t", BusAction.Kind.TIMER, "system"), NOW));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class, decide(s,
                action("p", BusAction.Kind.PRESENCE, "a", Json.tree(Map.of("connected", true)), "conn-a"), NOW));
        assertInstanceOf(SessionStep.Outcome.Committed.class, decide(s,
                action("c", BusAction.Kind.CREATE, "a", null, null), NOW));
    }

    @Test
    void aSecondCreateIsRefusedAndAMemberJoiningAgainChangesNothing() {
        var s = room(0);
        assertEquals(ErrorCodes.INVALID_ACTION, rejected(decide(s, action("c2", BusAction.Kind.CREATE, "b"), NOW)));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class, decide(s, action("j2", BusAction.Kind.JOIN, "b"), NOW));
        assertEquals(List.of("a", "b"), s.state().members());
    }

    @Test
    void strangersCannotResumeLeaveOrPlayAndMembersResumeWithoutAnEvent() {
        var s = room(0);
        assertEquals(ErrorCodes.NOT_IN_ROOM, rejected(decide(s, action("r", BusAction.Kind.RESUME, "z"), NOW)));
        assertEquals(ErrorCodes.NOT_IN_ROOM, rejected(decide(s, action("l", BusAction.Kind.LEAVE, "z"), NOW)));
        assertEquals(ErrorCodes.NOT_IN_ROOM, rejected(decide(s, move("m", "z", "add", 1, null), NOW)));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class, decide(s, action("r", BusAction.Kind.RESUME, "b"), NOW));
        var left = step(s, action("l", BusAction.Kind.LEAVE, "b"));
        assertEquals(List.of("a"), left.state().members());
    }

    @Test
    void aCommandThatCannotBeReadIsRefusedAsAnInvalidAction() {
        var s = room(0);
        var bad = action("m", BusAction.Kind.GAME, "a", Json.tree(Map.of("type", "add", "by", "lots")), "conn-a");
        SessionStep.Outcome o = decide(s, bad, NOW);
        assertEquals(ErrorCodes.INVALID_ACTION, rejected(o));
        assertTrue(((SessionStep.Outcome.Rejected) o).message().startsWith("invalid action: "));
    }

    @Test
    void theGamesRefusalReplyAndNoOpReachTheActorUnchanged() {
        var s = room(0);
        var refused = assertInstanceOf(SessionStep.Outcome.Rejected.class, decide(s, move("m", "a", "fly", 0, null), NOW));
        assertEquals(new SessionStep.Outcome.Rejected(ErrorCodes.INVALID_ACTION, "no such move: fly"), refused);
        var replied = assertInstanceOf(SessionStep.Outcome.Replied.class, decide(s, move("q", "a", "ask", 0, null), NOW));
        assertEquals(0, replied.body().path("count").asInt(-1));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class, decide(s, move("n", "a", "none", 0, null), NOW));
    }

    @Test
    void aCommitCarriesTheActionTheActorTheTimeAndTheNextSequenceNumbers() {
        var s = room(0);
        var c = assertInstanceOf(SessionStep.Outcome.Committed.class, decide(s, move("m", "b", "add", 3, null), NOW))
                .commit();
        assertEquals(new Commit("s1", "toy", "TOY-0001", "b:m", "b", NOW.toEpochMilli(), 3,
                List.of(Json.tree(new ToyRules.Event("add", "b", 3)))), c);
    }

    @Test
    void theHostlessDefaultRefusesToEndTheRoom() {
        var s = room(0);
        assertEquals(ErrorCodes.FORBIDDEN, rejected(decide(s, action("e", BusAction.Kind.END, "a"), NOW)));
    }

    @Test
    void aTimerActsOnlyOnceTheLiveDeadlineHasPassed() {
        var none = room(0);
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                decide(none, action("t", BusAction.Kind.TIMER, "system"), NOW), "no deadline: a stale timer");
        long due = NOW.toEpochMilli() % 1_000_000_000L; // the toy keeps its deadline in an int
        var s = room((int) due);
        Instant at = Instant.ofEpochMilli(due);
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                decide(s, action("t", BusAction.Kind.TIMER, "system"), at.minusMillis(1)), "an early timer");
        var fired = assertInstanceOf(SessionStep.Outcome.Committed.class,
                decide(s, action("t", BusAction.Kind.TIMER, "system"), at));
        assertEquals("close", fired.commit().events().getFirst().path("type").asText());
    }

    @Test
    void presenceCountsOnlyAMembersConnectionThatCameOnline() {
        var s = room(0);
        JsonNode on = Json.tree(Map.of("connected", true));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                decide(s, action("p", BusAction.Kind.PRESENCE, "z", on, "conn-z"), NOW), "not a member");
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                decide(s, action("p", BusAction.Kind.PRESENCE, "a", on, null), NOW), "no connection named");
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                decide(s, action("p", BusAction.Kind.PRESENCE, "a", Json.tree(Map.of("connected", false)), "c"), NOW));
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                decide(s, action("p", BusAction.Kind.PRESENCE, "a", null, "c"), NOW), "no body: not connected");
        assertEquals(1, step(s, action("p", BusAction.Kind.PRESENCE, "a", on, "c")).state().online());
    }

    @Test
    void anEventAllSeeAlikeGoesOnceOnTheSharedSubjectEvenWhenItsObjectsDiffer() {
        var s = room(0);
        var c = ((SessionStep.Outcome.Committed) decide(s, move("m", "a", "alike", 7, null), NOW)).commit();
        var applied = SessionStep.apply(s, c, 9);
        assertEquals(1, applied.outbound().size());
        assertNull(applied.outbound().getFirst().player());
        var event = (ServerMessage.Event) applied.outbound().getFirst().message();
        assertEquals(7, event.body().asInt());
        assertEquals(3, event.seq());
        assertEquals(9, applied.after().streamSeq());
        assertEquals(77, applied.storedAt(77).after().streamSeq());
        assertFalse(applied.closed());
        assertTrue(applied.tallies().isEmpty());
    }

    @Test
    void anEventSeenDifferentlyGoesToEachMemberApart() {
        var s = room(0);
        var c = ((SessionStep.Outcome.Committed) decide(s, move("m", "b", "secret", 5, null), NOW)).commit();
        var out = SessionStep.apply(s, c, 9).outbound();
        assertEquals(2, out.size());
        assertEquals("a", out.get(0).player());
        assertFalse(((ServerMessage.Event) out.get(0).message()).body().has("by"));
        assertEquals("b", out.get(1).player());
        assertEquals(5, ((ServerMessage.Event) out.get(1).message()).body().path("by").asInt());
    }

    @Test
    void eachEventsRollFactIsKeptBySeqAndEventsThatDeclareNoneAreLeftOut() {
        var s = room(0);
        var c = new Commit("s1", "toy", "TOY-0001", "a:y", "a", 0, 3, List.of(
                Json.tree(new ToyRules.Event("secret", "a", 2)), Json.tree(new ToyRules.Event("add", "a", 1)),
                Json.tree(new ToyRules.Event("secret", "b", 4))));
        var applied = SessionStep.apply(s, c, 10);
        assertEquals(Map.of(3L, new dev.runeforge.common.permalink.RollFact.Revealed("toyroll000000002", 2),
                5L, new dev.runeforge.common.permalink.RollFact.Revealed("toyroll000000004", 4)), applied.rolls());
        assertTrue(SessionStep.apply(s, new Commit("s1", "toy", "TOY-0001", "a:z", "a", 0, 3,
                List.of(Json.tree(new ToyRules.Event("add", "a", 1)))), 11).rolls().isEmpty());
    }

    @Test
    void eachEventsTallyIsKeptBySeqAndEventsThatAddNothingAreLeftOut() {
        var s = room(0);
        var c = new Commit("s1", "toy", "TOY-0001", "a:x", "a", 0, 3, List.of(
                Json.tree(new ToyRules.Event("add", "a", 2)), Json.tree(new ToyRules.Event("alike", "a", 1)),
                Json.tree(new ToyRules.Event("add", "b", 4))));
        var applied = SessionStep.apply(s, c, 10);
        assertEquals(Map.of(3L, Map.of("a", Map.of("adds", 2L)), 5L, Map.of("b", Map.of("adds", 4L))), applied.tallies());
        assertEquals(6, applied.after().state().count());
        assertEquals(5, applied.after().seq());
        assertTrue(applied.after().applied().contains("a:x"));
    }

    @Test
    void aKickedMemberIsToldTheyWereRemovedAndOnlyThey() {
        var s = room(0);
        var c = ((SessionStep.Outcome.Committed) decide(s, move("k", "a", "kick", 0, "b"), NOW)).commit();
        var out = SessionStep.apply(s, c, 9).outbound();
        assertEquals(new SessionStep.Outbound("b", new ServerMessage.Left("s1", "removed")), out.getLast());
        assertEquals(1, out.stream().filter(o -> o.message() instanceof ServerMessage.Left).count());
    }

    @Test
    void closingTheRoomTellsEveryRemainingMemberItClosedOnce() {
        var s = room(0);
        var c = ((SessionStep.Outcome.Committed) decide(s, move("x", "a", "close", 0, null), NOW)).commit();
        var applied = SessionStep.apply(s, c, 9);
        assertTrue(applied.closed());
        assertEquals(List.of(new SessionStep.Outbound("a", new ServerMessage.Left("s1", "closed")),
                new SessionStep.Outbound("b", new ServerMessage.Left("s1", "closed"))),
                applied.outbound().subList(1, 3));
        // Closing what is closed already is no news.
        var again = ((SessionStep.Outcome.Committed) decide(applied.after(), move("y", "a", "close", 0, null), NOW))
                .commit();
        var second = SessionStep.apply(applied.after(), again, 10);
        assertFalse(second.closed());
        assertEquals(1, second.outbound().size());
    }
}
