package dev.runeforge.game.tactics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.Phase;
import dev.runeforge.game.tactics.TacticsModel.Pos;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;
import dev.runeforge.game.tactics.TacticsModel.UnitSpec;
import org.junit.jupiter.api.Test;

/**
 * Random sessions, seeded so a failure names its seed: mostly sensible play (claims, moves to reachable cells,
 * attacks on enemies in range) mixed with anything at all (wrong actors, cells off the board, garbage JSON
 * bodies). After every step the state must be legal; at the end, replaying the stored events (through their JSON
 * form, as the engine stores them) from {@code initial()} must give the live state, and the state must survive a
 * JSON round trip (snapshots).
 */
class TacticsPropertyTest {
    private static final int SESSIONS = 600;
    private static final int STEPS = 160;
    private static final String HOST = "g-host";
    private static final List<String> PEOPLE = List.of(HOST, "g-bob", "g-carol", "g-dave", "g-erin");
    private static final String[] TYPES = {"claim", "release", "assign", "add_unit", "remove_unit", "start", "move",
            "attack", "end_turn", "skip_turn", "kick", "rematch", "chat", "dance", ""};

    private final TacticsRules rules = new TacticsRules();

    @Test
    void randomSessionsStayLegalAndReplayExactly() {
        int finished = 0;
        int attacks = 0;
        int moves = 0;
        int rematches = 0;
        for (int seed = 0; seed < SESSIONS; seed++) {
            Result r = session(seed);
            finished += r.finished ? 1 : 0;
            attacks += r.attacks;
            moves += r.moves;
            rematches += r.rematches;
        }
        // The generator really plays: most sessions reach a winner, with plenty of moves and attacks on the way.
        assertTrue(finished > SESSIONS / 3, "only " + finished + " sessions finished");
        assertTrue(rematches > SESSIONS / 10, "only " + rematches + " rematches");
        assertTrue(attacks > SESSIONS * 3 && moves > SESSIONS * 3, attacks + " attacks, " + moves + " moves");
    }

    /** @param finished an encounter of the session was won */
    private record Result(boolean finished, int attacks, int moves, int rematches) {
    }

    private Result session(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Instant now = Instant.parse("2026-11-27T12:00:00Z");
        List<JsonNode> stored = new ArrayList<>();
        State state = rules.initial();
        String scenario = List.copyOf(Scenarios.BUILT_IN.keySet()).get(rnd.nextInt(Scenarios.BUILT_IN.size()));
        int turnSeconds = rnd.nextBoolean() ? 0 : 30;
        Decision<Event> created = rules.open(state, Json.read("{\"scenario\":\"" + scenario + "\",\"turnSeconds\":"
                + turnSeconds + "}", JsonNode.class), ctx(HOST, now, rnd));
        state = commit(state, created, stored, HOST, seed);
        int attacks = 0;
        int moves = 0;
        int rematches = 0;
        boolean won = false;
        for (int step = 0; step < STEPS && !rules.closed(state); step++) {
            now = now.plusMillis(rnd.nextInt(1, 20_000));
            String actor = PEOPLE.get(rnd.nextInt(PEOPLE.size()));
            Context ctx = ctx(actor, now, rnd);
            Decision<Event> d;
            int pick = rnd.nextInt(100);
            if (pick < 4) {
                d = rules.join(state, ctx);
            } else if (pick < 5) {
                d = rnd.nextInt(4) == 0 ? rules.leave(state, ctx) : rules.end(state, ctx);
            } else if (pick < 9) {
                var due = rules.deadline(state);
                if (due.isEmpty() || now.isBefore(due.get())) {
                    continue; // the engine fires a timer only when it is due
                }
                d = rules.onDeadline(state, ctx(actor, due.get(), rnd));
            } else if (pick < 22) {
                Command c = garbage(rnd, state);
                if (c == null) {
                    continue; // the engine refuses bodies that do not parse before the rules see them
                }
                d = rules.isMember(state, actor) ? rules.decide(state, c, ctx) : null;
            } else {
                Map.Entry<String, Command> play = sensible(rnd, state);
                ctx = ctx(play.getKey(), now, rnd);
                actor = play.getKey();
                d = rules.isMember(state, actor) ? rules.decide(state, play.getValue(), ctx) : null;
            }
            if (d == null) {
                continue;
            }
            if (d instanceof Decision.Accept<Event> a) {
                for (Event e : a.events()) {
                    attacks += e instanceof Event.Attacked ? 1 : 0;
                    moves += e instanceof Event.Moved ? 1 : 0;
                    rematches += e instanceof Event.EncounterReset ? 1 : 0;
                    won |= e instanceof Event.EncounterWon;
                }
            }
            state = commit(state, d, stored, actor, seed);
        }
        State replayed = rules.initial();
        for (JsonNode e : stored) {
            replayed = rules.apply(replayed, Json.convert(e, Event.class));
        }
        assertEquals(state, replayed, "seed " + seed + ": replay differs");
        assertEquals(state, Json.convert(Json.tree(state), State.class), "seed " + seed + ": JSON round trip");
        assertEquals(Json.tree(state), Json.tree(replayed), "seed " + seed);
        return new Result(won, attacks, moves, rematches);
    }

