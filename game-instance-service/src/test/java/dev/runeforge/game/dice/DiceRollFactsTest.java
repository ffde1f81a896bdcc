package dev.runeforge.game.dice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.game.engine.SessionStep;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;

/**
 * The dice room declares its rolls' permalink facts (issue 19): exactly what persistence-service used to read out of
 * its events by name, so the permalinks of commits stored before and after the change are the same.
 */
class DiceRollFactsTest {
    private static final String DM = "g-dm";
    private static final String BOB = "g-bob";

    private final DiceRules rules = new DiceRules();
    private final SplittableRandom rng = new SplittableRandom(11);
    private LiveSession<?, ?, ?> session = LiveSession.empty(rules, "s1", "WOLF-RUNE-0001");
    private long now = 1_790_000_000_000L;
    private int ids;
    /** Per commit: the roll facts as stored now (declared) and as a commit of before would be read (derived). */
    private final List<Map<Long, RollFact>> declared = new ArrayList<>();
    private final List<Map<Long, RollFact>> derived = new ArrayList<>();

    private void act(BusAction.Kind kind, String player, Object body) {
        BusAction a = new BusAction("a" + (++ids), kind, "s1", player, player.substring(2), "dice",
                body == null ? null : Json.tree(body), null, 0);
        now += 1000;
        Commit commit = ((SessionStep.Outcome.Committed) SessionStep.decide(session, a, Instant.ofEpochMilli(now),
                rng)).commit();
        SessionStep.Applied<?, ?, ?> applied = SessionStep.apply(session, commit, 0);
        session = applied.after();
        NatsMessage stored = NatsMessage.builder().subject("rf.evt.s1").data(EventsStream.body(commit))
                .headers(EventsStream.headers(commit, new EventsStream.Declared(applied.tallies(), applied.rolls()), null))
                .build();
        declared.add(EventsStream.read(stored).declared().rolls());
        ObjectNode before = (ObjectNode) Json.tree(commit);
        before.remove("v");
        derived.add(EventsStream.read(NatsMessage.builder().subject("rf.evt.s1").data(Json.bytes(before)).build())
                .declared().rolls());
    }

    private static Map<String, Object> roll(String formula, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("type", "roll");
        body.put("formula", formula);
        return body;
    }

    @Test
    void theRoomDeclaresWhatPersistenceReadFromItsEventsBefore() {
        act(BusAction.Kind.CREATE, DM, Map.of("mode", "dm-led"));
        act(BusAction.Kind.JOIN, BOB, null);
        act(BusAction.Kind.GAME, DM, Map.of("type", "set_dc", "dc", 12));
        act(BusAction.Kind.GAME, BOB, roll("1d20+5", Map.of("advantage", "advantage", "label", "Stealth")));
        act(BusAction.Kind.GAME, BOB, roll("2d6!-1", Map.of()));
        act(BusAction.Kind.GAME, BOB, roll("1d20", Map.of("mode", "dm")));
        act(BusAction.Kind.GAME, BOB, roll("1d20", Map.of("mode", "self")));
        act(BusAction.Kind.GAME, DM, roll("1d20", Map.of("mode", "secret")));
        RollFact.Rolled secret = (RollFact.Rolled) declared.getLast().values().iterator().next();
        act(BusAction.Kind.GAME, DM, roll("1d20", Map.of("hidden", true)));
        act(BusAction.Kind.GAME, DM, Map.of("type", "reveal", "roll", secret.id()));

        assertEquals(derived, declared, "the same facts, commit by commit");
        List<RollFact> facts = declared.stream().flatMap(m -> m.values().stream()).toList();
        assertEquals(5, facts.size(), "two public rolls, two secret ones, one reveal; none for dm or self: " + facts);
        RollFact.Rolled stealth = (RollFact.Rolled) facts.get(0);
        assertEquals("Stealth", stealth.label());
        assertEquals("advantage", stealth.advantage());
        assertEquals(12, stealth.dc());
        assertEquals(2, stealth.terms().getFirst().dice().size(), "both d20s of an advantage roll");
        assertTrue(secret.hidden());
        assertEquals(new RollFact.Revealed(secret.id(), now), facts.getLast());
        assertInstanceOf(RollFact.Rolled.class, facts.get(3));
    }

