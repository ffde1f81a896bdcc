package dev.runeforge.game.dice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The dice room's values: settings, state, commands, events, views. Records only; the rules live in {@link DiceRules}. */
public final class DiceModel {
    private DiceModel() {
    }

    public enum Mode {
        @JsonProperty("open") OPEN,
        @JsonProperty("dm-led") DM_LED
    }

    /**
     * What an operator may tune (game-instance config {@code game.dice.*}).
     *
     * @param warnings how long before expiry players are warned, longest first (180 s, 30 s)
     * @param dmGrace  how long a DM-led room waits for its DM to come back online before it closes
     */
    public record Settings(int maxPlayers, Duration openTtl, Duration dmLedTtl, int rollLimit, Duration rollWindow,
                           List<Duration> warnings, Duration dmGrace) {
        public static final Settings DEFAULT = new Settings(8, Duration.ofHours(5), Duration.ofMinutes(30), 10,
                Duration.ofSeconds(10), List.of(Duration.ofSeconds(180), Duration.ofSeconds(30)),
                Duration.ofSeconds(60));

        public Settings {
            if (maxPlayers < 1) {
                throw new IllegalArgumentException("a room holds at least one player");
            }
            Objects.requireNonNull(openTtl);
            Objects.requireNonNull(dmLedTtl);
            Objects.requireNonNull(dmGrace);
            warnings = warnings.stream().sorted(java.util.Comparator.reverseOrder()).toList();
        }

        Duration ttl(Mode mode) {
            return mode == Mode.DM_LED ? dmLedTtl : openTtl;
        }
    }

    public record Player(String id, String name) {
        public Player {
            Objects.requireNonNull(id);
            Objects.requireNonNull(name);
        }
    }

    /**
     * One roll. A hidden roll that is not revealed is shown to everyone but the DM with only id, player, name,
     * time and {@code hidden}: every other field is null and left out of the JSON, so no frame carries its dice.
     * {@code id} is random (it names the roll's permalink); {@code action} is the action that made it
     * ({@code <player>:<client id>}), so a client recognises its own roll. {@code number} is its place in the
     * room's sequence of rolls: 1 for the first, then 2, 3, ... (hidden ones included).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Roll(String id, String action, String player, String name, String formula, List<DiceFormula.Term> terms,
                       Integer modifier, Integer total, long at, boolean hidden, Integer dc, Boolean passed,
                       Long revealedAt, long number) {
        public Roll {
            terms = terms == null ? null : List.copyOf(terms);
        }

        /** Whether everyone may see it: not hidden, or revealed. */
        boolean isPublic() {
            return !hidden || revealedAt != null;
        }

        Roll revealed(long at) {
            return new Roll(id, action, player, name, formula, terms, modifier, total, this.at, hidden, dc, passed, at,
                    number);
        }

