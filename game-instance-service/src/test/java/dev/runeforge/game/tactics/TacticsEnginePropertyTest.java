package dev.runeforge.game.tactics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.game.engine.GamePropertyTemplate;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.Phase;
import dev.runeforge.game.tactics.TacticsModel.Pos;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;

/**
 * The tactics encounter against the engine's invariants (the property template; TacticsPropertyTest checks its own
 * rules of movement and combat). Everything on the board is public; its one secret is what members say in chat,
 * which nobody outside the encounter (a replay) may read.
 */
class TacticsEnginePropertyTest extends GamePropertyTemplate<State, Command, Event> {
    @Override
    protected GameRules<State, Command, Event, ?> rules() {
        return new TacticsRules();
    }

    @Override
    protected JsonNode createSettings(SplittableRandom rnd) {
        List<String> scenarios = List.copyOf(Scenarios.BUILT_IN.keySet());
        return JsonNodeFactory.instance.objectNode().put("scenario", scenarios.get(rnd.nextInt(scenarios.size())))
                .put("turnSeconds", rnd.nextBoolean() ? 0 : 30);
    }

    @Override
    protected Move move(SplittableRandom rnd, State s) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        String host = s.host() == null ? PEOPLE.getFirst() : s.host().id();
        String member = s.players().isEmpty() ? host : s.players().get(rnd.nextInt(s.players().size())).id();
        List<Unit> units = s.units();
        String anyUnit = units.isEmpty() ? "x" : units.get(rnd.nextInt(units.size())).id();
        if (rnd.nextInt(25) == 0) {
            return new Move(member, b.put("type", "chat").put("text", "chat-" + rnd.nextInt(1000)));
        }
        if (s.phase() == Phase.OVER) {
            return new Move(member, b.put("type", "rematch"));
        }
        if (s.phase() == Phase.SETUP) {
            int p = rnd.nextInt(10);
            if (p < 6) {
                return new Move(member, b.put("type", "claim").put("unit", anyUnit));
            }
            if (p < 7) {
                return new Move(member, b.put("type", "release").put("unit", anyUnit));
            }
            return new Move(host, b.put("type", "start"));
        }
        Unit current = s.unit(s.current()).orElse(null);
        if (current == null) {
            return new Move(member, b.put("type", "end_turn"));
        }
        String controller = s.controller(current);
        int p = rnd.nextInt(10);
        if (p < 4) {
            List<Pos> cells = List.copyOf(Board.reachable(s, current, current.speed() - s.moved()).keySet());
            Pos to = cells.isEmpty() ? current.pos() : cells.get(rnd.nextInt(cells.size()));
            for (Pos c : cells) { // toward an enemy, so fights happen
                if (units.stream().anyMatch(u -> !u.down() && !u.side().equals(current.side())
                        && u.pos().chebyshev(c) <= current.range()) && rnd.nextBoolean()) {
                    to = c;
                    break;
                }
            }
            return new Move(controller, b.put("type", "move").put("x", to.x()).put("y", to.y()));
        }
        if (p < 8) {
            Unit target = units.stream().filter(u -> !u.down() && !u.side().equals(current.side())
                    && u.pos().chebyshev(current.pos()) <= current.range()).findFirst().orElse(current);
            return new Move(rnd.nextInt(6) > 0 ? controller : member, b.put("type", "attack").put("target", target.id()));
        }
        return new Move(rnd.nextInt(6) > 0 ? controller : host, b.put("type", rnd.nextInt(4) > 0 ? "end_turn"
                : "skip_turn"));
    }

    @Override
    protected List<String> commandTypes() {
        return List.of("claim", "release", "assign", "add_unit", "remove_unit", "start", "move", "attack", "end_turn",
                "skip_turn", "kick", "rematch", "chat");
    }

    @Override
    protected List<String> fieldNames() {
        return List.of("unit", "target", "x", "y", "player", "text");
    }

    @Override
    protected List<Secret> secrets(State state) {
        return List.of(new Secret("what members said", (Viewer v) -> !v.outsider(),
                node -> node.isTextual() && node.asText().startsWith("chat-")));
    }

    @Override
    protected void played(Map<String, Integer> counts) {
        System.out.println("TacticsEnginePropertyTest played " + counts);
        assertTrue(counts.getOrDefault("event:attacked", 0) > scripts(), "attacks " + counts);
        assertTrue(counts.getOrDefault("event:chat", 0) > scripts() / 4, "chat " + counts);
    }
}
