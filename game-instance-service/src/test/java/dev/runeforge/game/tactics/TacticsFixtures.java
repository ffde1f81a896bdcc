package dev.runeforge.game.tactics;

import dev.runeforge.game.notation.DiceFormula;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.InitiativeRoll;
import dev.runeforge.game.tactics.TacticsModel.Player;
import dev.runeforge.game.tactics.TacticsModel.Scenario;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;

/** Hand-built encounters for the tactics tests: fixed clock, chosen dice, turn order set by events. */
final class TacticsFixtures {
    static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
    static final String HOST = "g-host";
    static final String BOB = "g-bob";
    static final String CAROL = "g-carol";

    final TacticsRules rules;
    Instant now = T0;
    private int actions;

    TacticsFixtures() {
        this(new TacticsRules());
    }

    TacticsFixtures(TacticsRules rules) {
        this.rules = rules;
    }

    /** d20s and dice come up as {@code values} (each used as the die's face), then seeded randomness. */
    static RandomGenerator dice(int... values) {
        Deque<Integer> queue = new ArrayDeque<>();
        for (int v : values) {
            queue.add(v);
        }
        SplittableRandom fallback = new SplittableRandom(7);
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return fallback.nextLong();
            }

            @Override
            public int nextInt(int bound) {
                return queue.isEmpty() ? fallback.nextInt(bound) : queue.poll() - 1; // DiceFormula adds 1
            }

            @Override
            public int nextInt(int origin, int bound) {
                return queue.isEmpty() ? fallback.nextInt(origin, bound) : queue.poll();
            }
        };
    }

    Context ctx(String actor, RandomGenerator rng) {
        return new Context("s1", "FORT-0001", actor + ":a" + (++actions), actor, actor.substring(2), now, rng);
    }

    Context ctx(String actor) {
        return ctx(actor, new SplittableRandom(actions));
    }

    static Unit unit(String id, String side, int x, int y, int speed) {
        return new Unit(id, id, side, x, y, 10, 10, 12, speed, 4, "1d6+1", 1, 0, null);
    }

    static Unit owned(Unit u, String owner) {
        return u.ownedBy(owner);
    }

    State fold(State s, Decision<Event> d) {
        Decision.Accept<Event> accept = assertInstanceOf(Decision.Accept.class, d, () -> "refused: " + d);
        for (Event e : accept.events()) {
            s = rules.apply(s, e);
        }
        return s;
    }

    static String refusal(Decision<Event> d) {
        return assertInstanceOf(Decision.Reject.class, d, () -> "accepted: " + d).code();
    }

    static String message(Decision<Event> d) {
        return assertInstanceOf(Decision.Reject.class, d, () -> "accepted: " + d).message();
    }

    /** A setup-phase encounter on {@code rows} with HOST, BOB and CAROL in it. */
    State setup(List<String> rows, Unit... units) {
        long at = now.toEpochMilli();
        Scenario scenario = new Scenario("Test", rows.getFirst().length(), rows.size(), rows, List.of(units));
        State s = rules.apply(rules.initial(), new Event.EncounterCreated("FORT-0001", new Player(HOST, "host"),
                scenario, 60, 3600, at));
        s = rules.apply(s, new Event.PlayerJoined(new Player(BOB, "bob"), at));
        return rules.apply(s, new Event.PlayerJoined(new Player(CAROL, "carol"), at));
    }

    /** The same, in battle: turn order as the units are listed, the first unit's turn. */
    State battle(List<String> rows, Unit... units) {
        State s = setup(rows, units);
        List<InitiativeRoll> rolls = new ArrayList<>();
        for (int i = 0; i < units.length; i++) {
            rolls.add(new InitiativeRoll(units[i].id(), 20 - i, 0, 20 - i));
        }
        long at = now.toEpochMilli();
        s = rules.apply(s, new Event.InitiativeRolled(rolls, rolls.stream().map(InitiativeRoll::unit).toList(), at));
        return rules.apply(s, new Event.TurnStarted(units[0].id(), 1, at));
    }
}
