package dev.runeforge.game.rps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.rps.RpsModel.Choice;
import dev.runeforge.game.rps.RpsModel.Command;
import dev.runeforge.game.rps.RpsModel.Event;
import dev.runeforge.game.rps.RpsModel.Phase;
import dev.runeforge.game.rps.RpsModel.State;
import org.junit.jupiter.api.Test;

/** Rock-paper-scissors' rules, pure: decide, apply, project and view with a fixed clock; no server. */
class RpsRulesTest {
    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    private static final String ADA = "g-ada";
    private static final String BOB = "g-bob";
    private final RpsRules rules = new RpsRules();
    private Instant now = T0;

    private Context ctx(String who) {
        return new Context("s1", "ROCK-0001", who + ":" + now.toEpochMilli(), who, who.substring(2), now,
                new SplittableRandom(1));
    }

    private static List<Event> accepted(Decision<Event> d) {
        return assertInstanceOf(Decision.Accept.class, d).events().stream().map(Event.class::cast).toList();
    }

    private State fold(State s, Decision<Event> d) {
        for (Event e : accepted(d)) {
            s = rules.apply(s, e);
        }
        return s;
    }

    private State match(String settings) {
        State s = fold(rules.initial(), rules.open(rules.initial(), Json.read(settings, JsonNode.class), ctx(ADA)));
        return fold(s, rules.join(s, ctx(BOB)));
    }

    private static String code(Decision<Event> d) {
        return assertInstanceOf(Decision.Reject.class, d).code();
    }

    private Decision<Event> choose(State s, String who, Choice c) {
        return rules.decide(s, new Command.Choose(c), ctx(who));
    }

    @Test
    void theOpponentLearnsThatAPlayerChoseButNotWhatUntilTheReveal() {
        State s = match("{}");
        assertEquals(Phase.PLAYING, s.phase());
        Decision<Event> d = choose(s, ADA, Choice.ROCK);
        Event chose = accepted(d).getFirst();
        s = fold(s, d);
        assertEquals(Json.tree(chose), Json.tree(rules.project(s, chose, Viewer.of(ADA))));
        for (Viewer other : List.of(Viewer.of(BOB), Viewer.PUBLIC, Viewer.OUTSIDER)) {
            JsonNode seen = Json.tree(rules.project(s, chose, other));
            assertTrue(seen.path("choice").isMissingNode(), other + " saw " + seen);
            assertEquals(ADA, seen.path("player").asText());
            JsonNode view = Json.tree(rules.view(s, other));
            assertEquals("[{\"player\":\"g-ada\"}]", view.path("chosen").toString(), other + " view " + view);
        }
        assertEquals("rock", Json.tree(rules.view(s, Viewer.of(ADA))).path("chosen").get(0).path("choice").asText());

        List<Event> reveal = accepted(choose(s, BOB, Choice.SCISSORS));
        assertEquals(3, reveal.size());
        Event.RoundRevealed r = assertInstanceOf(Event.RoundRevealed.class, reveal.get(1));
        assertEquals(Map.of(ADA, Choice.ROCK, BOB, Choice.SCISSORS), r.round().choices());
        assertEquals(ADA, r.round().winner());
        assertEquals(Map.of(ADA, 1, BOB, 0), r.score());
        assertEquals(2, assertInstanceOf(Event.RoundStarted.class, reveal.get(2)).round());
    }

