package dev.runeforge.game.rps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Rock-paper-scissors' values: settings, state, commands, events, views. Records only; the rules live in
 * {@link RpsRules}. The worked example of docs/games.md.
 */
public final class RpsModel {
    private RpsModel() {
    }

    /**
     * What an operator may tune (game-instance config {@code game.rps.*}).
     *
     * @param bestOf        rounds to win a match is the majority of this (3: first to 2), unless the creator picks
     * @param choiceSeconds how long a round waits for choices (0: for ever); whoever has not chosen by then loses it
     * @param idle          a match with no activity this long closes ("expired")
     */
    public record Settings(int bestOf, int choiceSeconds, Duration idle) {
        public static final Settings DEFAULT = new Settings(3, 0, Duration.ofMinutes(30));

        public Settings {
            if (!RpsRules.validBestOf(bestOf)) {
                throw new IllegalArgumentException("game.rps.best-of is odd, 1 to " + RpsRules.MAX_BEST_OF);
            }
            if (choiceSeconds != 0 && (choiceSeconds < RpsRules.MIN_CHOICE_SECONDS
                    || choiceSeconds > RpsRules.MAX_CHOICE_SECONDS)) {
                throw new IllegalArgumentException("game.rps.choice.seconds is 0 or " + RpsRules.MIN_CHOICE_SECONDS
                        + " to " + RpsRules.MAX_CHOICE_SECONDS);
            }
            Objects.requireNonNull(idle);
            if (idle.isNegative() || idle.isZero()) {
                throw new IllegalArgumentException("game.rps.idle is positive");
            }
        }
    }

    /**
     * What the match's creator chose ({@code create {settings}}), what it left out filled from the operator's
     * {@link Settings}: {@code {"bestOf"?: 1|3|5|7|9, "choiceSeconds"?: 0 | 5..600}}.
     */
    public record MatchSettings(int bestOf, int choiceSeconds) {
    }

    public enum Choice {
        @JsonProperty("rock") ROCK,
        @JsonProperty("paper") PAPER,
        @JsonProperty("scissors") SCISSORS;

        boolean beats(Choice other) {
            return (this == ROCK && other == SCISSORS) || (this == PAPER && other == ROCK)
                    || (this == SCISSORS && other == PAPER);
        }
    }

    public enum Phase {
        /** Fewer than two players: the match waits for an opponent. */
        @JsonProperty("waiting") WAITING,
        /** A round is open: each player chooses, in secret. */
        @JsonProperty("playing") PLAYING,
        /** Someone won the match; a rematch starts another. */
        @JsonProperty("over") OVER
    }

    public record Player(String id, String name) {
        public Player {
            Objects.requireNonNull(id);
            Objects.requireNonNull(name);
        }
    }

