package dev.runeforge.game.tactics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.notation.DiceFormula;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.Phase;
import dev.runeforge.game.tactics.TacticsModel.Pos;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;
import org.junit.jupiter.api.Test;

/**
 * The built-in Duel gives both sides a turn before anyone can fall (issue 18: a duel used to end before the second
 * player acted in about 28% of games).
 */
class DuelBalanceTest {
    private final TacticsRules rules = new TacticsRules();

    /** Every die at its highest face. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public int nextInt(int bound) {
            return bound - 1;
        }
    };

    /** The most one attack of {@code unit} can deal: a critical, its dice rolled twice at their highest. */
    static int mostOneBlowDeals(Unit unit) throws DiceFormula.InvalidFormula {
        DiceFormula.Result highest = DiceFormula.parse(unit.damage()).roll(HIGHEST);
        return 2 * (highest.total() - highest.modifier()) + highest.modifier();
    }

    @Test
    void noSingleBlowCanFellAUnitOfTheDuel() throws Exception {
        List<Unit> units = Scenarios.BUILT_IN.get("duel").units();
        for (Unit attacker : units) {
            for (Unit target : units) {
                if (!attacker.side().equals(target.side())) {
                    int most = mostOneBlowDeals(attacker);
                    assertEquals(15, most, "2 x 6 + 3 for 1d6+3");
                    assertTrue(most < target.maxHp(), attacker.name() + " could fell " + target.name()
                            + " with one blow: " + most + " >= " + target.maxHp());
                }
            }
        }
    }

    /**
     * Two thousand duels, each side closing in and striking as hard as it can every turn: in every one, both
     * units had a turn before the first fell, and a duel takes a few blows, not dozens.
     */
    @Test
    void bothSidesActBeforeAnyoneFallsInEveryDuel() {
        int duels = 2000;
        int blows = 0;
        for (int seed = 0; seed < duels; seed++) {
            blows += fight(seed);
        }
        double average = (double) blows / duels;
        assertTrue(average > 4 && average < 12, "a duel takes " + average + " attacks on average");
    }

    /** Fights one duel to the end; returns how many attacks it took. */
    private int fight(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Instant now = Instant.parse("2026-11-27T12:00:00Z");
        String host = "g-host";
        State s = rules.initial();
        s = apply(s, rules.open(s, Json.read("{\"scenario\":\"duel\"}", JsonNode.class), ctx(host, now, rng)));
        s = apply(s, rules.decide(s, new Command.Start(), ctx(host, now, rng)));
        Set<String> hadATurn = new HashSet<>(Set.of(s.current()));
        int attacks = 0;
        while (s.phase() == Phase.BATTLE) {
            Unit me = s.unit(s.current()).orElseThrow();
            Unit enemy = s.units().stream().filter(u -> !u.side().equals(me.side())).findFirst().orElseThrow();
            if (me.pos().chebyshev(enemy.pos()) > me.range()) {
                Map<Pos, Integer> reach = Board.reachable(s, me, me.speed() - s.moved());
                Pos best = reach.keySet().stream()
                        .min((a, b) -> Integer.compare(a.chebyshev(enemy.pos()), b.chebyshev(enemy.pos())))
                        .orElse(me.pos());
                if (!best.equals(me.pos())) {
                    s = apply(s, rules.decide(s, new Command.Move(null, best.x(), best.y()), ctx(host, now, rng)));
                }
            }
            if (me.pos().chebyshev(enemy.pos()) <= me.range() || s.unit(me.id()).orElseThrow().pos()
                    .chebyshev(enemy.pos()) <= me.range()) {
                Decision<Event> struck = rules.decide(s, new Command.Attack(null, enemy.id()), ctx(host, now, rng));
                attacks++;
                for (Event e : ((Decision.Accept<Event>) struck).events()) {
                    if (e instanceof Event.Attacked a && a.down()) {
                        assertEquals(2, hadATurn.size(), "seed " + seed + ": " + enemy.name()
                                + " fell before both sides had a turn");
                    }
                }
                s = apply(s, struck);
            }
            if (s.phase() == Phase.BATTLE) {
                s = apply(s, rules.decide(s, new Command.EndTurn(), ctx(host, now, rng)));
                hadATurn.add(s.current());
            }
        }
        return attacks;
    }

    private State apply(State s, Decision<Event> d) {
        Decision.Accept<Event> accept = assertInstanceOf(Decision.Accept.class, d, () -> "refused: " + d);
        for (Event e : accept.events()) {
            s = rules.apply(s, e);
        }
        return s;
    }

    private static Context ctx(String actor, Instant now, SplittableRandom rng) {
        return new Context("s", "DUEL-0001", actor + ":" + rng.nextLong(), actor, "host", now, rng.split());
    }
}
