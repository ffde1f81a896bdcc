package dev.runeforge.game.tactics;

import static dev.runeforge.game.tactics.TacticsFixtures.BOB;
import static dev.runeforge.game.tactics.TacticsFixtures.CAROL;
import static dev.runeforge.game.tactics.TacticsFixtures.HOST;
import static dev.runeforge.game.tactics.TacticsFixtures.dice;
import static dev.runeforge.game.tactics.TacticsFixtures.message;
import static dev.runeforge.game.tactics.TacticsFixtures.owned;
import static dev.runeforge.game.tactics.TacticsFixtures.refusal;
import static dev.runeforge.game.tactics.TacticsFixtures.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.Phase;
import dev.runeforge.game.tactics.TacticsModel.Pos;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.UnitSpec;
import org.junit.jupiter.api.Test;

/** The tactics rules, pure: every error code, the movement rules' edge cases, initiative, attacks, timers, tallies. */
class TacticsRulesTest {
    private final TacticsFixtures f = new TacticsFixtures();
    private final TacticsRules rules = f.rules;

    private static final List<String> OPEN = List.of(
            "......",
            "......",
            "......",
            "......");

    /** Host's knight (blue) against Bob's orc (red), knight first. */
    private State duel(List<String> rows, int knightX, int knightY, int orcX, int orcY, int speed) {
        return f.battle(rows, unit("knight", "blue", knightX, knightY, speed),
                owned(unit("orc", "red", orcX, orcY, 4), BOB));
    }

    private Decision<Event> move(State s, String actor, String unit, int x, int y) {
        return rules.decide(s, new Command.Move(unit, x, y), f.ctx(actor));
    }

    private Decision<Event> attack(State s, String actor, String unit, String target, int... rolls) {
        return rules.decide(s, new Command.Attack(unit, target), f.ctx(actor, dice(rolls)));
    }

    // ---------------------------------------------------------------- error codes

    @Test
    void notYourTurnWhenAnotherUnitActs() {
        State s = duel(OPEN, 0, 0, 5, 0, 4);
        assertEquals(TacticsRules.NOT_YOUR_TURN, refusal(move(s, BOB, "orc", 4, 0)));
        assertEquals(TacticsRules.NOT_YOUR_TURN, refusal(attack(s, BOB, "orc", "knight")));
        assertEquals(TacticsRules.NOT_YOUR_TURN, refusal(rules.decide(s, new Command.EndTurn(), f.ctx(BOB))));
    }

    @Test
    void unitNotFoundNamesTheUnit() {
        State s = duel(OPEN, 0, 0, 5, 0, 4);
        assertEquals(TacticsRules.UNIT_NOT_FOUND, refusal(move(s, HOST, "dragon", 1, 0)));
        assertEquals(TacticsRules.UNIT_NOT_FOUND, refusal(attack(s, HOST, "knight", "dragon")));
        assertTrue(message(move(s, HOST, "dragon", 1, 0)).contains("dragon"));
    }

    @Test
    void notYourUnitForSomeoneElsesUnit() {
        State s = duel(OPEN, 0, 0, 5, 0, 4);
        assertEquals(TacticsRules.NOT_YOUR_UNIT, refusal(move(s, BOB, "knight", 1, 0)));
        assertEquals(TacticsRules.NOT_YOUR_UNIT, refusal(move(s, CAROL, "orc", 4, 0)));
        assertEquals(TacticsRules.NOT_YOUR_UNIT, refusal(rules.decide(f.setup(OPEN, unit("a", "x", 0, 0, 1),
                unit("b", "y", 1, 1, 1)), new Command.Release("a"), f.ctx(BOB))));
    }

