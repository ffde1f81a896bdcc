package dev.runeforge.game.tactics;

import static dev.runeforge.game.tactics.TacticsFixtures.BOB;
import static dev.runeforge.game.tactics.TacticsFixtures.HOST;
import static dev.runeforge.game.tactics.TacticsFixtures.message;
import static dev.runeforge.game.tactics.TacticsFixtures.owned;
import static dev.runeforge.game.tactics.TacticsFixtures.refusal;
import static dev.runeforge.game.tactics.TacticsFixtures.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;
import dev.runeforge.game.tactics.TacticsModel.UnitSpec;
import org.junit.jupiter.api.Test;

/** The other side of each tactics rule that the scenario tests do not reach: settings, closing, timers, views. */
class TacticsEdgesTest {
    private final TacticsFixtures f = new TacticsFixtures();
    private final TacticsRules rules = f.rules;

    private static final List<String> OPEN = List.of(
            "......",
            "......",
            "......",
            "......");

    private Decision<Event> create(String settings) {
        return rules.open(rules.initial(), settings == null ? null : Json.read(settings, JsonNode.class), f.ctx(HOST));
    }

    private State closed(State s) {
        return rules.apply(s, new Event.EncounterClosed(TacticsRules.ENDED, f.now.toEpochMilli()));
    }

    @Test
    void settingsNeedTwoPlayersAndATurnTimerOfNoneOrTenSecondsToAnHour() {
        Duration idle = Duration.ofHours(2);
        assertThrows(IllegalArgumentException.class, () -> new TacticsRules.Settings(1, 90, idle));
        assertThrows(IllegalArgumentException.class, () -> new TacticsRules.Settings(2, 9, idle));
        assertThrows(IllegalArgumentException.class, () -> new TacticsRules.Settings(2, 3601, idle));
        assertEquals(0, new TacticsRules.Settings(2, 0, idle).turnSeconds());
        assertEquals(10, new TacticsRules.Settings(2, 10, idle).turnSeconds());
        assertEquals(3600, new TacticsRules.Settings(2, 3600, idle).turnSeconds());
        assertEquals(State.class, rules.stateType());
    }

    @Test
    void aCreatorWithAnInvalidNameIsRefused() {
        Context badName = new Context("s1", "FORT-0001", "x:1", HOST, "<script>", f.now, new java.util.SplittableRandom(1));
        assertEquals(ErrorCodes.INVALID_NAME, refusal(rules.open(rules.initial(), null, badName)));
    }

    @Test
    void withoutSettingsOrWithANullScenarioTheDuelIsPlayedOnTheDefaultTimer() {
        for (String settings : new String[] {null, "{}", "{\"scenario\": null, \"turnSeconds\": null}"}) {
            State s = f.fold(rules.initial(), create(settings));
            assertEquals("Duel", s.scenario(), settings);
            assertEquals(TacticsRules.Settings.DEFAULT.turnSeconds(), s.turnSeconds(), settings);
        }
    }

    @Test
    void aValidCustomScenarioIsPlayed() {
        State s = f.fold(rules.initial(), create("""
                {"scenario": {"name": "Yard", "map": ["....", "....", "...."],
                 "units": [{"id": "a", "name": "A", "side": "x", "x": 0, "y": 0, "hp": 5, "ac": 10, "speed": 3,
                            "attack": 2, "damage": "1d6"},
                           {"id": "b", "name": "B", "side": "y", "x": 3, "y": 2, "hp": 5, "ac": 10, "speed": 3,
                            "attack": 2, "damage": "1d6"}]}, "turnSeconds": 0}"""));
        assertEquals("Yard", s.scenario());
        assertEquals(2, s.units().size());
        assertEquals(0, s.turnSeconds());
    }