        /** What a player who may not see it gets. */
        Roll redacted() {
            return new Roll(id, action, player, name, null, null, null, null, at, true, null, null, null, number);
        }
    }

    /** A line in the room's history that is not a roll (the room became DM-led). */
    public record Change(String kind, String by, long at) {
    }

    /** Rolls kept in state (and so available to late joiners); older ones stay in the event log and PostgreSQL. */
    public static final int HISTORY = 500;
    /** Connections remembered per player (see {@link State#withConnection}). */
    public static final int MAX_CONNECTIONS = 8;
    /** Rolls in the view sent on joining; older ones are paged with {@code history}. */
    public static final int VIEW_ROLLS = 50;

    /**
     * @param kicked        player ids and browser (device) ids that may not come back while the room lives
     * @param recentRolls   per player, the times of their rolls within the rate-limit window
     * @param warned        how many of {@link Settings#warnings} were sent since the last activity
     * @param closed        why the room closed, or null while it is open
     * @param devices       per player, the browsers they joined from (never shown to anyone; a kick bars them)
     * @param connections   per player, the gateway connections showing the room now; none = offline
     * @param dmAwayUntil   when the DM's grace runs out (the DM of a DM-led room is offline), else null
     */
    public record State(boolean created, String code, String creator, Mode mode, List<Player> players,
                        List<Roll> rolls, List<Change> changes, List<String> kicked, Integer dc, long lastActivity,
                        Map<String, List<Long>> recentRolls, int warned, String closed,
                        Map<String, List<String>> devices, Map<String, List<String>> connections,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long dmAwayUntil) {
        public static final State INITIAL = new State(false, null, null, Mode.OPEN, List.of(), List.of(), List.of(),
                List.of(), null, 0, Map.of(), 0, null, Map.of(), Map.of(), null);

        public State {
            players = List.copyOf(players);
            rolls = List.copyOf(rolls);
            changes = List.copyOf(changes);
            kicked = List.copyOf(kicked);
            recentRolls = Map.copyOf(recentRolls);
            devices = devices == null ? Map.of() : Map.copyOf(devices);
            connections = connections == null ? Map.of() : Map.copyOf(connections);
        }

        boolean connected(String player) {
            return connections.containsKey(player);
        }

        /**
         * {@code player}'s connections after {@code connection} came ({@code open}) or went. A player keeps at most
         * {@link #MAX_CONNECTIONS} (the latest): a gateway that died without saying goodbye cannot pin them online
         * for ever once they reconnect a few times.
         */
        State withConnection(String player, String connection, boolean open) {
            List<String> mine = new ArrayList<>(connections.getOrDefault(player, List.of()));
            mine.remove(connection);
            if (open) {
                mine.add(connection);
            }
            Map<String, List<String>> all = new HashMap<>(connections);
            if (mine.isEmpty()) {
                all.remove(player);
            } else {
                all.put(player, List.copyOf(mine.subList(Math.max(0, mine.size() - MAX_CONNECTIONS), mine.size())));
            }
            return withConnections(all);
        }

        State withoutConnections(String player) {
            Map<String, List<String>> all = new HashMap<>(connections);
            all.remove(player);
            return withConnections(all);
        }

        private State withConnections(Map<String, List<String>> next) {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, warned, closed, devices, next, dmAwayUntil);
        }

        State dmAway(Long until) {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, warned, closed, devices, connections, until);
        }

        boolean has(String player) {
            return players.stream().anyMatch(p -> p.id().equals(player));
        }

        boolean isDm(String player) {
            return mode == Mode.DM_LED && player != null && player.equals(creator);
        }

        java.util.Optional<Roll> roll(String id) {
            return rolls.stream().filter(r -> r.id().equals(id)).findFirst();
        }

        State withPlayers(List<Player> next) {
            return new State(created, code, creator, mode, next, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, warned, closed, devices, connections, dmAwayUntil);
        }

        State withRolls(List<Roll> next) {
            return new State(created, code, creator, mode, players, next, changes, kicked, dc, lastActivity,
                    recentRolls, warned, closed, devices, connections, dmAwayUntil);
        }

        State withRoll(Roll roll, Duration window) {
            List<Roll> next = new ArrayList<>(Math.min(rolls.size() + 1, HISTORY));
            next.addAll(rolls.size() >= HISTORY ? rolls.subList(rolls.size() - HISTORY + 1, rolls.size()) : rolls);
            next.add(roll);
            Map<String, List<Long>> recent = new HashMap<>();
            long since = roll.at() - window.toMillis();
            recentRolls.forEach((player, times) -> {
                List<Long> kept = times.stream().filter(t -> t > since).toList();
                if (!kept.isEmpty()) {
                    recent.put(player, kept);
                }
            });
            List<Long> mine = new ArrayList<>(recent.getOrDefault(roll.player(), List.of()));
            mine.add(roll.at());
            recent.put(roll.player(), mine);
            return new State(created, code, creator, mode, players, next, changes, kicked, dc, lastActivity,
                    recent, warned, closed, devices, connections, dmAwayUntil);
        }

        State withMode(Mode next, Change change) {
            List<Change> all = new ArrayList<>(changes);
            all.add(change);
            return new State(created, code, creator, next, players, rolls, all, kicked, dc, lastActivity,
                    recentRolls, warned, closed, devices, connections, dmAwayUntil);
        }

        State withKicked(List<String> next) {
            return new State(created, code, creator, mode, players, rolls, changes, next, dc, lastActivity,
                    recentRolls, warned, closed, devices, connections, dmAwayUntil);
        }

        State withDc(Integer next) {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, next, lastActivity,
                    recentRolls, warned, closed, devices, connections, dmAwayUntil);
        }

        /** Something happened: the expiry clock starts again and its warnings with it. */
        State active(long at) {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc,
                    Math.max(lastActivity, at), recentRolls, 0, closed, devices, connections, dmAwayUntil);
        }

        State warned(int next) {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, next, closed, devices, connections, dmAwayUntil);
        }

        /** Remembers {@code device} as one of {@code player}'s browsers (at most a few, the latest). */
        State withDevice(String player, String device) {
            if (device == null) {
                return this;
            }
            List<String> mine = new ArrayList<>(devices.getOrDefault(player, List.of()));
            mine.remove(device);
            mine.add(device);
            Map<String, List<String>> all = new HashMap<>(devices);
            all.put(player, List.copyOf(mine.subList(Math.max(0, mine.size() - 4), mine.size())));
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, warned, closed, all, connections, dmAwayUntil);
        }

        State closed(String reason) {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, warned, reason, devices, connections, dmAwayUntil);
        }
    }

    public enum Advantage {
        @JsonProperty("none") NONE,
        @JsonProperty("advantage") ADVANTAGE,
        @JsonProperty("disadvantage") DISADVANTAGE
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Command.RollDice.class, name = "roll"),
            @JsonSubTypes.Type(value = Command.Reveal.class, name = "reveal"),
            @JsonSubTypes.Type(value = Command.SetDc.class, name = "set_dc"),
            @JsonSubTypes.Type(value = Command.ClearDc.class, name = "clear_dc"),
            @JsonSubTypes.Type(value = Command.Promote.class, name = "promote"),
            @JsonSubTypes.Type(value = Command.Kick.class, name = "kick"),
            @JsonSubTypes.Type(value = Command.History.class, name = "history"),
    })
    public sealed interface Command {
        /** {@code hidden}: a DM's secret roll; {@code advantage}: for a single d20. */
        record RollDice(String formula, Boolean hidden, Advantage advantage) implements Command {
            public RollDice(String formula) {
                this(formula, false, Advantage.NONE);
            }
        }

        record Reveal(String roll) implements Command {
        }

        record SetDc(Integer dc) implements Command {
        }

        record ClearDc() implements Command {
        }

        record Promote() implements Command {
        }

        record Kick(String player) implements Command {
        }

        /** Up to {@code limit} rolls older than the roll {@code before} (or the newest, without it). */
        record History(String before, Integer limit) implements Command {
        }
    }

    /** What is stored. Every event but the expiry ones is activity and carries its time. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Event.RoomCreated.class, name = "room_created"),
            @JsonSubTypes.Type(value = Event.PlayerJoined.class, name = "player_joined"),
            @JsonSubTypes.Type(value = Event.PlayerLeft.class, name = "player_left"),
            @JsonSubTypes.Type(value = Event.PlayerKicked.class, name = "player_kicked"),
            @JsonSubTypes.Type(value = Event.Rolled.class, name = "rolled"),
            @JsonSubTypes.Type(value = Event.RollRevealed.class, name = "roll_revealed"),
            @JsonSubTypes.Type(value = Event.DcSet.class, name = "dc_set"),
            @JsonSubTypes.Type(value = Event.DcCleared.class, name = "dc_cleared"),
            @JsonSubTypes.Type(value = Event.ModeChanged.class, name = "mode_changed"),
            @JsonSubTypes.Type(value = Event.RoomExpiring.class, name = "room_expiring"),
            @JsonSubTypes.Type(value = Event.RoomClosed.class, name = "room_closed"),
            @JsonSubTypes.Type(value = Event.Presence.class, name = "presence"),
    })
    public sealed interface Event {
        /** {@code device}: the creator's browser; stored, never sent (projection drops it). */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record RoomCreated(String code, Player creator, Mode mode, long at, String device) implements Event {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record PlayerJoined(Player player, long at, String device) implements Event {
        }

        record PlayerLeft(String player, long at) implements Event {
        }

        /** {@code devices}: the kicked player's browsers, barred too; stored, never sent. */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record PlayerKicked(String player, List<String> devices, String by, long at) implements Event {
        }

        record Rolled(Roll roll) implements Event {
        }

        /**
         * A hidden roll made public. Stored with {@code detail} null; sent with the whole roll in {@code detail},
         * since players who saw it hidden never got its dice.
         */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record RollRevealed(String roll, long at, Roll detail) implements Event {
        }

        record DcSet(int dc, String by, long at) implements Event {
        }

        record DcCleared(String by, long at) implements Event {
        }

        record ModeChanged(Mode mode, String by, long at) implements Event {
        }

        /** The room closes in {@code seconds} unless someone acts. */
        record RoomExpiring(long seconds, long expiresAt, long at) implements Event {
        }

        record RoomClosed(String reason, long at) implements Event {
        }

        /**
         * {@code connection} (a gateway socket id) of {@code player} {@code opened} or closed; after it the
         * player is online ({@code connected}: at least one connection shows the room) or not. {@code graceUntil}:
         * the DM of a DM-led room went offline, and the room closes then ("dm_left") unless they are back.
         * Players see only player, connected, at and graceUntil.
         */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Presence(String player, String connection, Boolean opened, boolean connected, long at,
                        Long graceUntil) implements Event {
        }
    }

    /** A player as others see them: online or not. */
    public record PlayerView(String id, String name, boolean connected) {
    }

    /** What a client sees of the room on joining (protocol.md: Dice room). */
    /** @param dmAwayUntil when the room closes unless its offline DM comes back, else null (then left out) */
    public record View(String code, String creator, Mode mode, String dm, List<PlayerView> players, Integer dc,
                       List<Roll> rolls, int historySize, List<Change> changes, long expiresAt, String closed,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long dmAwayUntil) {
    }

    /** The answer to {@code history}: older rolls, oldest first, and whether there are more before them. */
    public record HistoryPage(List<Roll> rolls, boolean more) {
    }
}
