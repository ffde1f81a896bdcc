package dev.runeforge.game.dice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.runeforge.game.dice.DiceModel.Command;
import dev.runeforge.game.dice.DiceModel.Event;
import dev.runeforge.game.dice.DiceModel.State;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import org.junit.jupiter.api.Test;

class DiceRulesTest {
    private final DiceRules rules = new DiceRules();
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private static Context ctx(String actor, String name, String actionId, long seed) {
        return new Context("s1", "WOLF-0001", actionId, actor, name, NOW, new SplittableRandom(seed));
    }

    private State fold(State s, Decision<Event> d) {
        for (Event e : ((Decision.Accept<Event>) d).events()) {
            s = rules.apply(s, e);
        }
        return s;
    }

    private State room() {
        State s = fold(rules.initial(), rules.create(rules.initial(), JsonNodeFactory.instance.objectNode(), ctx("g-a", "Alice", "c", 1)));
        return fold(s, rules.join(s, ctx("g-b", "Bob", "j", 1)));
    }

    @Test
    void theCreatorIsAdminAndFirstPlayer() {
        State s = room();
        assertEquals("g-a", s.admin());
        assertEquals("WOLF-0001", s.code());
        assertEquals(2, s.players().size());
        assertEquals("Alice", s.players().getFirst().name());
    }

    @Test
    void joiningTwiceChangesNothing() {
        State s = room();
        Decision<Event> again = rules.join(s, ctx("g-b", "Bob", "j2", 1));
        assertEquals(0, ((Decision.Accept<Event>) again).events().size());
    }

    @Test
    void aRollRecordsItsDiceAndTotal() {
        State s = room();
        Decision<Event> d = rules.decide(s, new Command.RollDice("3d6+2"), ctx("g-b", "Bob", "r1", 99));
        Event.Rolled rolled = (Event.Rolled) ((Decision.Accept<Event>) d).events().getFirst();
        var roll = rolled.roll();
        assertEquals(3, roll.dice().size());
        assertEquals(roll.dice().stream().mapToInt(Integer::intValue).sum() + 2, roll.total());
        assertEquals("g-b", roll.player());
        assertEquals("r1", roll.id());
        assertEquals(NOW.toEpochMilli(), roll.at());
        // Same seed, same dice: randomness comes only through the context.
        Decision<Event> again = rules.decide(s, new Command.RollDice("3d6+2"), ctx("g-b", "Bob", "r1", 99));
        assertEquals(d, again);
        State after = rules.apply(s, rolled);
        assertEquals(1, after.rolls().size());
    }

    @Test
    void aBadFormulaIsRejectedWithItsCode() {
        Decision<Event> d = rules.decide(room(), new Command.RollDice("1d7"), ctx("g-b", "Bob", "r1", 1));
        var reject = assertInstanceOf(Decision.Reject.class, d);
        assertEquals(DiceRules.INVALID_DICE_FORMAT, reject.code());
        assertTrue(reject.message().contains("d7"));
    }

    @Test
    void leavingRemovesThePlayer() {
        State s = room();
        s = fold(s, rules.leave(s, ctx("g-b", "Bob", "l", 1)));
        assertEquals(1, s.players().size());
        assertTrue(rules.isMember(s, "g-a"));
    }

    @Test
    void historyIsBounded() {
        State s = room();
        for (int i = 0; i < DiceModel.HISTORY + 20; i++) {
            s = fold(s, rules.decide(s, new Command.RollDice("1d4"), ctx("g-a", "Alice", "r" + i, i)));
        }
        assertEquals(DiceModel.HISTORY, s.rolls().size());
        assertEquals("r" + (DiceModel.HISTORY + 19), s.rolls().getLast().id());
    }
}