    @Test
    void aTurnTimerThatIsNotAWholeNumberInRangeIsRefused() {
        for (String t : new String[] {"\"60\"", "1.5", "10000000000", "9", "3601", "-10"}) {
            assertEquals(TacticsRules.INVALID_SETTINGS, refusal(create("{\"turnSeconds\": " + t + "}")), t);
        }
        assertTrue(message(create("{\"turnSeconds\": 5}")).startsWith("turnSeconds: 0 (no timer)"));
        assertEquals(10, f.fold(rules.initial(), create("{\"turnSeconds\": 10}")).turnSeconds());
        assertEquals(3600, f.fold(rules.initial(), create("{\"turnSeconds\": 3600}")).turnSeconds());
    }

    @Test
    void aClosedEncounterRefusesJoiningLeavingAndEnding() {
        State s = closed(f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3)));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.join(s, f.ctx("g-dora"))));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.leave(s, f.ctx(BOB))));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(rules.end(s, f.ctx(HOST))));
        assertTrue(rules.deadline(s).isEmpty());
    }

    @Test
    void anEncounterHoldsAtMost32Units() {
        List<String> rows = List.of("........", "........", "........", "........", "........", "........");
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < Scenarios.MAX_UNITS; i++) {
            units.add(unit("u" + i, i % 2 == 0 ? "blue" : "red", i % 8, i / 8, 3));
        }
        State s = f.setup(rows, units.toArray(Unit[]::new));
        UnitSpec spec = new UnitSpec("Extra", "blue", 7, 5, 5, 10, 3, 2, "1d6", null, null);
        Decision<Event> d = rules.decide(s, new Command.AddUnit(spec), f.ctx(HOST));
        assertEquals(TacticsRules.INVALID_UNIT, refusal(d));
        assertEquals("at most 32 units", message(d));
    }

    @Test
    void aFallenUnitRollsNoInitiative() {
        Unit fallen = new Unit("c", "c", "red", 3, 3, 0, 10, 12, 3, 4, "1d6+1", 1, 0, null);
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3), fallen);
        s = f.fold(s, rules.decide(s, new Command.Start(), f.ctx(HOST)));
        assertEquals(2, s.initiative().size());
        assertFalse(s.order().contains("c"));
    }

    @Test
    void aUnitWhoseDamageCannotBeReadFailsLoudlyRatherThanGuess() {
        Unit broken = new Unit("a", "a", "blue", 0, 0, 10, 10, 12, 3, 4, "lots", 1, 0, null);
        State s = f.battle(OPEN, broken, owned(unit("b", "red", 1, 0, 3), BOB));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rules.decide(s,
                new Command.Attack("a", "b"), f.ctx(HOST, TacticsFixtures.dice(20))));
        assertEquals("a unit's damage was validated when it was made", e.getMessage());
    }

    @Test
    void aTimerBeforeTheTurnEndsOrWithoutATurnTimerDoesNothing() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 5, 3, 3), BOB)); // 60 s turns
        Instant turnEnds = rules.deadline(s).orElseThrow();
        assertEquals(f.now.plusSeconds(60), turnEnds);
        f.now = turnEnds.minusMillis(1);
        assertTrue(((Decision.Accept<Event>) rules.onDeadline(s, f.ctx("system"))).events().isEmpty());

        State setup = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        assertEquals(f.now.plusSeconds(3600), rules.deadline(setup).orElseThrow(), "idle expiry only");
        assertTrue(((Decision.Accept<Event>) rules.onDeadline(setup, f.ctx("system"))).events().isEmpty());
    }

    @Test
    void anEncounterNotYetCreatedHasNoHostNoDeadlineAndAnEmptyView() {
        State s = rules.initial();
        assertTrue(rules.deadline(s).isEmpty());
        assertEquals(Optional.empty(), rules.host(s));
        assertFalse(s.isHost(HOST));
        assertNull(((TacticsModel.View) rules.view(s, Viewer.of(HOST))).host());
    }

    @Test
    void membersSeeEachOthersChatInEventsAndOutsidersSeeItsShapeOnly() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        Decision.Accept<Event> said = assertInstanceOf(Decision.Accept.class,
                rules.decide(s, new Command.Say("hello"), f.ctx(BOB)));
        Event chat = said.events().getFirst();
        s = rules.apply(s, chat);
        assertEquals(chat, rules.project(s, chat, Viewer.of(HOST)));
        assertEquals(chat, rules.project(s, chat, Viewer.PUBLIC));
        assertNull(((Event.Chatted) rules.project(s, chat, Viewer.OUTSIDER)).text());
        Event joined = new Event.PlayerJoined(new TacticsModel.Player("g-dora", "dora"), 0);
        assertEquals(joined, rules.project(s, joined, Viewer.OUTSIDER));
    }

    @Test
    void aUnitDoesNotBlockItsOwnCell() {
        Unit a = unit("a", "blue", 0, 0, 3);
        State s = f.setup(OPEN, a, unit("b", "red", 1, 0, 3));
        assertEquals(Optional.empty(), Board.blocked(s, a, a.pos()));
        assertEquals(Optional.of("(1,0) is taken by b"), Board.blocked(s, a, new TacticsModel.Pos(1, 0)));
    }

    @Test
    void inBattleBeforeTheFirstTurnStartsOnlyTheIdleExpiryIsDue() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        s = rules.apply(s, new Event.InitiativeRolled(List.of(), List.of("a", "b"), f.now.toEpochMilli()));
        assertEquals(TacticsModel.Phase.BATTLE, s.phase());
        assertEquals(TacticsFixtures.T0.plusSeconds(3600), rules.deadline(s).orElseThrow());
    }

    @Test
    void aUnitAddedInBattleTakesItsPlaceAmongTheRolledAndSkipsUnitsWithoutARoll() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        long at = f.now.toEpochMilli();
        s = rules.apply(s, new Event.InitiativeRolled(List.of(new TacticsModel.InitiativeRoll("b", 5, 0, 5)),
                List.of("a", "b"), at)); // "a" in the order without a roll, as a hand-edited log could have it
        Unit c = unit("c", "blue", 2, 2, 3);
        s = rules.apply(s, new Event.UnitAdded(c, new TacticsModel.InitiativeRoll("c", 9, 0, 9), HOST, at));
        assertEquals(List.of("a", "c", "b"), s.order());
    }

    @Test
    void aSnapshotFromBeforeRematchesHasNoStartLineUpAndUnitsStillComeAndGo() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(s);
        old.remove("start");
        State read = Json.convert(old, State.class);
        assertNull(read.start());
        long at = f.now.toEpochMilli();
        State added = rules.apply(read, new Event.UnitAdded(unit("c", "blue", 2, 2, 3), null, HOST, at));
        assertNull(added.start());
        assertEquals(3, added.units().size());
        State removed = rules.apply(added, new Event.UnitRemoved("a", HOST, at));
        assertNull(removed.start());
        assertEquals(List.of("b", "c"), removed.units().stream().map(Unit::id).toList());
    }

    private State over(State s) {
        return rules.apply(s, new Event.EncounterWon("blue", List.of(HOST), null, f.now.toEpochMilli()));
    }

    private List<Unit> rematched(State s) {
        Decision.Accept<Event> d = assertInstanceOf(Decision.Accept.class,
                rules.decide(s, new Command.Rematch(), f.ctx(HOST)));
        return ((Event.EncounterReset) d.events().getFirst()).units();
    }

    @Test
    void aRematchOnAFullBoardLeavesOutTheUnitThatHasNowhereToStand() {
        // Nine cells, ten units: the host added "j" where "e" started, after "e" fell (the log allows it).
        List<String> rows = List.of("...", "...", "...");
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            units.add(unit(String.valueOf((char) ('a' + i)), i % 2 == 0 ? "blue" : "red", i % 3, i / 3, 3));
        }
        units.add(unit("j", "red", 1, 1, 3));
        List<Unit> placed = rematched(over(f.setup(rows, units.toArray(Unit[]::new))));
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"), placed.stream().map(Unit::id).toList());
        assertEquals(9, placed.stream().map(Unit::pos).distinct().count());
    }

    @Test
    void aRematchMovesALaterUnitOffAStartCellPastWallsAndTakenCells() {
        // "c" started where "a" did; ring 1 around (1,1) holds a wall at (0,0), and "b" on (1,0): "c" goes to (2,0).
        List<String> rows = List.of("#..", "...", "...");
        List<Unit> placed = rematched(over(f.setup(rows, unit("a", "blue", 1, 1, 3), unit("b", "red", 1, 0, 3),
                unit("c", "red", 1, 1, 3))));
        assertEquals(new TacticsModel.Pos(2, 0), placed.get(2).pos());
    }

    @Test
    void endingTheTurnOfTheLastStandingUnitInABattleIsAnInconsistencyNotATurn() {
        Unit fallen = new Unit("b", "b", "red", 5, 3, 0, 10, 12, 3, 4, "1d6+1", 1, 0, BOB);
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), fallen);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> rules.decide(s, new Command.EndTurn(), f.ctx(HOST)));
        assertEquals("a battle with a single standing unit is over", e.getMessage());
    }

    @Test
    void theNextTurnSkipsAnIdInTheOrderThatNamesNoUnit() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 5, 3, 3), BOB));
        long at = f.now.toEpochMilli();
        s = rules.apply(s, new Event.InitiativeRolled(List.of(), List.of("a", "ghost", "b"), at));
        s = rules.apply(s, new Event.TurnStarted("a", 1, at));
        State next = f.fold(s, rules.decide(s, new Command.EndTurn(), f.ctx(HOST)));
        assertEquals("b", next.current());
    }

    @Test
    void aStrangerIsNoMember() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        assertTrue(rules.isMember(s, BOB));
        assertFalse(rules.isMember(s, "g-stranger"));
    }

    @Test
    void aUnitWhoseTurnBeganOutsideTheOrderHandsItToTheLastStandingUnitOfTheOrder() {
        // "c" was added in battle without a roll (as a hand-edited log could have it) and got the turn; of the
        // order, only its last unit still stands.
        Unit fallen = new Unit("a", "a", "red", 0, 0, 0, 10, 12, 3, 4, "1d6+1", 1, 0, null);
        State s = f.setup(OPEN, fallen, owned(unit("b", "red", 5, 3, 3), BOB));
        long at = f.now.toEpochMilli();
        s = rules.apply(s, new Event.InitiativeRolled(List.of(), List.of("a", "b"), at));
        s = rules.apply(s, new Event.UnitAdded(unit("c", "blue", 2, 2, 3), null, HOST, at));
        s = rules.apply(s, new Event.TurnStarted("c", 1, at));
        State next = f.fold(s, rules.decide(s, new Command.EndTurn(), f.ctx(HOST)));
        assertEquals("b", next.current());
        assertEquals(1, next.round());
    }

    @Test
    void aRematchFindsTheLastFreeCellOfARingInItsBottomLeftCorner() {
        // "i" started where "a" did; every other cell of the ring around (1,1) is taken but (0,2).
        List<String> rows = List.of("...", "...", "...");
        List<Unit> placed = rematched(over(f.setup(rows, unit("a", "blue", 1, 1, 3), unit("b", "red", 0, 0, 3),
                unit("c", "red", 1, 0, 3), unit("d", "red", 2, 0, 3), unit("e", "red", 0, 1, 3),
                unit("f", "red", 2, 1, 3), unit("g", "red", 1, 2, 3), unit("h", "red", 2, 2, 3),
                unit("i", "blue", 1, 1, 3))));
        assertEquals(9, placed.size());
        assertEquals(new TacticsModel.Pos(0, 2), placed.getLast().pos());
    }

    @Test
    void theCombatLogKeepsTheNewestHundredEvents() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 5, 3, 3), BOB));
        long at = f.now.toEpochMilli();
        for (int round = 2; s.log().size() < TacticsModel.LOG; round++) {
            s = rules.apply(s, new Event.TurnStarted("a", round, at));
        }
        Event first = s.log().getFirst();
        Event second = s.log().get(1);
        s = rules.apply(s, new Event.TurnStarted("b", 999, at));
        assertEquals(TacticsModel.LOG, s.log().size());
        assertEquals(second, s.log().getFirst(), "the oldest went: " + first);
        assertEquals(new Event.TurnStarted("b", 999, at), s.log().getLast());
    }
}
