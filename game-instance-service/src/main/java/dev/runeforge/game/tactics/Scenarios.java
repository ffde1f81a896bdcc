package dev.runeforge.game.tactics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.player.DisplayNames;
import dev.runeforge.game.notation.DiceFormula;
import dev.runeforge.game.tactics.TacticsModel.Scenario;
import dev.runeforge.game.tactics.TacticsModel.Unit;
import dev.runeforge.game.tactics.TacticsModel.UnitSpec;

/**
 * Built-in scenarios and the JSON scenario format, validated with messages that name the field
 * ({@code units[2].hp: must be a whole number from 1 to 500}).
 */
public final class Scenarios {
    public static final int MIN_SIZE = 3;
    public static final int MAX_SIZE = 24;
    public static final int MAX_UNITS = 32;
    private static final Pattern ID = Pattern.compile("[a-z0-9_-]{1,24}");
    private static final Pattern SIDE = Pattern.compile("[a-z0-9_-]{1,16}");
    private static final Pattern ROW = Pattern.compile("[.#~]*");

    /** A scenario that does not validate; the message names the field at fault. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }

    private Scenarios() {
    }

    private static Unit unit(String id, String name, String side, int x, int y, int hp, int ac, int speed, int attack,
                             String damage, int range, int init) {
        return new Unit(id, name, side, x, y, hp, hp, ac, speed, attack, damage, range, init, null);
    }

    /** The built-in scenarios by id, in the order the lobby lists them. */
    public static final Map<String, Scenario> BUILT_IN = builtIn();

    private static Map<String, Scenario> builtIn() {
        Map<String, Scenario> all = new LinkedHashMap<>();
        // Two melee fighters four cells apart: one move and they trade blows. Each side acts before anyone can
        // fall: the most one attack can deal is a critical, 2 x 6 (1d6 rolled twice) + 3 = 15, under 16 hit points,
        // so whoever strikes first, the other always gets a turn. (With 8 hp the first to strike won outright in
        // about 28% of duels: a hit on 4+ with +6 against AC 10, then 1d6+3 >= 8 or a critical.) An average hit
        // deals 6.5 and 85% of attacks hit, so a duel takes about three blows each (DuelBalanceTest).
        all.put("duel", new Scenario("Duel", 7, 5, List.of(
                ".......",
                ".#...~.",
                ".......",
                ".~...#.",
                "......."), List.of(
                unit("knight", "Knight", "blue", 1, 2, 16, 10, 4, 6, "1d6+3", 1, 1),
                unit("raider", "Raider", "red", 5, 2, 16, 10, 4, 6, "1d6+3", 1, 0))));
        all.put("skirmish", new Scenario("Skirmish at the ford", 10, 8, List.of(
                "..........",
                "..##......",
                "....~~~...",
                "...~~~~~..",
                "..~~~~~...",
                "...~~~....",
                "......##..",
                ".........."), List.of(
                unit("fighter", "Fighter", "blue", 0, 2, 20, 16, 5, 5, "1d8+3", 1, 1),
                unit("archer", "Archer", "blue", 0, 5, 12, 13, 6, 4, "1d8+2", 6, 3),
                unit("orc", "Orc", "red", 9, 2, 15, 13, 6, 5, "1d12+3", 1, 0),
                unit("goblin", "Goblin", "red", 9, 5, 7, 15, 6, 4, "1d6+2", 5, 2))));
        all.put("crossroads", new Scenario("Crossroads", 12, 9, List.of(
                "....#..#....",
                "....#..#....",
                "............",
                "###.~~~~.###",
                "....~##~....",
                "###.~~~~.###",
                "............",
                "....#..#....",
                "....#..#...."), List.of(
                unit("paladin", "Paladin", "blue", 1, 0, 24, 18, 5, 5, "1d8+3", 1, 0),
                unit("ranger", "Ranger", "blue", 2, 1, 16, 14, 6, 5, "1d8+3", 8, 3),
                unit("cleric", "Cleric", "blue", 0, 1, 18, 16, 5, 4, "1d6+2", 1, 1),
                unit("ogre", "Ogre", "red", 10, 8, 30, 11, 8, 6, "2d8+4", 1, -1),
                unit("shaman", "Shaman", "red", 11, 7, 14, 12, 5, 4, "2d6", 6, 2),
                unit("wolf", "Wolf", "red", 9, 7, 11, 13, 8, 4, "2d4+2", 1, 2))));
        return all;
    }

