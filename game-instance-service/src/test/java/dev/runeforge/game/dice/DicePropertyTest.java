package dev.runeforge.game.dice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.game.dice.DiceModel.Command;
import dev.runeforge.game.dice.DiceModel.Event;
import dev.runeforge.game.dice.DiceModel.Player;
import dev.runeforge.game.dice.DiceModel.Roll;
import dev.runeforge.game.dice.DiceModel.State;
import dev.runeforge.game.engine.GamePropertyTemplate;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;

/**
 * The dice room against the engine's invariants (the property template). Its secrets: the dice of every roll that
 * is not public (a DM's secret roll until revealed, a roll to the DM, a roll to oneself), each to whom it is for;
 * browser and connection ids, to nobody; what members say in chat, to nobody outside the room.
 */
class DicePropertyTest extends GamePropertyTemplate<State, Command, Event> {
    private static final String[] FORMULAS = {"1d20+3", "2d6", "4d6kh3", "d20", "1d8+2d6+3", "d6!", "1d0", "zz", ""};
    private static final String[] MODES = {"public", "dm", "self", "secret"};

    @Override
    protected GameRules<State, Command, Event, ?> rules() {
        return new DiceRules();
    }

    @Override
    protected JsonNode createSettings(SplittableRandom rnd) {
        return JsonNodeFactory.instance.objectNode().put("mode", rnd.nextBoolean() ? "open" : "dm-led");
    }

    @Override
    protected Move move(SplittableRandom rnd, State state) {
        List<String> players = state.players().stream().map(Player::id).toList();
        String actor = players.isEmpty() || rnd.nextInt(10) == 0 ? PEOPLE.get(rnd.nextInt(PEOPLE.size()))
                : players.get(rnd.nextInt(players.size()));
        String admin = state.adminId() != null && rnd.nextInt(4) > 0 ? state.adminId() : actor;
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        List<Roll> hidden = state.rolls().stream().filter(r -> !r.isPublic()).toList();
        int p = rnd.nextInt(20);
        if (p < 9) {
            b.put("type", "roll").put("formula", FORMULAS[rnd.nextInt(FORMULAS.length)]);
            if (rnd.nextInt(4) > 0) {
                b.put("mode", MODES[rnd.nextInt(MODES.length)]);
            }
            if (rnd.nextInt(6) == 0) {
                b.put("label", "label-" + rnd.nextInt(100));
            }
            if (rnd.nextInt(6) == 0) {
                b.put("advantage", rnd.nextBoolean() ? "advantage" : "disadvantage");
            }
            return new Move(rnd.nextInt(3) == 0 ? admin : actor, b);
        }
        if (p < 12) {
            String roll = !hidden.isEmpty() ? hidden.get(rnd.nextInt(hidden.size())).id()
                    : state.rolls().isEmpty() ? "nope" : state.rolls().getFirst().id();
            return new Move(admin, b.put("type", "reveal").put("roll", roll));
        }
        if (p < 13) {
            return new Move(admin, b.put("type", "set_dc").put("dc", rnd.nextInt(-2, 35)));
        }
        if (p < 14) {
            return new Move(admin, b.put("type", rnd.nextBoolean() ? "clear_dc" : "promote"));
        }
        if (p < 15) {
            return new Move(admin, b.put("type", "kick").put("player", PEOPLE.get(rnd.nextInt(PEOPLE.size()))));
        }
        if (p < 17) {
            b.put("type", "history").put("limit", rnd.nextInt(0, 5));
            if (!state.rolls().isEmpty() && rnd.nextBoolean()) {
                b.put("before", state.rolls().get(rnd.nextInt(state.rolls().size())).id());
            }
            return new Move(actor, b);
        }
        return new Move(actor, b.put("type", "chat").put("text", "chat-" + rnd.nextInt(1000)));
    }

    @Override
    protected List<String> commandTypes() {
        return List.of("roll", "reveal", "set_dc", "clear_dc", "promote", "kick", "history", "chat");
    }

    @Override
    protected List<String> fieldNames() {
        return List.of("formula", "hidden", "advantage", "mode", "label", "roll", "dc", "player", "before", "limit",
                "text");
    }

    @Override
    protected List<Secret> secrets(State state) {
        List<Secret> secrets = new ArrayList<>();
        for (Roll r : state.rolls()) {
            if (r.isPublic()) {
                continue;
            }
            secrets.add(new Secret("the dice of " + r.visibility() + " roll " + r.number(), v -> switch (r.visibility()) {
                case PUBLIC -> true;
                case SECRET -> state.isDm(v.player());
                case DM -> v.is(r.player()) || state.isDm(v.player());
                case SELF -> v.is(r.player());
            }, node -> node.isObject() && node.path("id").asText().equals(r.id()) && (node.hasNonNull("total")
                    || node.hasNonNull("terms") || node.hasNonNull("formula") || node.hasNonNull("label"))));
        }
        secrets.add(new Secret("a browser id", v -> false, node -> node.isTextual() && node.asText().startsWith("dev-")));
        secrets.add(new Secret("a connection id", v -> false,
                node -> node.isTextual() && node.asText().startsWith("conn-")));
        secrets.add(new Secret("what members said", (Viewer v) -> !v.outsider(),
                node -> node.isTextual() && node.asText().startsWith("chat-")));
        return secrets;
    }

    @Override
    protected void checkState(State s) {
        assertEquals(s.players().size(), new HashSet<>(s.players().stream().map(Player::id).toList()).size());
        assertTrue(s.players().size() <= DiceModel.Settings.DEFAULT.maxPlayers());
        for (int i = 1; i < s.rolls().size(); i++) {
            assertTrue(s.rolls().get(i).number() > s.rolls().get(i - 1).number(), "roll numbers out of order");
        }
    }

    @Override
    protected void played(Map<String, Integer> counts) {
        System.out.println("DicePropertyTest played " + counts);
        assertTrue(counts.getOrDefault("event:rolled", 0) > scripts() * 5, "rolls " + counts);
        assertTrue(counts.getOrDefault("event:roll_revealed", 0) > scripts() / 4, "reveals " + counts);
        assertTrue(counts.getOrDefault("event:chat", 0) > scripts(), "chat " + counts);
    }
}