    private static Context ctx(String actor, Instant now, SplittableRandom rnd) {
        return new Context("s", "FORT-0001", actor + ":" + rnd.nextLong(), actor, actor.substring(2), now,
                new SplittableRandom(rnd.nextLong()));
    }

    /** Applies an accepted decision event by event (each through its stored JSON), then checks the state. */
    private State commit(State state, Decision<Event> d, List<JsonNode> stored, String actor, long seed) {
        if (!(d instanceof Decision.Accept<Event> a)) {
            return state; // a refusal changes nothing: there is nothing to apply
        }
        for (Event e : a.events()) {
            JsonNode json = Json.tree(e);
            Event back = Json.convert(json, Event.class);
            assertEquals(e, back, "seed " + seed + ": event JSON round trip");
            checkAction(state, back, actor, seed);
            state = rules.apply(state, back);
            stored.add(json);
        }
        checkLegal(state, seed); // after the whole commit: within one, a turn_started follows initiative or a removal
        return state;
    }

    /** Turn actions: only the unit whose turn it is, commanded by its player, one attack, within its speed. */
    private static void checkAction(State before, Event e, String actor, long seed) {
        switch (e) {
            case Event.Moved m -> {
                assertEquals(Phase.BATTLE, before.phase(), "seed " + seed);
                assertEquals(before.current(), m.unit(), "seed " + seed + ": moved out of turn");
                Unit u = before.unit(m.unit()).orElseThrow();
                assertEquals(before.controller(u), actor, "seed " + seed + ": moved someone else's unit");
                int cost = 0;
                Pos at = u.pos();
                for (Pos p : m.path()) {
                    assertTrue(Math.abs(p.x() - at.x()) <= 1 && Math.abs(p.y() - at.y()) <= 1, "seed " + seed);
                    assertNotEquals(Board.WALL, before.cell(p.x(), p.y()), "seed " + seed + ": through a wall");
                    Board.standingAt(before, p).ifPresent(o -> assertEquals(u.side(), o.side(),
                            "seed " + seed + ": through an enemy"));
                    cost += before.cell(p.x(), p.y()) == Board.DIFFICULT ? 2 : 1;
                    at = p;
                }
                assertEquals(m.to(), at, "seed " + seed);
                assertEquals(cost, m.cost(), "seed " + seed);
            }
            case Event.Attacked a -> {
                assertEquals(before.current(), a.unit(), "seed " + seed + ": attacked out of turn");
                assertFalse(before.attacked(), "seed " + seed + ": a second attack in one turn");
                assertEquals(before.controller(before.unit(a.unit()).orElseThrow()), actor, "seed " + seed);
            }
            default -> {
            }
        }
    }

    private static void checkLegal(State s, long seed) {
        Set<Pos> taken = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (Unit u : s.units()) {
            assertTrue(ids.add(u.id()), "seed " + seed + ": unit id twice");
            assertTrue(Board.inside(s, u.x(), u.y()), "seed " + seed + ": " + u + " off the grid");
            assertNotEquals(Board.WALL, s.cell(u.x(), u.y()), "seed " + seed + ": " + u + " in a wall");
            assertTrue(u.hp() >= 0 && u.hp() <= u.maxHp(), "seed " + seed + ": hp " + u);
            if (!u.down()) {
                assertTrue(taken.add(u.pos()), "seed " + seed + ": two units on " + u.pos());
            }
            if (u.owner() != null) {
                assertTrue(s.has(u.owner()), "seed " + seed + ": owned by a non-member");
            }
        }
        if (s.phase() == Phase.BATTLE && s.closed() == null) {
            Unit current = s.unit(s.current()).orElseThrow(() -> new AssertionError("seed " + seed + ": no turn"));
            assertFalse(current.down(), "seed " + seed + ": a downed unit's turn");
            assertTrue(s.moved() <= current.speed(), "seed " + seed + ": moved further than speed");
            assertTrue(s.standingSides().size() >= 2, "seed " + seed + ": battle with one side");
            assertEquals(new HashSet<>(s.order()).size(), s.order().size(), "seed " + seed);
        }
        if (s.phase() == Phase.OVER) {
            assertTrue(s.standingSides().size() <= 1, "seed " + seed);
        }
    }