    /**
     * A revealed round: what each player chose (null: they had not chosen when its time ran out) and who won it
     * (null: a draw).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Round(int number, Map<String, Choice> choices, String winner, boolean timedOut, long at) {
        public Round {
            choices = choices == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(choices));
        }
    }

    /**
     * @param host          the creator (may end the match)
     * @param players       at most two, in joining order
     * @param bestOf        the match's length, fixed when it was created (settings changes never alter a replay)
     * @param choiceSeconds each round's time limit (0: none), fixed when it was created
     * @param idleSeconds   the idle close, fixed when it was created
     * @param round         the open round's number (1-based; 0 before the first)
     * @param roundStartedAt when the open round started (its time limit counts from there)
     * @param choices       the open round's secret choices, player -> choice: never in any view but the chooser's
     * @param rounds        the match's revealed rounds, oldest first
     * @param score         rounds won per player in this match
     * @param winner        who won the match (phase over)
     * @param matches       matches played in this session (a rematch adds one)
     * @param closed        why the session closed, or null while it is open
     */
    public record State(boolean created, String code, String host, List<Player> players, int bestOf,
                        int choiceSeconds, long idleSeconds, Phase phase, int round, long roundStartedAt,
                        Map<String, Choice> choices, List<Round> rounds, Map<String, Integer> score, String winner,
                        int matches, long lastActivity, String closed) {
        public static final State INITIAL = new State(false, null, null, List.of(), 0, 0, 0, Phase.WAITING, 0, 0,
                Map.of(), List.of(), Map.of(), null, 0, 0, null);

        public State {
            players = List.copyOf(players);
            choices = choices == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(choices));
            rounds = List.copyOf(rounds);
            score = score == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(score));
        }

        boolean has(String player) {
            return players.stream().anyMatch(p -> p.id().equals(player));
        }

        /** Rounds a player must win to take the match. */
        int toWin() {
            return bestOf / 2 + 1;
        }

        Builder to() {
            return new Builder(this);
        }
    }

    /** A mutable copy for {@link RpsRules#apply}: one place that lists every field. */
    static final class Builder {
        boolean created;
        String code;
        String host;
        List<Player> players;
        int bestOf;
        int choiceSeconds;
        long idleSeconds;
        Phase phase;
        int round;
        long roundStartedAt;
        Map<String, Choice> choices;
        List<Round> rounds;
        Map<String, Integer> score;
        String winner;
        int matches;
        long lastActivity;
        String closed;

        Builder(State s) {
            created = s.created();
            code = s.code();
            host = s.host();
            players = new ArrayList<>(s.players());
            bestOf = s.bestOf();
            choiceSeconds = s.choiceSeconds();
            idleSeconds = s.idleSeconds();
            phase = s.phase();
            round = s.round();
            roundStartedAt = s.roundStartedAt();
            choices = new LinkedHashMap<>(s.choices());
            rounds = new ArrayList<>(s.rounds());
            score = new LinkedHashMap<>(s.score());
            winner = s.winner();
            matches = s.matches();
            lastActivity = s.lastActivity();
            closed = s.closed();
        }

        State build() {
            return new State(created, code, host, players, bestOf, choiceSeconds, idleSeconds, phase, round,
                    roundStartedAt, choices, rounds, score, winner, matches, lastActivity, closed);
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Command.Choose.class, name = "choose"),
            @JsonSubTypes.Type(value = Command.Rematch.class, name = "rematch"),
    })
    public sealed interface Command {
        /** This round's choice: {@code rock}, {@code paper} or {@code scissors}. */
        record Choose(Choice choice) implements Command {
        }

        record Rematch() implements Command {
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Event.MatchCreated.class, name = "match_created"),
            @JsonSubTypes.Type(value = Event.PlayerJoined.class, name = "player_joined"),
            @JsonSubTypes.Type(value = Event.PlayerLeft.class, name = "player_left"),
            @JsonSubTypes.Type(value = Event.RoundStarted.class, name = "round_started"),
            @JsonSubTypes.Type(value = Event.Chose.class, name = "chose"),
            @JsonSubTypes.Type(value = Event.RoundRevealed.class, name = "round_revealed"),
            @JsonSubTypes.Type(value = Event.MatchWon.class, name = "match_won"),
            @JsonSubTypes.Type(value = Event.MatchClosed.class, name = "match_closed"),
    })
    public sealed interface Event {
        record MatchCreated(String code, Player host, int bestOf, int choiceSeconds, long idleSeconds, long at)
                implements Event {
        }

        record PlayerJoined(Player player, long at) implements Event {
        }

        record PlayerLeft(String player, long at) implements Event {
        }

        /** A round opens (the first when the second player arrives, the next after each reveal, 1 after a rematch). */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record RoundStarted(int round, long at, Long deadline) implements Event {
        }

        /**
         * {@code player} chose in round {@code round}. As stored, it carries the choice; every viewer but the
         * chooser gets it with {@code choice} left out (null), until {@link RoundRevealed} shows all of them.
         */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Chose(String player, int round, Choice choice, long at) implements Event {
        }

        /** Everyone has chosen (or the round's time ran out): the choices, the round's winner, the score after. */
        record RoundRevealed(Round round, Map<String, Integer> score) implements Event {
            public RoundRevealed {
                score = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(score));
            }
        }

        record MatchWon(String winner, Map<String, Integer> score, long at) implements Event {
            public MatchWon {
                score = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(score));
            }
        }

        record MatchClosed(String reason, long at) implements Event {
        }
    }

    /** One player's choice in the open round as a viewer sees it: {@code choice} only for the chooser. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pick(String player, Choice choice) {
    }

    /**
     * The match as one viewer sees it. {@code chosen}: who has chosen in the open round (everyone sees that much),
     * with the choice itself only in the viewer's own entry.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String code, String host, List<Player> players, int bestOf, int choiceSeconds, Phase phase,
                       int round, Long deadline, List<Pick> chosen, List<Round> rounds, Map<String, Integer> score,
                       String winner, int matches, String closed) {
    }
}
