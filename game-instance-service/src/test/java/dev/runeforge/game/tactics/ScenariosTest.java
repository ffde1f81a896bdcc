package dev.runeforge.game.tactics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.game.tactics.TacticsModel.Scenario;
import dev.runeforge.game.tactics.TacticsModel.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON scenario format: what parses, and for everything else the message naming the field at fault. */
class ScenariosTest {
    /** Two units of two sides on a 4 x 3 map with one wall at (2,1). */
    private static final String VALID = """
            {"name": "Ford", "map": ["....", "..#.", "...~"],
             "units": [{"id": "a", "name": "Ann", "side": "blue", "x": 0, "y": 0, "hp": 5, "ac": 10, "speed": 3,
                        "attack": 2, "damage": "1d6"},
                       {"id": "b", "name": "Bo", "side": "red", "x": 3, "y": 2, "hp": 500, "ac": 40, "speed": 20,
                        "attack": -10, "damage": "2d4+1", "range": 24, "init": -10}]}""";

    private static ObjectNode valid() {
        return (ObjectNode) Json.read(VALID, JsonNode.class);
    }

    private static ObjectNode unit(ObjectNode scenario, int i) {
        return (ObjectNode) scenario.get("units").get(i);
    }

    private static ArrayNode rows(String... rows) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (String r : rows) {
            a.add(r);
        }
        return a;
    }

    private interface Change {
        void apply(ObjectNode scenario);
    }

    private static Arguments bad(String message, Change change) {
        ObjectNode s = valid();
        change.apply(s);
        return Arguments.of(message, s);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                bad("scenario.name: missing; " + dev.runeforge.common.player.DisplayNames.RULE, s -> s.remove("name")),
                bad("scenario.name: " + dev.runeforge.common.player.DisplayNames.RULE, s -> s.put("name", 7)),
                bad("scenario.name: " + dev.runeforge.common.player.DisplayNames.RULE, s -> s.put("name", "<b>")),
                bad("scenario.map: must be an array of strings, one per row", s -> s.remove("map")),
                bad("scenario.map: must be an array of strings, one per row", s -> s.put("map", "....")),
                bad("scenario.map: must have 3 to 24 rows, has 2", s -> s.set("map", rows("....", "...."))),
                bad("scenario.map: must have 3 to 24 rows, has 25", s -> s.set("map",
                        rows(java.util.Collections.nCopies(25, "....").toArray(String[]::new)))),
                bad("scenario.map[1]: must be a string", s -> ((ArrayNode) s.get("map")).set(1, 4)),
                bad("scenario.map[0]: rows must be 3 to 24 cells wide, this is 2", s -> s.set("map", rows("..", "..", ".."))),
                bad("scenario.map[0]: rows must be 3 to 24 cells wide, this is 25",
                        s -> s.set("map", rows(".".repeat(25), ".".repeat(25), ".".repeat(25)))),
                bad("scenario.units: must be a non-empty array", s -> s.remove("units")),
                bad("scenario.units: must be a non-empty array", s -> s.put("units", "a")),
                bad("scenario.units: must be a non-empty array", s -> s.set("units", Json.MAPPER.createArrayNode())),
                bad("scenario.units: at most 32 units", s -> {
                    ArrayNode many = Json.MAPPER.createArrayNode();
                    for (int i = 0; i < 33; i++) {
                        many.add(unit(s, 0).deepCopy());
                    }
                    s.set("units", many);
                }),
                bad("scenario.units[1]: must be an object", s -> ((ArrayNode) s.get("units")).set(1, 3)),
                bad("scenario.units[1].id: 'a' is used twice", s -> unit(s, 1).put("id", "a")),
                bad("scenario.units[1].id: missing; 1 to 24 of a-z, 0-9, '-' and '_'", s -> unit(s, 1).remove("id")),
                bad("scenario.units[1].id: 1 to 24 of a-z, 0-9, '-' and '_'", s -> unit(s, 1).put("id", 5)),
                bad("scenario.units[1].id: 1 to 24 of a-z, 0-9, '-' and '_'", s -> unit(s, 1).put("id", "B")),
                bad("scenario.units[1]: (0,0) already holds another unit", s -> unit(s, 1).put("x", 0).put("y", 0)),
                bad("scenario.units: need units of at least two sides", s -> unit(s, 1).put("side", "blue")),
                bad("scenario.units[1].name: " + dev.runeforge.common.player.DisplayNames.RULE, s -> unit(s, 1).remove("name")),
                bad("scenario.units[1].side: 1 to 16 of a-z, 0-9, '-' and '_'", s -> unit(s, 1).remove("side")),
                bad("scenario.units[1].side: 1 to 16 of a-z, 0-9, '-' and '_'", s -> unit(s, 1).put("side", "Red")),
                bad("scenario.units[1].x: must be a whole number from 0 to 3 (missing)", s -> unit(s, 1).remove("x")),
                bad("scenario.units[1].x: must be a whole number from 0 to 3, is -1", s -> unit(s, 1).put("x", -1)),
                bad("scenario.units[1].x: must be a whole number from 0 to 3, is 4", s -> unit(s, 1).put("x", 4)),
                bad("scenario.units[1].y: must be a whole number from 0 to 2, is 3", s -> unit(s, 1).put("y", 3)),
                bad("scenario.units[1]: (2,1) is a wall", s -> unit(s, 1).put("x", 2).put("y", 1)),
                bad("scenario.units[1].hp: must be a whole number from 1 to 500, is 501", s -> unit(s, 1).put("hp", 501)),
                bad("scenario.units[1].ac: must be a whole number from 1 to 40, is 0", s -> unit(s, 1).put("ac", 0)),
                bad("scenario.units[1].speed: must be a whole number from 0 to 20, is 21", s -> unit(s, 1).put("speed", 21)),
                bad("scenario.units[1].attack: must be a whole number from -10 to 20, is -11", s -> unit(s, 1).put("attack", -11)),
                bad("scenario.units[1].range: must be a whole number from 1 to 24, is 0", s -> unit(s, 1).put("range", 0)),
                bad("scenario.units[1].init: must be a whole number from -10 to 10, is 11", s -> unit(s, 1).put("init", 11)),
                bad("scenario.units[1].hp: must be a whole number", s -> unit(s, 1).put("hp", 2.5)),
                bad("scenario.units[1].hp: must be a whole number", s -> unit(s, 1).put("hp", "5")),
                bad("scenario.units[1].hp: must be a whole number", s -> unit(s, 1).put("hp", 1L << 40)),
                bad("scenario.units[1].damage: missing (dice notation such as 1d8+2)", s -> unit(s, 1).remove("damage")),
                bad("scenario.unknown: unknown field (known: map, name, units)", s -> s.put("unknown", 1)));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void anInvalidScenarioIsRefusedNamingTheField(String message, JsonNode json) {
        assertEquals(message, assertThrows(Scenarios.Invalid.class, () -> Scenarios.parse(json)).getMessage());
    }

    @Test
    void somethingThatIsNotAnObjectIsNoScenario() {
        assertEquals("scenario: must be a JSON object",
                assertThrows(Scenarios.Invalid.class, () -> Scenarios.parse(null)).getMessage());
        assertEquals("scenario: must be a JSON object",
                assertThrows(Scenarios.Invalid.class, () -> Scenarios.parse(Json.MAPPER.createArrayNode())).getMessage());
    }

    @Test
    void aValidScenarioKeepsItsMapAndUnitsWithDefaultsForRangeAndInitiative() throws Exception {
        ObjectNode json = valid();
        unit(json, 0).putNull("range");
        Scenario s = Scenarios.parse(json);
        assertEquals(new Scenario("Ford", 4, 3, List.of("....", "..#.", "...~"), List.of(
                new Unit("a", "Ann", "blue", 0, 0, 5, 5, 10, 3, 2, "1d6", 1, 0, null),
                new Unit("b", "Bo", "red", 3, 2, 500, 500, 40, 20, -10, "2d4+1", 24, -10, null))), s);
    }

    @Test
    void aMissingSpecIsRefused() {
        assertEquals("unit: missing", assertThrows(Scenarios.Invalid.class,
                () -> Scenarios.unit("x", null, "unit", 4, 3, List.of("....", "....", "...."))).getMessage());
    }

    @Test
    void mapsOfThreeAndOfTwentyFourCellsEachWayAndThirtyTwoUnitsAreTaken() throws Exception {
        ObjectNode small = valid();
        small.set("map", rows("...", "...", "..."));
        unit(small, 1).put("x", 2);
        assertEquals(3, Scenarios.parse(small).width());

        ObjectNode big = valid();
        String row = ".".repeat(24);
        big.set("map", rows(java.util.Collections.nCopies(24, row).toArray(String[]::new)));
        ArrayNode units = Json.MAPPER.createArrayNode();
        for (int i = 0; i < Scenarios.MAX_UNITS; i++) {
            ObjectNode u = unit(valid(), 0).deepCopy();
            units.add(u.put("id", "u" + i).put("side", i % 2 == 0 ? "blue" : "red").put("x", i % 24).put("y", i / 24));
        }
        big.set("units", units);
        Scenario parsed = Scenarios.parse(big);
        assertEquals(24, parsed.width());
        assertEquals(24, parsed.height());
        assertEquals(Scenarios.MAX_UNITS, parsed.units().size());
    }
}