    /** A plausible action by a plausible actor. */
    private Map.Entry<String, Command> sensible(SplittableRandom rnd, State s) {
        List<Unit> units = s.units();
        Unit any = units.isEmpty() ? null : units.get(rnd.nextInt(units.size()));
        String anyId = any == null ? "x" : any.id();
        String member = s.players().get(rnd.nextInt(s.players().size())).id();
        if (rnd.nextInt(25) == 0) {
            return Map.entry(member, new Command.Say("hello " + rnd.nextInt(100)));
        }
        if (s.phase() == Phase.OVER) {
            return Map.entry(member, rnd.nextInt(3) == 0 ? new Command.EndTurn() : new Command.Rematch());
        }
        if (s.phase() == Phase.SETUP) {
            int p = rnd.nextInt(10);
            if (p < 5) {
                return Map.entry(member, new Command.Claim(anyId));
            }
            if (p < 6) {
                return Map.entry(member, new Command.Release(anyId));
            }
            if (p < 7) {
                return Map.entry(HOST, new Command.AddUnit(new UnitSpec("Imp", rnd.nextBoolean() ? "blue" : "red",
                        rnd.nextInt(-1, s.width() + 1), rnd.nextInt(-1, s.height() + 1), rnd.nextInt(1, 12), 10,
                        rnd.nextInt(0, 6), 3, "1d6", rnd.nextInt(1, 4), 0)));
            }
            if (p < 8) {
                return Map.entry(HOST, new Command.RemoveUnit(anyId));
            }
            return Map.entry(HOST, new Command.Start());
        }
        Unit current = s.unit(s.current()).orElse(null);
        if (current == null) {
            return Map.entry(member, new Command.EndTurn());
        }
        String controller = s.controller(current);
        int p = rnd.nextInt(20);
        if (p < 8) {
            List<Pos> cells = List.copyOf(Board.reachable(s, current, current.speed() - s.moved()).keySet());
            if (!cells.isEmpty() && rnd.nextInt(5) > 0) {
                // Prefer cells next to an enemy, so fights happen.
                Pos to = cells.get(rnd.nextInt(cells.size()));
                for (Pos c : cells) {
                    boolean nearEnemy = units.stream().anyMatch(u -> !u.down() && !u.side().equals(current.side())
                            && u.pos().chebyshev(c) <= current.range());
                    if (nearEnemy && rnd.nextInt(3) > 0) {
                        to = c;
                        break;
                    }
                }
                return Map.entry(controller, new Command.Move(null, to.x(), to.y()));
            }
            return Map.entry(rnd.nextBoolean() ? controller : member, new Command.Move(anyId,
                    rnd.nextInt(-2, s.width() + 2), rnd.nextInt(-2, s.height() + 2)));
        }
        if (p < 15) {
            Unit target = units.stream().filter(u -> !u.down() && !u.side().equals(current.side())
                    && u.pos().chebyshev(current.pos()) <= current.range()).findFirst().orElse(any);
            return Map.entry(rnd.nextInt(6) > 0 ? controller : member, new Command.Attack(null,
                    target == null ? "x" : target.id()));
        }
        if (p < 18) {
            return Map.entry(rnd.nextInt(6) > 0 ? controller : member, new Command.EndTurn());
        }
        if (p < 19) {
            return Map.entry(HOST, rnd.nextBoolean() ? new Command.SkipTurn() : new Command.RemoveUnit(anyId));
        }
        return Map.entry(HOST, rnd.nextBoolean() ? new Command.Kick(member) : new Command.Assign(anyId, member));
    }

    /** A random body, as a client might send it, parsed the way the engine parses it (null: refused there). */
    private static Command garbage(SplittableRandom rnd, State s) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", TYPES[rnd.nextInt(TYPES.length)]);
        String[] fields = {"unit", "target", "x", "y", "player", "text"};
        for (String field : fields) {
            switch (rnd.nextInt(6)) {
                case 0 -> body.put(field, rnd.nextInt(-5, 30));
                case 1 -> body.put(field, s.units().isEmpty() ? "u" : s.units().get(rnd.nextInt(s.units().size())).id());
                case 2 -> body.putNull(field);
                case 3 -> body.put(field, "g-bob");
                case 4 -> body.put(field, rnd.nextDouble() * 100);
                default -> {
                }
            }
        }
        if (rnd.nextInt(5) == 0) {
            body.set("unit", JsonNodeFactory.instance.objectNode().put("name", "Imp").put("side", "red")
                    .put("x", rnd.nextInt(-1, 12)).put("y", rnd.nextInt(-1, 12)).put("hp", rnd.nextInt(-3, 600))
                    .put("ac", 10).put("speed", rnd.nextInt(-2, 30)).put("attack", 1).put("damage",
                            rnd.nextBoolean() ? "1d6" : "d7+x"));
        }
        try {
            return Json.convert(body, Command.class);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Test
    void garbageThatParsesIsRefusedWithAReasonNeverAnException() {
        // The same generator, alone: anything that parses gets a decision (accepted or a typed refusal).
        SplittableRandom rnd = new SplittableRandom(99);
        State s = rules.initial();
        s = rules.apply(s, ((Decision.Accept<Event>) rules.open(s, Json.read("{\"scenario\":\"skirmish\"}",
                JsonNode.class), ctx(HOST, Instant.EPOCH, rnd))).events().getFirst());
        int parsed = 0;
        for (int i = 0; i < 5000; i++) {
            Command c = garbage(rnd, s);
            if (c == null) {
                continue;
            }
            parsed++;
            Decision<Event> d = rules.decide(s, c, ctx(HOST, Instant.EPOCH, rnd));
            if (!(d instanceof Decision.Accept<Event> || d instanceof Decision.Reject<Event>)) {
                fail("unexpected " + d);
            }
        }
        assertTrue(parsed > 1000, parsed + " parsed");
    }
}
