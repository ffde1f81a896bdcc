package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;
import dev.runeforge.game.dice.DiceModel;
import dev.runeforge.game.dice.DiceRules;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The engine's pure core, no server: decide, commit, apply, replay. */
class SessionStepTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final DiceRules rules = new DiceRules();

    private static BusAction action(String id, BusAction.Kind kind, String player, JsonNode body) {
        return new BusAction(id, kind, "s1", player, player.toUpperCase(), kind == BusAction.Kind.CREATE ? "dice" : null,
                body, "conn", 0);
    }

    private static BusAction roll(String id, String player, String formula) {
        return action(id, BusAction.Kind.GAME, player, Json.tree(Map.of("type", "roll", "formula", formula)));
    }

    /** Runs actions through decide/apply the way the handler does; returns the live session and every commit. */
    private record Run(LiveSession<DiceModel.State, DiceModel.Command, DiceModel.Event> session, List<Commit> log,
                       List<SessionStep.Outcome> outcomes) {
    }

    private Run run(List<BusAction> actions, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        var session = LiveSession.empty(rules, "s1", "WOLF-0001");
        List<Commit> log = new ArrayList<>();
        List<SessionStep.Outcome> outcomes = new ArrayList<>();
        long streamSeq = 100;
        for (BusAction a : actions) {
            SessionStep.Outcome o = SessionStep.decide(session, a, NOW, rng);
            outcomes.add(o);
            if (o instanceof SessionStep.Outcome.Committed c) {
                streamSeq += 3;
                session = SessionStep.apply(session, c.commit(), streamSeq).after();
                log.add(c.commit());
            }
        }
        return new Run(session, log, outcomes);
    }

    @Test
    void aRedeliveredActionChangesNothing() {
        BusAction r = roll("r1", "a", "1d20");
        Run run = run(List.of(action("c", BusAction.Kind.CREATE, "a", null), r, r), 1);
        assertInstanceOf(SessionStep.Outcome.Committed.class, run.outcomes().get(1));
        assertInstanceOf(SessionStep.Outcome.Duplicate.class, run.outcomes().get(2));
        assertEquals(2, run.session().seq());
        assertEquals(1, run.session().state().rolls().size());
    }

    @Test
    void twoPlayersMayUseTheSameClientIdWithoutShadowingEachOther() {
        Run run = run(List.of(action("c", BusAction.Kind.CREATE, "a", null), action("j", BusAction.Kind.JOIN, "b", null),
                roll("same", "a", "1d4"), roll("same", "b", "1d4")), 1);
        assertEquals(2, run.session().state().rolls().size());
    }

    @Test
    void nonMembersAndUnknownCommandsAreRejected() {
        Run run = run(List.of(action("c", BusAction.Kind.CREATE, "a", null), roll("r", "stranger", "1d6"),
                action("x", BusAction.Kind.GAME, "a", Json.tree(Map.of("type", "fly"))),
                action("c2", BusAction.Kind.CREATE, "a", null)), 1);
        assertEquals(ErrorCodes.NOT_IN_ROOM, ((SessionStep.Outcome.Rejected) run.outcomes().get(1)).code());
        assertEquals(ErrorCodes.INVALID_ACTION, ((SessionStep.Outcome.Rejected) run.outcomes().get(2)).code());
        assertEquals(ErrorCodes.INVALID_ACTION, ((SessionStep.Outcome.Rejected) run.outcomes().get(3)).code());
        assertEquals(1, run.session().seq());
    }

    @Test
    void viewsGoToEveryoneWhenNobodySeesMore() {
        var session = LiveSession.empty(rules, "s1", "WOLF-0001");
        var create = (SessionStep.Outcome.Committed) SessionStep.decide(session, action("c", BusAction.Kind.CREATE, "a", null), NOW, new SplittableRandom(1));
        var applied = SessionStep.apply(session, create.commit(), 1);
        assertEquals(1, applied.outbound().size());
        assertNull(applied.outbound().getFirst().player());
        var event = (ServerMessage.Event) applied.outbound().getFirst().message();
        assertEquals(1, event.seq());
        assertEquals("room_created", event.body().path("type").asText());
        ServerMessage.Joined joined = SessionStep.joined(applied.after(), "a", Instant.ofEpochMilli(42));
        assertEquals(1, joined.seq());
        assertEquals("WOLF-0001", joined.view().path("code").asText());
        assertEquals(42, joined.serverTime(), "the view says when it was made");
    }

    @Test
    void aRollToTheDmGoesToEachMemberApartAndWholeOnlyToItsRollerAndTheDm() {
        Run run = run(List.of(action("c", BusAction.Kind.CREATE, "dm", Json.tree(Map.of("mode", "dm-led"))),
                action("j1", BusAction.Kind.JOIN, "bob", null), action("j2", BusAction.Kind.JOIN, "carol", null)), 1);
        BusAction toDm = action("r", BusAction.Kind.GAME, "bob",
                Json.tree(Map.of("type", "roll", "formula", "1d20", "mode", "dm", "label", "Insight")));
        var committed = (SessionStep.Outcome.Committed) SessionStep.decide(run.session(), toDm, NOW, new SplittableRandom(2));
        var applied = SessionStep.apply(run.session(), committed.commit(), 500);
        Map<String, JsonNode> sent = new java.util.HashMap<>();
        for (SessionStep.Outbound o : applied.outbound()) {
            org.junit.jupiter.api.Assertions.assertNotNull(o.player(), "nothing of it on the room's shared subject");
            sent.put(o.player(), ((ServerMessage.Event) o.message()).body().path("roll"));
        }
        assertEquals(java.util.Set.of("dm", "bob", "carol"), sent.keySet());
        assertEquals("Insight", sent.get("bob").path("label").asText());
        assertEquals("Insight", sent.get("dm").path("label").asText());
        assertEquals("dm", sent.get("carol").path("mode").asText());
        for (String field : List.of("total", "terms", "formula", "label", "dc")) {
            org.junit.jupiter.api.Assertions.assertFalse(sent.get("carol").has(field), "carol got " + field);
        }
    }

    /** Property: for random action sequences, replaying the stored commits rebuilds exactly the live state. */
    @RepeatedTest(25)
    void replayingTheLogRebuildsTheLiveSession() {
        SplittableRandom gen = new SplittableRandom();
        long seed = gen.nextLong();
        List<String> players = List.of("a", "b", "c", "d");
        List<BusAction> actions = new ArrayList<>();
        actions.add(action("c", BusAction.Kind.CREATE, "a", null));
        int n = 20 + gen.nextInt(120);
        for (int i = 0; i < n; i++) {
            String p = players.get(gen.nextInt(players.size()));
            String id = "x" + gen.nextInt(n); // repeats on purpose: redeliveries
            actions.add(switch (gen.nextInt(6)) {
                case 0 -> action(id, BusAction.Kind.JOIN, p, null);
                case 1 -> action(id, BusAction.Kind.LEAVE, p, null);
                case 2 -> roll(id, p, "1d7");
                case 3 -> action(id, BusAction.Kind.GAME, p, gen.nextBoolean()
                        ? Json.tree(Map.of("type", "chat", "text", "hello " + i))
                        : Json.tree(Map.of("type", "roll", "formula", "1d20+2", "mode", "self", "label", "Stealth",
                        "advantage", "advantage")));
                default -> roll(id, p, (1 + gen.nextInt(5)) + "d" + List.of(4, 6, 8, 10, 12, 20, 100).get(gen.nextInt(7))
                        + "+" + gen.nextInt(10));
            });
        }
        Run live = run(actions, seed);

        var rebuilt = LiveSession.empty(rules, "s1", null);
        long streamSeq = 100;
        for (Commit c : live.log()) {
            Commit stored = Json.read(Json.bytes(c), Commit.class); // as it comes back from JetStream
            streamSeq += 3;
            rebuilt = rebuilt.fold(stored, streamSeq);
        }
        assertEquals(live.session().state(), rebuilt.state(), "seed " + seed);
        assertEquals(live.session().seq(), rebuilt.seq());
        assertEquals(live.session().code(), rebuilt.code());
        assertEquals(live.session().streamSeq(), rebuilt.streamSeq());
        for (BusAction a : actions) {
            assertEquals(live.session().applied().contains(a.key()), rebuilt.applied().contains(a.key()));
        }
    }
}
