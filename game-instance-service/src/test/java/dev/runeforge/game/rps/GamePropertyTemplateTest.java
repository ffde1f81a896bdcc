package dev.runeforge.game.rps;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GamePropertyTemplate;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.rps.RpsModel.Command;
import dev.runeforge.game.rps.RpsModel.Event;
import dev.runeforge.game.rps.RpsModel.MatchSettings;
import dev.runeforge.game.rps.RpsModel.State;
import org.junit.jupiter.api.Test;

/**
 * The property template can fail: rock-paper-scissors broken on purpose (a choice sent to everyone; a rematch that
 * throws) is caught within the template's scripts, and the failing script shrinks to a few steps; settings that
 * throw on an odd shape, or refuse a body the game's own generator makes, are caught too.
 */
class GamePropertyTemplateTest {
    /** Finds the first failing seed's script, shrinks it, and returns the shrunk script and its failure. */
    private static Map.Entry<List<GamePropertyTemplate.Step>, String> firstFailure(
            GameRules<State, Command, Event, ?> r) {
        RpsPropertyTest template = new RpsPropertyTest().using(r);
        for (long seed = 0; seed < 200; seed++) {
            List<GamePropertyTemplate.Step> script = template.generate(seed, new HashMap<>());
            Optional<String> failure = template.check(script);
            if (failure.isPresent()) {
                List<GamePropertyTemplate.Step> small = template.shrink(script);
                assertTrue(small.size() < script.size(), "nothing shrunk");
                return Map.entry(small, template.check(small).orElseThrow(() ->
                        new AssertionError("the shrunk script passes")));
            }
        }
        throw new AssertionError("200 scripts and the broken rules were not caught");
    }

    @Test
    void aChoiceSentToTheOpponentBeforeTheRevealIsCaughtAndShrunk() {
        var found = firstFailure(new Broken() {
            @Override
            public Object project(State state, Event event, Viewer viewer) {
                return event; // forgets the redaction
            }
        });
        assertTrue(found.getValue().contains("leaks") && found.getValue().contains("choice"), found.getValue());
        // create, a second player joins, one choice: the least that shows a choice to the other player.
        assertTrue(found.getKey().size() <= 4, GamePropertyTemplate.render(found.getKey()));
    }

    @Test
    void settingsThatThrowOnAnOddShapeAreCaught() {
        Optional<String> failure = new RpsPropertyTest().using(new Broken() {
            @Override
            public MatchSettings settings(JsonNode json) throws InvalidSettings {
                return new MatchSettings(json.path("bestOf").asInt(3), 0); // null settings: a NullPointerException
            }
        }).checkSettings();
        assertTrue(failure.isPresent() && failure.get().contains("threw"), failure.toString());
    }

    @Test
    void settingsThatRefuseWhatAClientMaySendAreCaught() {
        Optional<String> failure = new RpsPropertyTest().using(new Broken() {
            @Override
            public MatchSettings settings(JsonNode json) throws InvalidSettings {
                if (json != null && json.has("bestOf")) {
                    throw new InvalidSettings(RpsRules.INVALID_SETTINGS, "no bestOf today");
                }
                return super.settings(json);
            }
        }).checkSettings();
        assertTrue(failure.isPresent() && failure.get().contains("which the game refused"), failure.toString());
    }

    @Test
    void aRuleThatThrowsIsCaught() {
        var found = firstFailure(new Broken() {
            @Override
            public Decision<Event> decide(State state, Command command, Context ctx) {
                if (command instanceof Command.Rematch) {
                    throw new IllegalStateException("boom");
                }
                return super.decide(state, command, ctx);
            }
        });
        assertTrue(found.getValue().contains("decide threw"), found.getValue());
        assertTrue(found.getKey().size() <= 3, GamePropertyTemplate.render(found.getKey()));
    }

    /** The real rules, every method delegated, for a test to break one. */
    private static class Broken implements GameRules<State, Command, Event, MatchSettings> {
        private final RpsRules real = new RpsRules();

        @Override public String id() { return real.id(); }
        @Override public Class<Command> commandType() { return real.commandType(); }
        @Override public Class<State> stateType() { return real.stateType(); }
        @Override public Class<Event> eventType() { return real.eventType(); }
        @Override public State initial() { return real.initial(); }
        @Override public MatchSettings settings(JsonNode json) throws InvalidSettings { return real.settings(json); }
        @Override public Decision<Event> create(State s, MatchSettings m, Context c) { return real.create(s, m, c); }
        @Override public Decision<Event> join(State s, Context ctx) { return real.join(s, ctx); }
        @Override public Decision<Event> leave(State s, Context ctx) { return real.leave(s, ctx); }
        @Override public Decision<Event> decide(State s, Command c, Context ctx) { return real.decide(s, c, ctx); }
        @Override public State apply(State s, Event e) { return real.apply(s, e); }
        @Override public boolean isMember(State s, String p) { return real.isMember(s, p); }
        @Override public Collection<String> members(State s) { return real.members(s); }
        @Override public Optional<String> host(State s) { return real.host(s); }
        @Override public Decision<Event> end(State s, Context ctx) { return real.end(s, ctx); }
        @Override public Map<String, Map<String, Long>> tally(State s, Event e) { return real.tally(s, e); }
        @Override public Object view(State s, Viewer v) { return real.view(s, v); }
        @Override public Object project(State s, Event e, Viewer v) { return real.project(s, e, v); }
        @Override public Optional<Instant> deadline(State s) { return real.deadline(s); }
        @Override public boolean closed(State s) { return real.closed(s); }
        @Override public Decision<Event> onDeadline(State s, Context ctx) { return real.onDeadline(s, ctx); }
    }
}