    @Test
    void invalidMoveSaysWhy() {
        List<String> rows = List.of(
                "..#...",
                "..#...",
                "..#...",
                "..#...");
        State s = duel(rows, 0, 0, 5, 0, 3);
        assertTrue(message(move(s, HOST, "knight", 2, 0)).startsWith("blocked: (2,0) is a wall"));
        assertTrue(message(move(s, HOST, "knight", 9, 0)).startsWith("blocked: (9,0) is off the board"));
        assertTrue(message(move(s, HOST, "knight", -1, 0)).startsWith("blocked"));
        assertTrue(message(move(s, HOST, "knight", 0, 0)).startsWith("blocked"));
        assertTrue(message(move(s, HOST, "knight", 3, 0)).startsWith("unreachable"), "the wall splits the map");
        assertEquals(TacticsRules.INVALID_MOVE, refusal(move(s, HOST, "knight", 3, 0)));
        State open = duel(OPEN, 0, 0, 5, 3, 3);
        String far = message(move(open, HOST, "knight", 4, 0));
        assertTrue(far.startsWith("too far: (4,0) needs 4 movement, knight has 3 left"), far);
        assertTrue(message(move(open, HOST, "knight", 5, 3)).startsWith("blocked: (5,3) is taken by orc"));
        assertEquals(TacticsRules.INVALID_MOVE, refusal(rules.decide(open, new Command.Move("knight", null, 1),
                f.ctx(HOST))));
    }

    @Test
    void outOfRangeCountsDiagonalsAsOneStep() {
        State s = duel(OPEN, 0, 0, 2, 2, 4);
        assertEquals(TacticsRules.OUT_OF_RANGE, refusal(attack(s, HOST, "knight", "orc")));
        s = f.fold(s, move(s, HOST, "knight", 1, 1));
        assertInstanceOf(Decision.Accept.class, attack(s, HOST, "knight", "orc", 10, 3));
    }

