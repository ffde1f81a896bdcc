package dev.runeforge.game.dice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The dice room's values: state, commands, events. Records only; the rules live in {@link DiceRules}. */
public final class DiceModel {
    private DiceModel() {
    }

    public record Player(String id, String name) {
        public Player {
            Objects.requireNonNull(id);
            Objects.requireNonNull(name);
        }
    }

    public record Roll(String id, String player, String name, String formula, int count, int sides, int modifier,
                       List<Integer> dice, int total, long at) {
        public Roll {
            dice = List.copyOf(dice);
        }
    }

    /** Rolls kept in state; older ones stay in the event log (and, later, in PostgreSQL history). */
    public static final int HISTORY = 500;

    public record State(boolean open, String code, String admin, List<Player> players, List<Roll> rolls) {
        public static final State INITIAL = new State(false, null, null, List.of(), List.of());

        public State {
            players = List.copyOf(players);
            rolls = List.copyOf(rolls);
        }

        State withPlayers(List<Player> next) {
            return new State(open, code, admin, next, rolls);
        }

        State withRoll(Roll roll) {
            List<Roll> next = new ArrayList<>(rolls.size() + 1);
            next.addAll(rolls.size() >= HISTORY ? rolls.subList(rolls.size() - HISTORY + 1, rolls.size()) : rolls);
            next.add(roll);
            return new State(open, code, admin, players, next);
        }

        boolean has(String player) {
            return players.stream().anyMatch(p -> p.id().equals(player));
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Command.RollDice.class, name = "roll")})
    public sealed interface Command {
        record RollDice(String formula) implements Command {
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Event.RoomCreated.class, name = "room_created"),
            @JsonSubTypes.Type(value = Event.PlayerJoined.class, name = "player_joined"),
            @JsonSubTypes.Type(value = Event.PlayerLeft.class, name = "player_left"),
            @JsonSubTypes.Type(value = Event.Rolled.class, name = "rolled"),
    })
    public sealed interface Event {
        record RoomCreated(String code, Player admin) implements Event {
        }

        record PlayerJoined(Player player) implements Event {
        }

        record PlayerLeft(String player) implements Event {
        }

        record Rolled(Roll roll) implements Event {
        }
    }

    /** What a client sees of the room (protocol.md: Dice room). */
    public record View(String code, String admin, List<Player> players, List<Roll> rolls) {
    }
}
