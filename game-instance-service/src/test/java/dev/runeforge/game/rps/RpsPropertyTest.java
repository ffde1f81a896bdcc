package dev.runeforge.game.rps;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.game.engine.GamePropertyTemplate;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.rps.RpsModel.Choice;
import dev.runeforge.game.rps.RpsModel.Command;
import dev.runeforge.game.rps.RpsModel.Event;
import dev.runeforge.game.rps.RpsModel.Phase;
import dev.runeforge.game.rps.RpsModel.State;

/**
 * Rock-paper-scissors against the engine's invariants (the template, filled in: docs/games.md, Tests). The secret
 * is each choice of the open round: only its chooser may see it, anywhere, until the round is revealed.
 */
class RpsPropertyTest extends GamePropertyTemplate<State, Command, Event> {
    private static final String[] CHOICES = {"rock", "paper", "scissors"};

    private GameRules<State, Command, Event, ?> rules = new RpsRules();

    /** The same template on other rules (a broken copy, to prove it catches it: GamePropertyTemplateTest). */
    RpsPropertyTest using(GameRules<State, Command, Event, ?> other) {
        this.rules = other;
        return this;
    }

    @Override
    protected GameRules<State, Command, Event, ?> rules() {
        return rules;
    }

    @Override
    protected JsonNode createSettings(SplittableRandom rnd) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        if (rnd.nextBoolean()) {
            s.put("bestOf", 1 + 2 * rnd.nextInt(3));
        }
        if (rnd.nextBoolean()) {
            s.put("choiceSeconds", rnd.nextInt(4) == 0 ? 0 : 30);
        }
        return s;
    }

    @Override
    protected Move move(SplittableRandom rnd, State state) {
        List<String> players = state.players().stream().map(RpsModel.Player::id).toList();
        String actor = players.isEmpty() || rnd.nextInt(8) == 0 ? PEOPLE.get(rnd.nextInt(PEOPLE.size()))
                : players.get(rnd.nextInt(players.size()));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (state.phase() == Phase.OVER && rnd.nextInt(3) > 0) {
            return new Move(actor, body.put("type", "rematch"));
        }
        if (rnd.nextInt(15) == 0) {
            return new Move(actor, body.put("type", "rematch"));
        }
        return new Move(actor, body.put("type", "choose").put("choice", CHOICES[rnd.nextInt(CHOICES.length)]));
    }

    @Override
    protected List<String> commandTypes() {
        return List.of("choose", "rematch");
    }

    @Override
    protected List<String> fieldNames() {
        return List.of("choice", "round", "player");
    }

    /** Each choice of the open round is its chooser's alone: as a {@code {player, choice}} object or in a round. */
    @Override
    protected List<Secret> secrets(State state) {
        List<Secret> secrets = new ArrayList<>();
        state.choices().forEach((player, choice) -> secrets.add(new Secret(player + "'s choice in round "
                + state.round(), v -> v.is(player), node -> node.isObject()
                && ((node.path("player").asText().equals(player) && node.hasNonNull("choice")
                        && (!node.has("round") || node.path("round").asInt() == state.round()))
                    || (node.path("number").asInt() == state.round() && node.path("choices").hasNonNull(player))))));
        return secrets;
    }

    @Override
    protected void checkState(State s) {
        assertTrue(s.players().size() <= RpsRules.PLAYERS, "more than two players: " + s.players());
        assertTrue(s.players().stream().map(RpsModel.Player::id).toList().containsAll(s.choices().keySet()),
                "a choice by a non-player");
        s.score().values().forEach(n -> assertTrue(n >= 0 && n <= s.toWin(), "score " + s.score()));
        if (s.phase() == Phase.PLAYING) {
            assertTrue(s.players().size() == RpsRules.PLAYERS, "playing without two players");
            assertTrue(s.choices().size() < RpsRules.PLAYERS, "both chose and nothing was revealed");
        }
        if (s.phase() == Phase.OVER) {
            assertTrue(s.score().getOrDefault(s.winner(), 0) == s.toWin(), "a winner without the rounds: " + s);
        } else {
            assertTrue(s.winner() == null, "a winner while not over");
        }
        int won = (int) s.rounds().stream().filter(r -> r.winner() != null).count();
        assertTrue(won == s.score().values().stream().mapToInt(Integer::intValue).sum(), "score != rounds won");
    }

    /** The generator plays whole matches, timers and rematches, not just refusals. */
    @Override
    protected void played(Map<String, Integer> counts) {
        System.out.println("RpsPropertyTest played " + counts);
        assertTrue(counts.getOrDefault("event:round_revealed", 0) > scripts() * 3, "reveals " + counts);
        assertTrue(counts.getOrDefault("event:match_won", 0) > scripts() / 2, "matches won " + counts);
        assertTrue(counts.getOrDefault("event:match_closed", 0) > scripts() / 10, "closes " + counts);
        assertTrue(counts.getOrDefault("event:player_left", 0) > scripts() / 10, "leaves " + counts);
    }
}