    /** A public d20+2 roll with every field a permalink needs; {@code with} changes one of them. */
    private static DiceModel.Roll aRoll(java.util.function.UnaryOperator<Object[]> with) {
        Object[] f = {"abcdefgh12345678", "a1", BOB, "Bob", "1d20+2",
                List.of(new dev.runeforge.game.notation.DiceFormula.Term(1, 1, 20, "1d20",
                        List.of(new dev.runeforge.game.notation.DiceFormula.Die(17, true, false)), 17)),
                2, 19, DiceModel.RollMode.PUBLIC, null};
        f = with.apply(f);
        return new DiceModel.Roll((String) f[0], (String) f[1], (String) f[2], (String) f[3], (String) f[4],
                castTerms(f[5]), (Integer) f[6], (Integer) f[7], 1000L, false, null, null, null, 1,
                (DiceModel.RollMode) f[8], null, (DiceModel.Advantage) f[9]);
    }

    @SuppressWarnings("unchecked")
    private static List<dev.runeforge.game.notation.DiceFormula.Term> castTerms(Object terms) {
        return (List<dev.runeforge.game.notation.DiceFormula.Term>) terms;
    }

    private java.util.Optional<RollFact> factOf(DiceModel.Roll roll) {
        return rules.rollFact(DiceModel.State.INITIAL, new DiceModel.Event.Rolled(roll));
    }

    @Test
    void aRollThatCanNeverBePublicOrLacksWhatAPermalinkNeedsDeclaresNothing() {
        assertTrue(factOf(aRoll(f -> f)).isPresent(), "the whole public roll has one");
        int[] field = {0, 3, 4, 5, 7};
        for (int i : field) {
            assertTrue(factOf(aRoll(f -> {
                f[i] = null;
                return f;
            })).isEmpty(), "none without field " + i);
        }
        assertTrue(factOf(aRoll(f -> {
            f[0] = "short";
            return f;
        })).isEmpty(), "none for an id no permalink can have");
        for (DiceModel.RollMode never : List.of(DiceModel.RollMode.DM, DiceModel.RollMode.SELF)) {
            assertTrue(factOf(aRoll(f -> {
                f[8] = never;
                return f;
            })).isEmpty(), "a roll to " + never + " is never public");
        }
        assertEquals(java.util.Optional.empty(), rules.rollFact(DiceModel.State.INITIAL,
                new DiceModel.Event.RollRevealed("short", 5, null)), "a reveal of an id no permalink can have");
        assertInstanceOf(RollFact.Revealed.class, rules.rollFact(DiceModel.State.INITIAL,
                new DiceModel.Event.RollRevealed("abcdefgh12345678", 5, null)).orElseThrow());
    }

    @Test
    void aPermalinkShowsTheAdvantageAndAMissingModifierAsNone() {
        RollFact.Rolled plain = (RollFact.Rolled) factOf(aRoll(f -> {
            f[6] = null;
            return f;
        })).orElseThrow();
        assertEquals(0, plain.modifier());
        assertEquals(null, plain.advantage());
        assertEquals(null, plain.passed(), "no DC, no verdict");
        for (DiceModel.Advantage a : List.of(DiceModel.Advantage.ADVANTAGE, DiceModel.Advantage.DISADVANTAGE)) {
            RollFact.Rolled r = (RollFact.Rolled) factOf(aRoll(f -> {
                f[9] = a;
                return f;
            })).orElseThrow();
            assertEquals(a == DiceModel.Advantage.ADVANTAGE ? "advantage" : "disadvantage", r.advantage());
        }
    }
}