    /** A scenario from its JSON form (docs/protocol.md, Scenario JSON). */
    public static Scenario parse(JsonNode json) throws Invalid {
        if (json == null || !json.isObject()) {
            throw new Invalid("scenario: must be a JSON object");
        }
        JsonNode named = json.get("name");
        if (named == null || !named.isTextual() || !DisplayNames.valid(named.asText())) {
            throw new Invalid("scenario.name: " + (named == null ? "missing; " : "") + DisplayNames.RULE);
        }
        String name = named.asText();
        JsonNode map = json.get("map");
        if (map == null || !map.isArray()) {
            throw new Invalid("scenario.map: must be an array of strings, one per row");
        }
        int height = map.size();
        if (height < MIN_SIZE || height > MAX_SIZE) {
            throw new Invalid("scenario.map: must have " + MIN_SIZE + " to " + MAX_SIZE + " rows, has " + height);
        }
        List<String> rows = new ArrayList<>();
        int width = -1;
        for (int y = 0; y < height; y++) {
            JsonNode row = map.get(y);
            String path = "scenario.map[" + y + "]";
            if (!row.isTextual()) {
                throw new Invalid(path + ": must be a string");
            }
            String text = row.asText();
            if (!ROW.matcher(text).matches()) {
                throw new Invalid(path + ": only '.' (floor), '#' (wall) and '~' (difficult terrain) are allowed");
            }
            if (width < 0) {
                width = text.length();
                if (width < MIN_SIZE || width > MAX_SIZE) {
                    throw new Invalid(path + ": rows must be " + MIN_SIZE + " to " + MAX_SIZE + " cells wide, this is "
                            + width);
                }
            } else if (text.length() != width) {
                throw new Invalid(path + ": is " + text.length() + " cells wide, the first row is " + width);
            }
            rows.add(text);
        }
        JsonNode units = json.get("units");
        if (units == null || !units.isArray() || units.isEmpty()) {
            throw new Invalid("scenario.units: must be a non-empty array");
        }
        if (units.size() > MAX_UNITS) {
            throw new Invalid("scenario.units: at most " + MAX_UNITS + " units");
        }
        List<Unit> parsed = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> sides = new HashSet<>();
        Set<Long> cells = new HashSet<>();
        for (int i = 0; i < units.size(); i++) {
            String path = "scenario.units[" + i + "]";
            JsonNode u = units.get(i);
            if (!u.isObject()) {
                throw new Invalid(path + ": must be an object");
            }
            String id = text(u, "id", path + ".id", ID, "1 to 24 of a-z, 0-9, '-' and '_'");
            if (!ids.add(id)) {
                throw new Invalid(path + ".id: '" + id + "' is used twice");
            }
            Unit unit = unit(id, spec(u, path), path, width, height, rows);
            if (!cells.add((long) unit.y() * MAX_SIZE + unit.x())) {
                throw new Invalid(path + ": (" + unit.x() + "," + unit.y() + ") already holds another unit");
            }
            sides.add(unit.side());
            parsed.add(unit);
        }
        if (sides.size() < 2) {
            throw new Invalid("scenario.units: need units of at least two sides");
        }
        checkUnknown(json, "scenario", Set.of("name", "map", "units"));
        return new Scenario(name, width, height, rows, parsed);
    }

    private static UnitSpec spec(JsonNode u, String path) throws Invalid {
        checkUnknown(u, path, Set.of("id", "name", "side", "x", "y", "hp", "ac", "speed", "attack", "damage", "range",
                "init"));
        return new UnitSpec(
                u.hasNonNull("name") ? u.get("name").asText() : null,
                u.hasNonNull("side") ? u.get("side").asText() : null,
                integer(u, "x", path), integer(u, "y", path), integer(u, "hp", path), integer(u, "ac", path),
                integer(u, "speed", path), integer(u, "attack", path),
                u.hasNonNull("damage") ? u.get("damage").asText() : null,
                integer(u, "range", path), integer(u, "init", path));
    }

    /** A validated unit from {@code spec}; {@code path} prefixes every message ("unit" for {@code add_unit}). */
    static Unit unit(String id, UnitSpec spec, String path, int width, int height, List<String> rows)
            throws Invalid {
        if (spec == null) {
            throw new Invalid(path + ": missing");
        }
        if (!DisplayNames.valid(spec.name())) {
            throw new Invalid(path + ".name: " + DisplayNames.RULE);
        }
        if (spec.side() == null || !SIDE.matcher(spec.side()).matches()) {
            throw new Invalid(path + ".side: 1 to 16 of a-z, 0-9, '-' and '_'");
        }
        int x = range(spec.x(), path + ".x", 0, width - 1, null);
        int y = range(spec.y(), path + ".y", 0, height - 1, null);
        if (rows.get(y).charAt(x) == Board.WALL) {
            throw new Invalid(path + ": (" + x + "," + y + ") is a wall");
        }
        int hp = range(spec.hp(), path + ".hp", 1, 500, null);
        int ac = range(spec.ac(), path + ".ac", 1, 40, null);
        int speed = range(spec.speed(), path + ".speed", 0, 20, null);
        int attack = range(spec.attack(), path + ".attack", -10, 20, null);
        int reach = range(spec.range(), path + ".range", 1, 24, 1);
        int init = range(spec.init(), path + ".init", -10, 10, 0);
        if (spec.damage() == null) {
            throw new Invalid(path + ".damage: missing (dice notation such as 1d8+2)");
        }
        try {
            DiceFormula.parse(spec.damage());
        } catch (DiceFormula.InvalidFormula e) {
            throw new Invalid(path + ".damage: " + e.getMessage());
        }
        return new Unit(id, spec.name(), spec.side(), x, y, hp, hp, ac, speed, attack, spec.damage(), reach, init,
                null);
    }

    private static int range(Integer value, String path, int min, int max, Integer fallback) throws Invalid {
        if (value == null && fallback != null) {
            return fallback;
        }
        if (value == null || value < min || value > max) {
            throw new Invalid(path + ": must be a whole number from " + min + " to " + max
                    + (value == null ? " (missing)" : ", is " + value));
        }
        return value;
    }

    private static Integer integer(JsonNode node, String field, String path) throws Invalid {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new Invalid(path + "." + field + ": must be a whole number");
        }
        return v.intValue();
    }

    private static String text(JsonNode node, String field, String path, Pattern pattern, String rule) throws Invalid {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || !pattern.matcher(v.asText()).matches()) {
            throw new Invalid(path + ": " + (v == null ? "missing; " : "") + rule);
        }
        return v.asText();
    }

    private static void checkUnknown(JsonNode node, String path, Set<String> known) throws Invalid {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new Invalid(path + "." + f + ": unknown field (known: " + String.join(", ", known.stream()
                        .sorted().toList()) + ")");
            }
        }
    }
}