    @Test
    void theFirstToAMajorityWinsTheMatchAndItsTallyThenARematchStartsOver() {
        State s = match("{\"bestOf\":3}");
        s = fold(s, choose(s, ADA, Choice.PAPER));
        s = fold(s, choose(s, BOB, Choice.PAPER)); // a draw scores nothing
        assertNull(s.rounds().getFirst().winner());
        s = fold(s, choose(s, BOB, Choice.ROCK));
        s = fold(s, choose(s, ADA, Choice.PAPER));
        s = fold(s, choose(s, ADA, Choice.SCISSORS));
        List<Event> last = accepted(choose(s, BOB, Choice.PAPER));
        Event.MatchWon won = assertInstanceOf(Event.MatchWon.class, last.getLast());
        s = fold(s, choose(s, BOB, Choice.PAPER));
        assertEquals(Phase.OVER, s.phase());
        assertEquals(ADA, s.winner());
        assertEquals(Map.of(ADA, Map.of("encounters_won", 1L)), rules.tally(s, won));
        assertEquals(RpsRules.NOT_PLAYING, code(choose(s, BOB, Choice.ROCK)));
        s = fold(s, rules.decide(s, new Command.Rematch(), ctx(BOB)));
        assertEquals(List.of(Phase.PLAYING, 1, 2), List.of(s.phase(), s.round(), s.matches()));
        assertEquals(Map.of(), s.score());
        assertEquals(RpsRules.NOT_OVER, code(rules.decide(s, new Command.Rematch(), ctx(BOB))));
    }

    @Test
    void refusalsAreTypedAndChangeNothing() {
        State alone = fold(rules.initial(), rules.open(rules.initial(), null, ctx(ADA)));
        assertEquals(RpsRules.NOT_PLAYING, code(choose(alone, ADA, Choice.ROCK)));
        State s = match("{}");
        assertEquals(RpsRules.ROOM_FULL, code(rules.join(s, ctx("g-cy"))));
        assertEquals(RpsRules.INVALID_CHOICE, code(choose(s, ADA, null)));
        s = fold(s, choose(s, ADA, Choice.ROCK));
        assertEquals(RpsRules.ALREADY_CHOSE, code(choose(s, ADA, Choice.PAPER)));
        for (String bad : List.of("{\"bestOf\":4}", "{\"bestOf\":11}", "{\"bestOf\":\"3\"}", "{\"choiceSeconds\":2}",
                "{\"choiceSeconds\":1.5}")) {
            assertEquals(RpsRules.INVALID_SETTINGS, code(rules.open(rules.initial(), Json.read(bad, JsonNode.class),
                    ctx(ADA))), bad);
        }
        assertEquals("FORBIDDEN", code(rules.end(s, ctx(BOB))));
    }

    @Test
    void whoeverHasNotChosenWhenTheRoundsTimeRunsOutLosesIt() {
        State s = match("{\"choiceSeconds\":30}");
        assertEquals(T0.plusSeconds(30), rules.deadline(s).orElseThrow());
        s = fold(s, choose(s, BOB, Choice.ROCK));
        now = T0.plusSeconds(30);
        List<Event> events = accepted(rules.onDeadline(s, ctx("system")));
        Event.RoundRevealed r = assertInstanceOf(Event.RoundRevealed.class, events.getFirst());
        assertTrue(r.round().timedOut());
        assertEquals(BOB, r.round().winner());
        assertNull(r.round().choices().get(ADA));
        s = fold(s, rules.onDeadline(s, ctx("system")));
        assertEquals(now.plusSeconds(30), rules.deadline(s).orElseThrow(), "the next round has its own limit");
    }

    @Test
    void aMatchNobodyPlaysClosesAndTheLastToLeaveClosesIt() {
        State s = match("{}");
        assertEquals(T0.plus(RpsModel.Settings.DEFAULT.idle()), rules.deadline(s).orElseThrow());
        now = T0.plus(RpsModel.Settings.DEFAULT.idle());
        State closed = fold(s, rules.onDeadline(s, ctx("system")));
        assertEquals(RpsRules.EXPIRED, closed.closed());
        assertTrue(rules.closed(closed));
        State one = fold(s, rules.leave(s, ctx(BOB)));
        assertEquals(Phase.WAITING, one.phase());
        assertEquals(RpsRules.EMPTY, fold(one, rules.leave(one, ctx(ADA))).closed());
    }
}
