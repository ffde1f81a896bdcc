package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import org.junit.jupiter.api.Test;

/** The engine's small values: who looks, what a rule knows, what it decides, a commit, a live session, the games. */
class EngineValuesTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final JsonNode EVENT = Json.tree(new ToyRules.Event("created", "a", 0));

    private static Context ctx(String actor) {
        return new Context("s1", "TOY-0001", "a:1", actor, actor.toUpperCase(), NOW, new SplittableRandom(1));
    }

    @Test
    void aViewerIsAPlayerThePublicOrAnOutsiderWhoIsNobodyInParticular() {
        assertTrue(Viewer.of("a").is("a"));
        assertFalse(Viewer.of("a").is("b"));
        assertFalse(Viewer.PUBLIC.is("a"));
        assertFalse(Viewer.PUBLIC.is(null));
        assertTrue(Viewer.OUTSIDER.outsider());
        assertFalse(Viewer.PUBLIC.outsider());
        assertThrows(IllegalArgumentException.class, () -> new Viewer("a", true));
    }

    @Test
    void aContextNeedsItsSessionActionActorNameTimeAndRandomnessAndMayLackADevice() {
        assertNull(ctx("a").device());
        assertEquals("dev-1", new Context("s1", null, "x", "a", "A", NOW, new SplittableRandom(1), "dev-1").device());
        SplittableRandom rng = new SplittableRandom(1);
        assertThrows(NullPointerException.class, () -> new Context(null, "c", "x", "a", "A", NOW, rng));
        assertThrows(NullPointerException.class, () -> new Context("s", "c", null, "a", "A", NOW, rng));
        assertThrows(NullPointerException.class, () -> new Context("s", "c", "x", null, "A", NOW, rng));
        assertThrows(NullPointerException.class, () -> new Context("s", "c", "x", "a", null, NOW, rng));
        assertThrows(NullPointerException.class, () -> new Context("s", "c", "x", "a", "A", null, rng));
        assertThrows(NullPointerException.class, () -> new Context("s", "c", "x", "a", "A", NOW, null));
    }

    @Test
    void aDecisionCopiesItsEventsAndARefusalOrReplyNeedsItsParts() {
        List<String> events = new ArrayList<>(List.of("e1"));
        Decision.Accept<String> accept = new Decision.Accept<>(events);
        events.add("e2");
        assertEquals(List.of("e1"), accept.events());
        assertEquals(new Decision.Accept<>(List.of("x", "y")), Decision.accept("x", "y"));
        assertEquals(new Decision.Reply<String>("body"), Decision.reply("body"));
        assertEquals(new Decision.Reject<String>("CODE", "why"), Decision.reject("CODE", "why"));
        assertThrows(NullPointerException.class, () -> Decision.reply(null));
        assertThrows(NullPointerException.class, () -> Decision.reject(null, "why"));
        assertThrows(NullPointerException.class, () -> Decision.reject("CODE", null));
    }

    @Test
    void aCommitHoldsAtLeastOneEventNumberedFromOne() {
        Commit c = new Commit("s1", "toy", "TOY-0001", "a:1", "a", 5, 3, List.of(EVENT, EVENT));
        assertEquals(4, c.lastSeq());
        assertEquals(3, new Commit("s1", "toy", null, "a:1", null, 0, 3, List.of(EVENT)).lastSeq());
        assertThrows(IllegalArgumentException.class, () -> new Commit("s1", "toy", "C", "a:1", "a", 5, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Commit("s1", "toy", "C", "a:1", "a", 5, 0, List.of(EVENT)));
        assertThrows(NullPointerException.class, () -> new Commit(null, "toy", "C", "a:1", "a", 5, 1, List.of(EVENT)));
        assertThrows(NullPointerException.class, () -> new Commit("s1", null, "C", "a:1", "a", 5, 1, List.of(EVENT)));
        assertThrows(NullPointerException.class, () -> new Commit("s1", "toy", "C", null, "a", 5, 1, List.of(EVENT)));
    }

    @Test
    void aLiveSessionFoldsOnlyTheCommitThatFollowsItAndLearnsItsCodeFromTheFirst() {
        ToyRules toy = new ToyRules();
        var empty = LiveSession.empty(toy, "s1", null);
        assertFalse(empty.created());
        assertFalse(empty.hasMember("a"));
        Commit first = new Commit("s1", "toy", "TOY-0001", "a:c", "a", 0, 1, List.of(EVENT));
        var created = empty.fold(first, 7);
        assertTrue(created.created());
        assertTrue(created.hasMember("a"));
        assertEquals("TOY-0001", created.code());
        assertEquals(1, created.seq());
        assertEquals(7, created.streamSeq());
        assertTrue(created.applied().contains("a:c"));
        assertEquals(9, created.storedAt(9).streamSeq());
        assertEquals(created.state(), created.storedAt(9).state());

        Commit second = new Commit("s1", "toy", "OTHER", "b:j", "b", 0, 2,
                List.of(Json.tree(new ToyRules.Event("joined", "b", 0))));
        assertEquals("TOY-0001", created.fold(second, 8).code(), "a known code stays");
        var after = created.after(second, created.state(), 8);
        assertSame(created.state(), after.state(), "after() takes the state the caller folded");
        assertEquals(2, after.seq());
        assertEquals("TOY-0001", after.code());
        assertEquals("TOY-0001", empty.after(first, created.state(), 1).code());
        assertEquals("KEEP", LiveSession.empty(toy, "s1", "KEEP").after(first, created.state(), 1).code());

        IllegalStateException gap = assertThrows(IllegalStateException.class, () -> empty.fold(second, 8));
        assertEquals("commit 2 does not follow seq 0 of session s1", gap.getMessage());
        assertThrows(IllegalStateException.class, () -> empty.after(second, created.state(), 8));
        assertThrows(IllegalStateException.class, () -> created.fold(first, 8));
        assertThrows(NullPointerException.class, () -> new LiveSession<>(null, "s", "c", "x", 0, 0, new RecentIds()));
        assertThrows(NullPointerException.class, () -> new LiveSession<>(toy, null, "c", toy.initial(), 0, 0, new RecentIds()));
        assertThrows(NullPointerException.class, () -> new LiveSession<>(toy, "s", "c", null, 0, 0, new RecentIds()));
        assertThrows(NullPointerException.class, () -> new LiveSession<>(toy, "s", "c", toy.initial(), 0, 0, null));
    }

    @Test
    void theRegistryFindsGamesByIdInRegistrationOrderAndRefusesAGameTwice() {
        ToyRules toy = new ToyRules();
        GameRegistry registry = new GameRegistry();
        assertSame(registry, registry.register(toy));
        assertEquals(List.of("toy"), List.copyOf(registry.ids()));
        assertEquals(Optional.of(toy), registry.find("toy"));
        assertEquals(Optional.empty(), registry.find("chess"));
        assertEquals(Optional.empty(), registry.find(null));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> registry.register(new ToyRules()));
        assertEquals("game registered twice: toy", twice.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> registry.ids().add("x"));
    }

    @Test
    void aGameThatSaysNothingMoreHasNoHostNoDeadlineNoTalliesAndCannotBeEnded() {
        ToyRules toy = new ToyRules();
        GameRules<String, String, String, ?> bare = new GameRules<String, String, String, String>() {
            public String id() { return "bare"; }
            public Class<String> commandType() { return String.class; }
            public Class<String> stateType() { return String.class; }
            public Class<String> eventType() { return String.class; }
            public String initial() { return ""; }
            public String settings(JsonNode json) { return ""; }
            public Decision<String> create(String s, String settings, Context c) { return Decision.accept(); }
            public Decision<String> join(String s, Context c) { return Decision.accept(); }
            public Decision<String> leave(String s, Context c) { return Decision.accept(); }
            public Decision<String> decide(String s, String command, Context c) { return Decision.accept(); }
            public String apply(String s, String e) { return s + e; }
            public boolean isMember(String s, String p) { return true; }
            public java.util.Collection<String> members(String s) { return List.of("b", "a"); }
            public Object view(String s, Viewer v) { return s; }
            public Object project(String s, String e, Viewer v) { return e; }
        };
        assertEquals(List.of("b", "a"), List.copyOf(bare.memberNames("").keySet()));
        assertEquals(Map.of("a", "a", "b", "b"), bare.memberNames(""));
        assertEquals(Optional.empty(), bare.host(""));
        assertEquals(List.of(), bare.barred(""));
        assertEquals(Map.of(), bare.tally("", "e"));
        assertEquals(Optional.empty(), bare.deadline(""));
        assertFalse(bare.closed(""));
        Decision<String> end = bare.end("", ctx("a"));
        assertEquals(ErrorCodes.FORBIDDEN, ((Decision.Reject<String>) end).code());
        assertEquals(Decision.accept(), bare.presence("", "conn", true, ctx("a")));
        assertEquals(Decision.accept(), bare.onDeadline("", ctx("system")));
        assertEquals(Optional.empty(), toy.host(toy.initial()));
    }
}
