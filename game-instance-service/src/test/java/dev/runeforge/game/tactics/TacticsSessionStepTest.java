package dev.runeforge.game.tactics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.game.engine.SessionStep;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.State;
import org.junit.jupiter.api.Test;

/**
 * Tactics through the engine's pure core, as the game instance runs it: client JSON bodies parsed by the engine,
 * commits folded, views sent to everyone alike, the turn timer fired as a TIMER action, the session closed.
 */
class TacticsSessionStepTest {
    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
    private final SplittableRandom rng = new SplittableRandom(3);
    private LiveSession<State, Command, Event> session = LiveSession.empty(new TacticsRules(), "s1", "FORT-0001");
    private final List<SessionStep.Outbound> sent = new java.util.ArrayList<>();
    private long streamSeq;

    private SessionStep.Outcome step(String id, BusAction.Kind kind, String player, String body, Instant now) {
        JsonNode json = body == null ? null : Json.read(body, JsonNode.class);
        BusAction action = new BusAction(id, kind, "s1", player, player.substring(2), kind == BusAction.Kind.CREATE
                ? TacticsRules.ID : null, json, "conn", now.toEpochMilli());
        SessionStep.Outcome o = SessionStep.decide(session, action, now, rng);
        if (o instanceof SessionStep.Outcome.Committed c) {
            SessionStep.Applied<State, Command, Event> applied = SessionStep.apply(session, c.commit(), ++streamSeq);
            session = applied.after();
            sent.addAll(applied.outbound());
        }
        return o;
    }

    @Test
    void aDuelRunsThroughTheEngineAndItsTimer() {
        step("c", BusAction.Kind.CREATE, "g-ann", "{\"scenario\":\"duel\",\"turnSeconds\":30}", T0);
        step("j", BusAction.Kind.JOIN, "g-bob", null, T0);
        step("claim", BusAction.Kind.GAME, "g-bob", "{\"type\":\"claim\",\"unit\":\"raider\"}", T0);
        SessionStep.Outcome refused = step("start-bob", BusAction.Kind.GAME, "g-bob", "{\"type\":\"start\"}", T0);
        assertEquals(TacticsRules.NOT_HOST, ((SessionStep.Outcome.Rejected) refused).code());
        SessionStep.Outcome bad = step("x", BusAction.Kind.GAME, "g-ann", "{\"type\":\"teleport\"}", T0);
        assertEquals(ErrorCodes.INVALID_ACTION, ((SessionStep.Outcome.Rejected) bad).code());
        step("start", BusAction.Kind.GAME, "g-ann", "{\"type\":\"start\"}", T0);
        State s = session.state();
        assertEquals(TacticsModel.Phase.BATTLE, s.phase());
        String first = s.current();

        // Nobody sees more than anyone else: every event goes out once, to the whole session.
        assertTrue(sent.stream().filter(o -> o.message() instanceof ServerMessage.Event).allMatch(o -> o.player() == null));

        // An early timer changes nothing; a due one ends the turn.
        assertInstanceOf(SessionStep.Outcome.Unchanged.class,
                step("t1", BusAction.Kind.TIMER, "g-ann", "{}", T0.plusSeconds(29)));
        step("t2", BusAction.Kind.TIMER, "g-ann", "{}", T0.plusSeconds(30));
        assertTrue(!first.equals(session.state().current()), "the timer passed the turn on");
        assertEquals(T0.plusSeconds(60), session.rules().deadline(session.state()).orElseThrow());

        ServerMessage.Joined joined = SessionStep.joined(session, "g-bob", T0.plusSeconds(31));
        assertEquals(TacticsRules.ID, joined.game());
        JsonNode view = joined.view();
        assertEquals("Duel", view.path("scenario").asText());
        assertEquals(7, view.path("width").asInt());
        assertEquals(session.state().current(), view.path("current").asText());
        assertEquals(T0.plusSeconds(60).toEpochMilli(), view.path("turnEndsAt").asLong());
        assertEquals("turn_started", view.path("log").get(view.path("log").size() - 1).path("type").asText());

        // The host leaving closes it for everyone.
        step("l", BusAction.Kind.LEAVE, "g-ann", null, T0.plusSeconds(40));
        assertEquals(TacticsRules.HOST_LEFT, session.state().closed());
        assertTrue(sent.stream().anyMatch(o -> "g-bob".equals(o.player()) && o.message() instanceof ServerMessage.Left));
        SessionStep.Outcome after = step("m", BusAction.Kind.GAME, "g-bob", "{\"type\":\"end_turn\"}",
                T0.plusSeconds(41));
        assertInstanceOf(SessionStep.Outcome.Rejected.class, after);
        assertNull(session.rules().deadline(session.state()).orElse(null));
        assertEquals(Map.of("g-bob", "bob"), session.rules().memberNames(session.state()));
    }
}
