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
        return rules.open(rules.initial(), Json.read(settings, JsonNode.class), f.ctx(HOST));
    }

    @Test
    void theHostLocksTheEncounterAndNobodyNewJoinsButPlayersComeBack() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("c", "red", 5, 3, 3));
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.Lock(true), f.ctx(BOB))));
        s = f.fold(s, rules.decide(s, new Command.Lock(true), f.ctx(HOST)));
        assertTrue(Json.tree(rules.view(s, dev.runeforge.game.engine.Viewer.of(BOB))).path("locked").asBoolean());
        assertTrue(((Decision.Accept<Event>) rules.decide(s, new Command.Lock(null), f.ctx(HOST))).events().isEmpty(),
                "absent means lock, and locking a locked encounter tells nobody anything");
        assertEquals(ErrorCodes.ROOM_LOCKED, refusal(rules.join(s, f.ctx("g-dave"))));
        assertInstanceOf(Decision.Accept.class, rules.join(s, f.ctx(BOB)), "a player comes back");
        assertEquals(ErrorCodes.ROOM_LOCKED, refusal(rules.join(Json.read(Json.bytes(s), State.class), f.ctx("g-dave"))));
        s = f.fold(s, rules.decide(s, new Command.Lock(false), f.ctx(HOST)));
        assertInstanceOf(Decision.Accept.class, rules.join(s, f.ctx("g-dave")));
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
        assertEquals(1, s.round(), "a round ends when the order wraps around, not before");
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
        State off = f.fold(rules.initial(), rules.open(rules.initial(),
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

    // ---------------------------------------------------------------- issue 18: the end, a rematch, chat

    @Test
    void theWinSaysWhoWonAndByWhichRoll() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        s = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6));
        Event.EncounterWon won = s.result();
        assertEquals("blue", won.side());
        assertEquals(new Event.Decisive("knight", "orc", HOST, 20, 24, 13, true), won.decisive());
        JsonNode view = Json.tree(rules.view(s, dev.runeforge.game.engine.Viewer.of(BOB)));
        assertEquals("knight", view.path("result").path("decisive").path("unit").asText());
        assertEquals(13, view.path("result").path("decisive").path("damage").asInt());
        assertEquals(1, view.path("encounter").asInt());
        State removed = duel(OPEN, 0, 0, 1, 0, 4);
        removed = f.fold(removed, rules.decide(removed, new Command.RemoveUnit("orc"), f.ctx(HOST)));
        assertNull(removed.result().decisive(), "no roll decided it");
    }

    @Test
    void aRematchPutsEveryoneBackWithTheSamePlayersAndRollsNewInitiative() {
        State s = duel(OPEN, 0, 0, 3, 0, 4);
        assertEquals(TacticsRules.NOT_OVER, refusal(rules.decide(s, new Command.Rematch(), f.ctx(BOB))));
        s = f.fold(s, move(s, HOST, "knight", 2, 0));
        s = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6));
        assertEquals(Phase.OVER, s.phase());
        Decision.Accept<Event> again = (Decision.Accept<Event>) rules.decide(s, new Command.Rematch(), f.ctx(BOB));
        assertEquals(List.of(Event.EncounterReset.class, Event.InitiativeRolled.class, Event.TurnStarted.class),
                again.events().stream().map(Object::getClass).toList(), "the loser may ask; it starts at once");
        s = f.fold(s, again);
        assertEquals(Phase.BATTLE, s.phase());
        assertEquals(2, (int) s.encounter());
        assertNull(s.winner());
        assertNull(s.result());
        assertEquals(new Pos(0, 0), s.unit("knight").orElseThrow().pos(), "back where it started");
        assertEquals(10, s.unit("orc").orElseThrow().hp(), "at full hit points");
        assertEquals(BOB, s.unit("orc").orElseThrow().owner(), "with the same player");
        assertEquals(List.of(HOST, BOB, CAROL), s.players().stream().map(TacticsModel.Player::id).toList());
        assertEquals(1, s.round());
        assertEquals(0, s.moved());
        assertFalse(s.attacked());
        assertEquals(2, s.order().size());
        assertEquals(2, Json.tree(rules.view(s, dev.runeforge.game.engine.Viewer.of(BOB))).path("encounter").asInt());
        assertEquals(s, Json.read(Json.bytes(s), State.class), "a snapshot keeps it all");
    }

    @Test
    void aRematchWithoutTwoSidesOrFromBeforeRematchesIsRefused() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        s = f.fold(s, rules.decide(s, new Command.RemoveUnit("orc"), f.ctx(HOST)));
        assertEquals(TacticsRules.NOT_READY, refusal(rules.decide(s, new Command.Rematch(), f.ctx(HOST))));
        State won = duel(OPEN, 0, 0, 1, 0, 4);
        won = f.fold(won, attack(won, HOST, "knight", "orc", 20, 6, 6));
        com.fasterxml.jackson.databind.node.ObjectNode old =
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(won);
        old.remove(List.of("start", "result", "encounter", "chat", "recentChat"));
        State before = Json.read(Json.bytes(old), State.class);
        assertEquals(TacticsRules.NOT_READY, refusal(rules.decide(before, new Command.Rematch(), f.ctx(HOST))));
        assertEquals(1, Json.tree(rules.view(before, dev.runeforge.game.engine.Viewer.of(BOB))).path("encounter").asInt());
    }

    @Test
    void chatReachesMembersAsTypedButNotOutsidersAndIsLimited() {
        State s = duel(OPEN, 0, 0, 5, 0, 4);
        Decision.Accept<Event> said = (Decision.Accept<Event>) rules.decide(s, new Command.Say(" gg <i>well</i> played "),
                f.ctx(BOB));
        Event.Chatted line = (Event.Chatted) said.events().getFirst();
        assertEquals("gg <i>well</i> played", line.text());
        s = f.fold(s, said);
        assertEquals(0, s.log().stream().filter(e -> e instanceof Event.Chatted).count(), "not a combat log line");
        JsonNode outside = Json.tree(rules.project(s, line, dev.runeforge.game.engine.Viewer.OUTSIDER));
        assertFalse(outside.has("text"));
        assertEquals("gg <i>well</i> played", Json.tree(rules.view(s, dev.runeforge.game.engine.Viewer.of(HOST)))
                .path("chat").get(0).path("text").asText());
        assertEquals(0, Json.tree(rules.view(s, dev.runeforge.game.engine.Viewer.OUTSIDER)).path("chat").size());
        assertEquals(TacticsRules.INVALID_CHAT, refusal(rules.decide(s, new Command.Say(""), f.ctx(BOB))));
        for (int i = 0; i < 4; i++) {
            s = f.fold(s, rules.decide(s, new Command.Say("x" + i), f.ctx(BOB)));
        }
        assertEquals(TacticsRules.RATE_LIMIT, refusal(rules.decide(s, new Command.Say("more"), f.ctx(BOB))));
        s = f.fold(s, rules.decide(s, new Command.Kick(BOB), f.ctx(HOST)));
        assertEquals(List.of(), s.chat(), "a kick takes the kicked player's lines");
    }

    @Test
    void aUnitAddedOnAnotherUnitsStartingCellStartsTheRematchBesideIt() {
        State s = duel(OPEN, 0, 0, 3, 0, 4);
        s = f.fold(s, move(s, HOST, "knight", 2, 0));
        s = f.fold(s, rules.decide(s, new Command.AddUnit(new UnitSpec("Imp", "blue", 0, 0, 5, 10, 3, 1, "1d4", 1, 0)),
                f.ctx(HOST)));
        s = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6));
        s = f.fold(s, rules.decide(s, new Command.Rematch(), f.ctx(HOST)));
        assertEquals(new Pos(0, 0), s.unit("knight").orElseThrow().pos());
        Pos imp = s.unit("u1").orElseThrow().pos();
        assertEquals(1, imp.chebyshev(new Pos(0, 0)), "the nearest free cell: " + imp);
    }

    // ---------------------------------------------------------------- issue 21: what the mutation run found unpinned

    private static final UnitSpec IMP = new UnitSpec("Imp", "red", 3, 3, 5, 10, 3, 1, "1d4", 1, 0);

    @Test
    void theHostsSetupCommandsAreTheHostsAndEndWithTheEncounter() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.Assign("orc", CAROL), f.ctx(BOB))));
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.AddUnit(IMP), f.ctx(BOB))));
        assertEquals(TacticsRules.NOT_HOST, refusal(rules.decide(s, new Command.Kick(CAROL), f.ctx(BOB))));
        assertEquals(TacticsRules.UNIT_NOT_FOUND, refusal(rules.decide(s, new Command.Assign("dragon", BOB),
                f.ctx(HOST))));
        assertEquals(TacticsRules.UNIT_NOT_FOUND, refusal(rules.decide(s, new Command.RemoveUnit("dragon"),
                f.ctx(HOST))));
        assertEquals(TacticsRules.ALREADY_STARTED, refusal(rules.decide(s, new Command.Release("orc"), f.ctx(BOB))));
        State over = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6));
        assertEquals(Phase.OVER, over.phase());
        assertEquals(TacticsRules.GAME_OVER, refusal(rules.decide(over, new Command.Assign("orc", CAROL),
                f.ctx(HOST))));
        assertEquals(TacticsRules.GAME_OVER, refusal(rules.decide(over, new Command.AddUnit(IMP), f.ctx(HOST))));
        assertEquals(TacticsRules.GAME_OVER, refusal(rules.decide(over, new Command.RemoveUnit("orc"), f.ctx(HOST))));
    }

    @Test
    void claimingReleasingAndAssigningChangeOnlyWhatIsNotAlreadySo() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        assertEquals(TacticsRules.UNIT_NOT_FOUND, refusal(rules.decide(s, new Command.Release("z"), f.ctx(BOB))));
        s = f.fold(s, rules.decide(s, new Command.Claim("a"), f.ctx(BOB)));
        assertEquals(List.of(), accepted(rules.decide(s, new Command.Claim("a"), f.ctx(BOB))),
                "claiming one's own unit again changes nothing");
        Event.UnitAssigned released = (Event.UnitAssigned) accepted(rules.decide(s, new Command.Release("a"),
                f.ctx(BOB))).getFirst();
        assertEquals(new Event.UnitAssigned("a", null, BOB, f.now.toEpochMilli()), released);
        assertNull(rules.apply(s, released).unit("a").orElseThrow().owner(), "back to the host");

        Event.UnitAssigned toCarol = (Event.UnitAssigned) accepted(rules.decide(s, new Command.Assign("a", CAROL),
                f.ctx(HOST))).getFirst();
        assertEquals(CAROL, toCarol.player());
        assertEquals(CAROL, rules.apply(s, toCarol).unit("a").orElseThrow().owner());
        assertEquals(List.of(), accepted(rules.decide(s, new Command.Assign("a", BOB), f.ctx(HOST))),
                "assigning a unit to its owner changes nothing");
        Event.UnitAssigned toHost = (Event.UnitAssigned) accepted(rules.decide(s, new Command.Assign("a", HOST),
                f.ctx(HOST))).getFirst();
        assertNull(toHost.player(), "the host plays the units nobody owns");
        assertEquals(List.of(), accepted(rules.decide(s, new Command.Assign("b", HOST), f.ctx(HOST))),
                "an unowned unit is the host's already");
        assertEquals(List.of(), accepted(rules.decide(s, new Command.Assign("b", null), f.ctx(HOST))));
    }

    @Test
    void unitsTheHostAddsAreNumberedInTurn() {
        State s = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        s = f.fold(s, rules.decide(s, new Command.AddUnit(IMP), f.ctx(HOST)));
        s = f.fold(s, rules.decide(s, new Command.AddUnit(new UnitSpec("Imp", "red", 4, 3, 5, 10, 3, 1, "1d4", 1, 0)),
                f.ctx(HOST)));
        assertEquals(List.of("a", "b", "u1", "u2"), s.units().stream().map(TacticsModel.Unit::id).toList());
        assertEquals(new Pos(4, 3), s.unit("u2").orElseThrow().pos());
    }

    @Test
    void aUnitAddedInBattleThatTiesAnotherUnitsRollAndModifierGoesAfterIt() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 1, 0, 3), BOB));
        // b rolled 19 with modifier 0; the imp (modifier 0) rolls 19 too: a full tie keeps the earlier unit first.
        s = f.fold(s, rules.decide(s, new Command.AddUnit(IMP), f.ctx(HOST, dice(19))));
        assertEquals(List.of("a", "b", "u1"), s.order());
    }

    @Test
    void removingAUnitWhoseTurnItIsNotLeavesTheTurnAndTakesItsRollAndStartingPlace() {
        State s = f.battle(OPEN, unit("a", "blue", 0, 0, 3), owned(unit("b", "red", 1, 0, 3), BOB),
                owned(unit("c", "red", 5, 3, 3), BOB));
        Decision<Event> removed = rules.decide(s, new Command.RemoveUnit("c"), f.ctx(HOST));
        assertEquals(1, accepted(removed).size(), "no turn passes");
        s = f.fold(s, removed);
        assertEquals("a", s.current());
        assertEquals(List.of("a", "b"), s.order());
        assertEquals(List.of("a", "b"), s.initiative().stream().map(TacticsModel.InitiativeRoll::unit).toList());
        assertEquals(List.of("a", "b"), s.start().stream().map(TacticsModel.Unit::id).toList());
    }

    @Test
    void aTurnThatTimesOutIsNoActivityButOneAPlayerEndsIs() {
        State s = duel(OPEN, 0, 0, 5, 3, 3);
        long created = s.lastActivity();
        f.now = TacticsFixtures.T0.plusSeconds(60);
        State timedOut = f.fold(s, rules.onDeadline(s, f.ctx("g-timer")));
        assertEquals("orc", timedOut.current());
        assertEquals(created, timedOut.lastActivity(), "turns that time out must not keep a session alive");
        State ended = f.fold(s, rules.decide(s, new Command.EndTurn(), f.ctx(HOST)));
        assertEquals(f.now.toEpochMilli(), ended.lastActivity());
    }

    @Test
    void theViewListsThePlayersInJoiningOrderAndMarksTheHost() {
        State s = duel(OPEN, 0, 0, 5, 3, 3);
        TacticsModel.View view = (TacticsModel.View) rules.view(s, dev.runeforge.game.engine.Viewer.of(BOB));
        assertEquals(List.of(new TacticsModel.PlayerView(HOST, "host", true),
                new TacticsModel.PlayerView(BOB, "bob", false), new TacticsModel.PlayerView(CAROL, "carol", false)),
                view.players());
    }

    @Test
    void aRematchBeforeTheEncounterIsWonSaysWhy() {
        State setup = f.setup(OPEN, unit("a", "blue", 0, 0, 3), unit("b", "red", 5, 3, 3));
        assertEquals("the encounter has not started yet",
                message(rules.decide(setup, new Command.Rematch(), f.ctx(HOST))));
        State battle = duel(OPEN, 0, 0, 5, 3, 3);
        assertEquals("the encounter is still being fought; a rematch comes after it is won",
                message(rules.decide(battle, new Command.Rematch(), f.ctx(HOST))));
    }

    @Test
    void aRematchGivesTheFirstTurnToTheHighestNewInitiative() {
        State s = duel(OPEN, 0, 0, 1, 0, 4);
        s = f.fold(s, attack(s, HOST, "knight", "orc", 20, 6, 6));
        s = f.fold(s, rules.decide(s, new Command.Rematch(), f.ctx(BOB, dice(3, 15))));
        assertEquals(List.of("orc", "knight"), s.order(), "the knight rolled 3, the orc 15");
        assertEquals("orc", s.current());
    }

    @Test
    void amongPathsOfEqualCostAMoveTakesTheFirstOneFound() {
        State s = duel(OPEN, 0, 0, 5, 3, 4);
        assertEquals(List.of(new Pos(1, 0), new Pos(2, 0)), moved(move(s, HOST, "knight", 2, 0)).path());
        assertEquals(List.of(new Pos(0, 1), new Pos(0, 2)), moved(move(s, HOST, "knight", 0, 2)).path());
        assertEquals(List.of(new Pos(1, 0), new Pos(2, 1)), moved(move(s, HOST, "knight", 2, 1)).path());
        assertEquals(List.of(new Pos(1, 1), new Pos(2, 2)), moved(move(s, HOST, "knight", 2, 2)).path());
        // Cells are settled cheapest first, then by index: a queue that ignored the cost would settle them otherwise.
        assertEquals(List.of(new Pos(0, 1), new Pos(0, 2), new Pos(0, 3)), moved(move(s, HOST, "knight", 0, 3)).path());
        assertEquals(List.of(new Pos(1, 0), new Pos(2, 1), new Pos(3, 2)), moved(move(s, HOST, "knight", 3, 2)).path());
    }

    private static List<Event> accepted(Decision<Event> d) {
        return assertInstanceOf(Decision.Accept.class, d, () -> "refused: " + d).events();
    }

    private static Event.Moved moved(Decision<Event> d) {
        return (Event.Moved) accepted(d).getFirst();
    }
}