    @Test
    void alreadyAttackedOncePerTurn() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        s = f.fold(s, attack(s, HOST, "knight", "orc", 2));
        assertEquals(TacticsRules.ALREADY_ATTACKED, refusal(attack(s, HOST, "knight", "orc", 15)));
        s = f.fold(s, move(s, HOST, "knight", 0, 1)); // moving after attacking is still fine
        s = f.fold(s, rules.decide(s, new Command.EndTurn(), f.ctx(HOST)));
        assertEquals("orc", s.current());
        assertFalse(s.attacked());
        assertEquals(0, s.moved());
    }

    @Test
    void unitDownCannotBeAttackedNorAct() {
        State s = f.battle(OPEN, unit("knight", "blue", 0, 0, 4), owned(unit("orc", "red", 1, 0, 4), BOB),
                owned(unit("orc2", "red", 5, 3, 4), BOB));
        s = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6)); // critical: 6+1 + 6 = 13 >= 10
        assertEquals(0, s.unit("orc").orElseThrow().hp());
        TacticsModel.Builder fresh = s.to();
        fresh.attacked = false;
        assertEquals(TacticsRules.UNIT_DOWN, refusal(rules.decide(fresh.build(), new Command.Attack("knight", "orc"),
                f.ctx(HOST))));
        State unattacked = f.battle(OPEN, unit("knight", "blue", 0, 0, 4), owned(unit("orc", "red", 1, 0, 4)
                .withHp(0), BOB), owned(unit("orc2", "red", 5, 3, 4), BOB));
        assertEquals(TacticsRules.UNIT_DOWN, refusal(attack(unattacked, HOST, "knight", "orc")));
        assertEquals(TacticsRules.UNIT_DOWN, refusal(move(unattacked, BOB, "orc", 2, 0)));
    }

    @Test
    void gameOverOnceOneSideStands() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        s = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6));
        assertEquals(Phase.OVER, s.phase());
        assertEquals("blue", s.winner());
        assertEquals(TacticsRules.GAME_OVER, refusal(move(s, HOST, "knight", 0, 1)));
        assertEquals(TacticsRules.GAME_OVER, refusal(attack(s, HOST, "knight", "orc")));
        assertEquals(TacticsRules.GAME_OVER, refusal(rules.decide(s, new Command.EndTurn(), f.ctx(HOST))));
        assertEquals(TacticsRules.GAME_OVER, refusal(rules.decide(s, new Command.Start(), f.ctx(HOST))));
    }

    @Test
    void invalidScenarioNamesTheField() {
        String bad = message(create("""
                {"scenario": {"name": "Bad", "map": ["....", "..#.", "...."],
                 "units": [{"id": "a", "name": "A", "side": "x", "x": 0, "y": 0, "hp": 5, "ac": 10, "speed": 3,
                            "attack": 2, "damage": "1d6"},
                           {"id": "b", "name": "B", "side": "y", "x": 2, "y": 1, "hp": 5, "ac": 10, "speed": 3,
                            "attack": 2, "damage": "1d6"}]}}"""));
        assertEquals("scenario.units[1]: (2,1) is a wall", bad);
        assertEquals(TacticsRules.INVALID_SCENARIO, refusal(create("{\"scenario\": \"nowhere\"}")));
        assertTrue(message(create("{\"scenario\": {\"name\": \"X\", \"map\": [\"....\", \"...\", \"....\"]}}"))
                .startsWith("scenario.map[1]: is 3 cells wide"));
        assertTrue(message(create("{\"scenario\": {\"name\": \"X\", \"map\": [\"....\", \"....\", \"....\"],"
                + "\"units\": [{\"id\": \"a\", \"name\": \"A\", \"side\": \"x\", \"x\": 0, \"y\": 0, \"hp\": 0}]}}"))
                .startsWith("scenario.units[0].hp: must be a whole number from 1 to 500"));
        assertTrue(message(create("{\"scenario\": {\"name\": \"X\", \"map\": [\"....\", \"....\", \"....\"],"
                + "\"units\": [{\"id\": \"a\", \"name\": \"A\", \"side\": \"x\", \"x\": 0, \"y\": 0, \"hp\": 3,"
                + "\"ac\": 10, \"speed\": 2, \"attack\": 1, \"damage\": \"1d7\"}]}}"))
                .startsWith("scenario.units[0].damage: "));
        assertEquals("scenario.units: need units of at least two sides", message(create(
                "{\"scenario\": {\"name\": \"X\", \"map\": [\"....\", \"....\", \"....\"],"
                        + "\"units\": [{\"id\": \"a\", \"name\": \"A\", \"side\": \"x\", \"x\": 0, \"y\": 0, "
                        + "\"hp\": 3, \"ac\": 10, \"speed\": 2, \"attack\": 1, \"damage\": \"1d6\"}]}}")));
        assertTrue(message(create("{\"scenario\": {\"name\": \"X\", \"map\": [\"..x.\", \"....\", \"....\"]}}"))
                .startsWith("scenario.map[0]: only"));
        assertTrue(message(create("{\"scenario\": {\"name\": \"X\", \"map\": [\"....\", \"....\", \"....\"], "
                + "\"units\": [{\"id\": \"a\", \"name\": \"A\", \"side\": \"x\", \"x\": 0, \"y\": 0, \"hp\": 3,"
                + "\"ac\": 10, \"speed\": 2, \"attack\": 1, \"damage\": \"1d6\", \"wings\": 2}]}}"))
                .startsWith("scenario.units[0].wings: unknown field"));
        assertEquals(TacticsRules.INVALID_SETTINGS, refusal(create("{\"turnSeconds\": 5}")));
    }

    @Test
    void builtInScenariosAreValidAsJson() throws Exception {
        for (var e : Scenarios.BUILT_IN.entrySet()) {
            var json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(e.getValue());
            json.remove(List.of("width", "height"));
            json.set("map", json.remove("rows"));
            for (JsonNode u : json.get("units")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) u).remove(List.of("maxHp", "owner"));
            }
            assertEquals(e.getValue(), Scenarios.parse(json), e.getKey());
        }
    }

    private Decision<Event> create(String settings) {
        return rules.create(rules.initial(), Json.read(settings, JsonNode.class), f.ctx(HOST));
    }

    @Test
    void setupErrors() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "blue", 1, 0, 3), unit("c", "red", 5, 3, 3));
        assertEquals(TacticsRules.NOT_STARTED, refusal(move(s, HOST, "a", 0, 1)));
        assertEquals(TacticsRules.NOT_STARTED, refusal(rules.decide(s, new Command.EndTurn(), f.ctx(HOST))));
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.Start(), f.ctx(BOB))));
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.SkipTurn(), f.ctx(BOB))));
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.RemoveUnit("a"), f.ctx(BOB))));
        s = f.fold(s, rules.decide(s, new Command.Claim("a"), f.ctx(BOB)));
        assertEquals(BOB, s.unit("a").orElseThrow().owner());
        assertEquals(TacticsRules.UNIT_TAKEN, refusal(rules.decide(s, new Command.Claim("a"), f.ctx(CAROL))));
        assertEquals(TacticsRules.WRONG_SIDE, refusal(rules.decide(s, new Command.Claim("c"), f.ctx(BOB))));
        assertEquals(TacticsRules.UNIT_NOT_FOUND, refusal(rules.decide(s, new Command.Claim("z"), f.ctx(BOB))));
        assertEquals(TacticsRules.PLAYER_NOT_FOUND, refusal(rules.decide(s, new Command.Assign("c", "g-nobody"),
                f.ctx(HOST))));
        assertEquals(TacticsRules.PLAYER_NOT_FOUND, refusal(rules.decide(s, new Command.Kick("g-nobody"),
                f.ctx(HOST))));
        assertEquals(TacticsRules.CANNOT_KICK_SELF, refusal(rules.decide(s, new Command.Kick(HOST), f.ctx(HOST))));
        assertEquals(TacticsRules.INVALID_UNIT, refusal(rules.decide(s, new Command.AddUnit(new UnitSpec("Imp",
                "red", 0, 0, 5, 10, 3, 1, "1d4", 1, 0)), f.ctx(HOST))));
        assertEquals("unit.hp: must be a whole number from 1 to 500 (missing)", message(rules.decide(s,
                new Command.AddUnit(new UnitSpec("Imp", "red", 3, 3, null, 10, 3, 1, "1d4", 1, 0)), f.ctx(HOST))));
        State noRed = f.fold(s, rules.decide(s, new Command.RemoveUnit("c"), f.ctx(HOST)));
        assertEquals(TacticsRules.NOT_READY, refusal(rules.decide(noRed, new Command.Start(), f.ctx(HOST))));
        State started = f.fold(s, rules.decide(s, new Command.Start(), f.ctx(HOST)));
        assertEquals(Phase.BATTLE, started.phase());
        assertEquals(TacticsRules.ALREADY_STARTED, refusal(rules.decide(started, new Command.Start(), f.ctx(HOST))));
        assertEquals(TacticsRules.ALREADY_STARTED, refusal(rules.decide(started, new Command.Claim("b"),
                f.ctx(CAROL))));
        State kicked = f.fold(s, rules.decide(s, new Command.Kick(BOB), f.ctx(HOST)));
        assertNull(kicked.unit("a").orElseThrow().owner(), "a kicked player's units go back to the host");
        assertEquals(List.of(BOB), rules.barred(kicked));
        assertEquals(TacticsRules.KICKED, refusal(rules.join(kicked, f.ctx(BOB))));
    }

    @Test
    void invalidTargetOnYourOwnSide() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "blue", 1, 0, 3), unit("c", "red", 5, 3, 3));
        assertEquals(TacticsRules.INVALID_TARGET, refusal(attack(s, HOST, "a", "b")));
    }

    @Test
    void roomFullAtMaxPlayers() {
        TacticsFixtures small = new TacticsFixtures(new TacticsRules(new TacticsRules.Settings(3, 60,
                Duration.ofHours(1))));
        State s = small.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("c", "red", 5, 3, 3));
        assertEquals(TacticsRules.ROOM_FULL, refusal(small.rules.join(s, small.ctx("g-dave"))));
        assertInstanceOf(Decision.Accept.class, small.rules.join(s, small.ctx(BOB)), "a member joins again");
    }

    // ---------------------------------------------------------------- movement edge cases

    @Test
    void blockedCorridorIsUnreachable() {
        List<String> rows = List.of(
                "###.##",
                "......",
                "###.##");
        // The only way from the left to the right runs through (3,1); an enemy stands in it.
        State s = f.battle(rows, unit("knight", "blue", 0, 1, 10), owned(unit("orc", "red", 3, 1, 4), BOB));
        assertTrue(message(move(s, HOST, "knight", 5, 1)).startsWith("unreachable"));
        assertInstanceOf(Decision.Accept.class, move(s, HOST, "knight", 2, 1));
    }

    @Test
    void difficultTerrainCostsTwoExactlyAtTheLimit() {
        List<String> rows = List.of(
                "######",
                ".~~...",
                "######");
        State s = f.battle(rows, unit("knight", "blue", 0, 1, 4), owned(unit("orc", "red", 5, 1, 4), BOB));
        Decision<Event> ok = move(s, HOST, "knight", 2, 1);
        Event.Moved moved = (Event.Moved) ((Decision.Accept<Event>) ok).events().getFirst();
        assertEquals(4, moved.cost());
        assertEquals(List.of(new Pos(1, 1), new Pos(2, 1)), moved.path());
        String far = message(move(s, HOST, "knight", 3, 1));
        assertTrue(far.startsWith("too far: (3,1) needs 5 movement, knight has 4 left"), far);
        // Movement is spent across moves: 2 now, then only 2 left.
        State after = f.fold(s, move(s, HOST, "knight", 1, 1));
        assertEquals(2, after.moved());
        assertTrue(message(move(after, HOST, "knight", 3, 1)).startsWith("too far: (3,1) needs 3 movement, knight has 2"));
        assertInstanceOf(Decision.Accept.class, move(after, HOST, "knight", 2, 1));
    }

    @Test
    void pathGoesAroundEnemiesAndCostsTheDetour() {
        List<String> rows = List.of(
                ".....",
                ".....",
                ".....");
        State s = f.battle(rows, unit("knight", "blue", 0, 1, 4), owned(unit("orc", "red", 1, 1, 4), BOB),
                owned(unit("orc2", "red", 4, 2, 4), BOB));
        Event.Moved m = (Event.Moved) ((Decision.Accept<Event>) move(s, HOST, "knight", 2, 1)).events().getFirst();
        assertEquals(2, m.cost(), "a diagonal step past the orc and one back");
        assertFalse(m.path().contains(new Pos(1, 1)));
    }

    @Test
    void alliesArePassableButNotStoppable() {
        List<String> rows = List.of(
                "#####",
                ".....",
                "#####");
        State s = f.battle(rows, unit("knight", "blue", 0, 1, 3), unit("squire", "blue", 1, 1, 3),
                owned(unit("orc", "red", 4, 1, 4), BOB));
        assertTrue(message(move(s, HOST, "knight", 1, 1)).startsWith("blocked: (1,1) is taken by squire"));
        Event.Moved m = (Event.Moved) ((Decision.Accept<Event>) move(s, HOST, "knight", 2, 1)).events().getFirst();
        assertEquals(List.of(new Pos(1, 1), new Pos(2, 1)), m.path());
    }

    @Test
    void noCuttingAWallsCorner() {
        List<String> rows = List.of(
                ".#...",
                ".....",
                ".....");
        State s = f.battle(rows, unit("knight", "blue", 0, 0, 1), owned(unit("orc", "red", 4, 2, 4), BOB));
        assertTrue(message(move(s, HOST, "knight", 1, 1)).startsWith("too far: (1,1) needs 2"));
        assertInstanceOf(Decision.Accept.class, move(s, HOST, "knight", 0, 1));
    }

    @Test
    void gridEdgesAndZeroSpeed() {
        State s = duel(OPEN, 0, 0, 5, 3, 0);
        assertTrue(message(move(s, HOST, "knight", 1, 0)).startsWith("too far: (1,0) needs 1 movement, knight has 0"));
        assertTrue(Board.reachable(s, s.unit("knight").orElseThrow(), 0).isEmpty());
        State corner = duel(OPEN, 0, 0, 5, 3, 1);
        assertEquals(3, Board.reachable(corner, corner.unit("knight").orElseThrow(), 1).size(),
                "a corner has three neighbours");
        assertTrue(message(move(corner, HOST, "knight", 0, -1)).contains("off the board"));
        // A zero-speed unit still attacks and ends its turn.
        State adjacent = duel(OPEN, 0, 0, 1, 1, 0);
        assertInstanceOf(Decision.Accept.class, attack(adjacent, HOST, "knight", "orc", 2));
    }

    // ---------------------------------------------------------------- initiative, attacks, turns

    @Test
    void initiativeTiesGoToTheHigherModifierThenScenarioOrder() {
        var a = unit("a", "blue", 0, 0, 3);
        var b = new TacticsModel.Unit("b", "b", "red", 5, 3, 10, 10, 12, 3, 4, "1d6", 1, 2, null);
        var c = unit("c", "red", 5, 0, 3);
        State s = f.setup(OPEN, a, b, c);
        // a: 15+0, b: 13+2, c: 15+0 -> b (modifier 2), then a and c in scenario order.
        Decision<Event> d = rules.decide(s, new Command.Start(), f.ctx(HOST, dice(15, 13, 15)));
        s = f.fold(s, d);
        assertEquals(List.of("b", "a", "c"), s.order());
        assertEquals("b", s.current());
        assertEquals(1, s.round());
    }

    @Test
    void naturalTwentyIsACriticalAndNaturalOneAlwaysMisses() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        Event.Attacked crit = (Event.Attacked) ((Decision.Accept<Event>) attack(s, HOST, "knight", "orc", 20, 3, 4))
                .events().getFirst();
        assertTrue(crit.hit() && crit.critical());
        assertEquals(3 + 1 + 4, crit.damage(), "the dice twice, the modifier once");
        assertEquals(24, crit.total());
        assertEquals(2, crit.hp());
        var fumble = new TacticsModel.Unit("knight", "knight", "blue", 0, 0, 10, 10, 12, 4, 30, "1d6", 1, 0, null);
        State strong = f.battle(OPEN, fumble, owned(unit("orc", "red", 1, 0, 4), BOB));
        Event.Attacked miss = (Event.Attacked) ((Decision.Accept<Event>) attack(strong, HOST, "knight", "orc", 1))
                .events().getFirst();
        assertFalse(miss.hit());
        assertEquals(0, miss.damage());
        assertNull(miss.dice());
        Event.Attacked normal = (Event.Attacked) ((Decision.Accept<Event>) attack(s, HOST, "knight", "orc", 8))
                .events().getFirst();
        assertTrue(normal.hit(), "8 + 4 meets AC 12");
        Event.Attacked low = (Event.Attacked) ((Decision.Accept<Event>) attack(s, HOST, "knight", "orc", 7))
                .events().getFirst();
        assertFalse(low.hit(), "7 + 4 misses AC 12");
    }

    @Test
    void turnsSkipDownedUnitsAndCountRounds() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 1, 0, 3), BOB),
                owned(unit("c", "red", 5, 3, 3), BOB));
        s = f.fold(s, attack(s, HOST, "a", "b", 20, 6, 6)); // b down
        s = f.fold(s, rules.decide(s, new Command.EndTurn(), f.ctx(HOST)));
        assertEquals("c", s.current());
        s = f.fold(s, rules.decide(s, new Command.EndTurn(), f.ctx(BOB)));
        assertEquals("a", s.current());
        assertEquals(2, s.round());
        s = f.fold(s, rules.decide(s, new Command.SkipTurn(), f.ctx(HOST)));
        assertEquals("c", s.current());
        assertEquals("skipped", ((Event.TurnEnded) s.log().get(s.log().size() - 2)).reason());
    }

    @Test
    void removingTheCurrentUnitPassesTheTurnAndRemovingTheLastEnemyWins() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 1, 0, 3), BOB),
                owned(unit("c", "red", 5, 3, 3), BOB));
        s = f.fold(s, rules.decide(s, new Command.RemoveUnit("a"), f.ctx(HOST)));
        assertEquals(Phase.OVER, s.phase(), "only red stands");
        assertEquals("red", s.winner());
        State t = f.battle(OPEN, unit("a", "blue", 0, 0, 3), unit("d", "blue", 0, 3, 3),
                owned(unit("b", "red", 1, 0, 3), BOB));
        t = f.fold(t, rules.decide(t, new Command.RemoveUnit("a"), f.ctx(HOST)));
        assertEquals("d", t.current());
        assertEquals(List.of("d", "b"), t.order());
    }

    @Test
    void unitsAddedInBattleRollInitiativeAndTakeTheirPlace() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 1, 0, 3), BOB));
        // a has 20, b 19; the newcomer rolls 19 + 1 = 20 with a higher modifier than a's: it goes first.
        s = f.fold(s, rules.decide(s, new Command.AddUnit(new UnitSpec("Imp", "red", 3, 3, 5, 10, 3, 1, "1d4", 1, 1)),
                f.ctx(HOST, dice(19))));
        assertEquals(List.of("u1", "a", "b"), s.order());
        assertEquals("a", s.current(), "the turn in progress goes on");
    }

    @Test
    void turnTimerEndsAnIdleTurnAndZeroTurnsItOff() {
        State s = duel(OPEN, 0, 0, 5, 3, 3);
        Instant due = rules.deadline(s).orElseThrow();
        assertEquals(TacticsFixtures.T0.plusSeconds(60), due);
        f.now = due;
        s = f.fold(s, rules.onDeadline(s, f.ctx("g-timer")));
        assertEquals("orc", s.current());
        Event.TurnEnded ended = (Event.TurnEnded) s.log().get(s.log().size() - 2);
        assertEquals("timeout", ended.reason());
        assertEquals(TacticsFixtures.T0.plusSeconds(120), rules.deadline(s).orElseThrow());
        State off = f.fold(rules.initial(), rules.create(rules.initial(),
                Json.read("{\"scenario\":\"duel\",\"turnSeconds\":0}", JsonNode.class), f.ctx(HOST)));
        off = f.fold(off, rules.decide(off, new Command.Start(), f.ctx(HOST)));
        assertEquals(TacticsFixtures.T0.plusSeconds(60).plus(Duration.ofHours(2)),
                rules.deadline(off).orElseThrow(), "only the idle close is left");
        f.now = TacticsFixtures.T0.plusSeconds(60).plus(Duration.ofHours(2));
        off = f.fold(off, rules.onDeadline(off, f.ctx("g-timer")));
        assertEquals(TacticsRules.EXPIRED, off.closed());
        assertTrue(rules.closed(off));
    }

    @Test
    void hostEndsTheEncounterOthersMayNot() {
        State s = duel(OPEN, 0, 0, 5, 3, 3);
        assertEquals(ErrorCodes.FORBIDDEN, refusal(rules.end(s, f.ctx(BOB))));
        s = f.fold(s, rules.end(s, f.ctx(HOST)));
        assertTrue(rules.closed(s));
        assertEquals(ErrorCodes.ROOM_NOT_FOUND, refusal(move(s, HOST, "knight", 1, 0)));
        assertEquals(java.util.Optional.of(HOST), rules.host(s));
        assertEquals(Map.of(HOST, "host", BOB, "bob", CAROL, "carol"), rules.memberNames(s));
    }

    @Test
    void tallyCountsRollsNaturalTwentiesAndWins() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        Decision.Accept<Event> a = (Decision.Accept<Event>) attack(s, HOST, "knight", "orc", 20, 6, 6);
        Event attackEvent = a.events().get(0);
        Event won = a.events().get(1);
        State after = rules.apply(s, attackEvent);
        assertEquals(Map.of(HOST, Map.of("rolls", 1L, "natural_20s", 1L)), rules.tally(after, attackEvent));
        assertEquals(Map.of(HOST, Map.of("encounters_won", 1L)), rules.tally(rules.apply(after, won), won));
        Decision.Accept<Event> plain = (Decision.Accept<Event>) attack(s, HOST, "knight", "orc", 2);
        assertEquals(Map.of(HOST, Map.of("rolls", 1L)), rules.tally(s, plain.events().getFirst()));
    }

    @Test
    void hostLeavingClosesAPlayerLeavingHandsUnitsBack() {
        State s = duel(OPEN, 0, 0, 5, 3, 3);
        State bobGone = f.fold(s, rules.leave(s, f.ctx(BOB)));
        assertNull(bobGone.unit("orc").orElseThrow().owner());
        assertFalse(rules.closed(bobGone));
        State hostGone = f.fold(s, rules.leave(s, f.ctx(HOST)));
        assertEquals(TacticsRules.HOST_LEFT, hostGone.closed());
    }
}
