package dev.runeforge.game.tactics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.runeforge.game.chat.Chat;
import dev.runeforge.game.notation.DiceFormula;

/** The tactics game's values: state, commands, events, views. Records only; the rules live in {@link TacticsRules}. */
public final class TacticsModel {
    private TacticsModel() {
    }

    /** Combat log lines kept in state (and so in a joining player's view); older ones are in the event log. */
    public static final int LOG = 100;

    public enum Phase {
        /** The host arranges units and players claim them. */
        @JsonProperty("setup") SETUP,
        @JsonProperty("battle") BATTLE,
        /** One side stands; the session stays open (results, replay link) until the host ends it or it idles out. */
        @JsonProperty("over") OVER
    }

    public record Pos(int x, int y) {
        int chebyshev(Pos o) {
            return Math.max(Math.abs(x - o.x), Math.abs(y - o.y));
        }
    }

    public record Player(String id, String name) {
        public Player {
            Objects.requireNonNull(id);
            Objects.requireNonNull(name);
        }
    }

    /**
     * A unit on the board. {@code owner}: the player who claimed it, or null (then the host plays it).
     * {@code damage} is dice notation ({@link DiceFormula}), {@code range} in cells (1 = adjacent, diagonals too),
     * {@code init} its initiative modifier.
     */
    public record Unit(String id, String name, String side, int x, int y, int hp, int maxHp, int ac, int speed,
                       int attack, String damage, int range, int init, String owner) {
        @JsonIgnore
        public Pos pos() {
            return new Pos(x, y);
        }

        @JsonIgnore
        public boolean down() {
            return hp <= 0;
        }

        Unit at(Pos p) {
            return new Unit(id, name, side, p.x(), p.y(), hp, maxHp, ac, speed, attack, damage, range, init, owner);
        }

        Unit withHp(int next) {
            return new Unit(id, name, side, x, y, next, maxHp, ac, speed, attack, damage, range, init, owner);
        }

        Unit ownedBy(String player) {
            return new Unit(id, name, side, x, y, hp, maxHp, ac, speed, attack, damage, range, init, player);
        }
    }

    /**
     * A map and its units. {@code rows}: {@code height} strings of {@code width} characters, {@code .} floor,
     * {@code #} wall, {@code ~} difficult terrain (entering it costs 2).
     */
    public record Scenario(String name, int width, int height, List<String> rows, List<Unit> units) {
        public Scenario {
            rows = List.copyOf(rows);
            units = List.copyOf(units);
        }
    }

    /** One unit's initiative: d20 + modifier. */
    public record InitiativeRoll(String unit, int roll, int modifier, int total) {
    }

    /**
     * @param order       unit ids in initiative order (units added during battle are placed by their roll)
     * @param initiative  the rolls behind {@code order}
     * @param current     the unit whose turn it is (battle only)
     * @param moved       movement the current unit has spent this turn
     * @param attacked    the current unit has attacked this turn
     * @param turnStarted when the current turn began (epoch ms): the turn timer counts from it
     * @param turnSeconds the turn limit, 0 = none
     * @param winner      the side that stands (phase over), or null
     * @param closed      why the session closed, or null while it is open
     * @param barred      players the host removed
     * @param log         the newest {@link #LOG} combat events
     * @param nextUnit    a counter for ids of units the host adds
     * @param start       every unit as it starts an encounter (where it stood, full hit points): a rematch puts them
     *                    back (null in snapshots from before rematches: then the units as they are, healed)
     * @param result      how the encounter was won (phase over), else null
     * @param encounter   which encounter of the session this is: 1, then 2 after a rematch, ... (null in snapshots
     *                    from before rematches: the first)
     * @param chat        the newest {@link Chat#KEEP} chat lines
     * @param recentChat  per player, the times of their chat lines within {@link Chat#WINDOW}
     */
    public record State(boolean created, String code, Player host, String scenario, int width, int height,
                        List<String> rows, List<Player> players, List<Unit> units, Phase phase, List<String> order,
                        List<InitiativeRoll> initiative, String current, int round, int moved, boolean attacked,
                        long turnStarted, int turnSeconds, long idleSeconds, long lastActivity, String winner,
                        String closed, List<String> barred, List<Event> log,
                        int nextUnit, List<Unit> start, Event.EncounterWon result, Integer encounter,
                        List<Chat.Line> chat, Map<String, List<Long>> recentChat,
                        @com.fasterxml.jackson.annotation.JsonInclude(
                                com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Boolean locked) {
        public static final State INITIAL = new State(false, null, null, null, 0, 0, List.of(), List.of(), List.of(),
                Phase.SETUP, List.of(), List.of(), null, 0, 0, false, 0, 0, 0, 0, null, null, List.of(), List.of(), 1,
                List.of(), null, null, List.of(), Map.of(), null);

        /** Whether the host locked the encounter: nobody new may join (its players may come back). */
        boolean isLocked() {
            return Boolean.TRUE.equals(locked);
        }

        public State {
            rows = List.copyOf(rows);
            players = List.copyOf(players);
            units = List.copyOf(units);
            order = List.copyOf(order);
            initiative = List.copyOf(initiative);
            barred = List.copyOf(barred);
            log = List.copyOf(log);
            start = start == null ? null : List.copyOf(start);
            chat = chat == null ? List.of() : List.copyOf(chat);
            recentChat = recentChat == null ? Map.of() : Map.copyOf(recentChat);
        }

        boolean has(String player) {
            return players.stream().anyMatch(p -> p.id().equals(player));
        }

        boolean isHost(String player) {
            return host != null && host.id().equals(player);
        }

        Optional<Unit> unit(String id) {
            return units.stream().filter(u -> u.id().equals(id)).findFirst();
        }

        /** Who plays {@code unit}: its owner, else the host. */
        String controller(Unit unit) {
            return unit.owner() != null ? unit.owner() : host.id();
        }

        /** Sides with a unit still standing, in order of first appearance. */
        List<String> standingSides() {
            List<String> sides = new ArrayList<>();
            for (Unit u : units) {
                if (!u.down() && !sides.contains(u.side())) {
                    sides.add(u.side());
                }
            }
            return sides;
        }

        char cell(int x, int y) {
            return rows.get(y).charAt(x);
        }

        Builder to() {
            return new Builder(this);
        }
    }

    /** Copy-on-write edits of a {@link State}. */
    static final class Builder {
        boolean created;
        String code;
        Player host;
        String scenario;
        int width;
        int height;
        List<String> rows;
        List<Player> players;
        List<Unit> units;
        Phase phase;
        List<String> order;
        List<InitiativeRoll> initiative;
        String current;
        int round;
        int moved;
        boolean attacked;
        long turnStarted;
        int turnSeconds;
        long idleSeconds;
        long lastActivity;
        String winner;
        String closed;
        List<String> barred;
        List<Event> log;
        int nextUnit;
        List<Unit> start;
        Event.EncounterWon result;
        Integer encounter;
        List<Chat.Line> chat;
        Map<String, List<Long>> recentChat;
        Boolean locked;

        Builder(State s) {
            created = s.created();
            code = s.code();
            host = s.host();
            scenario = s.scenario();
            width = s.width();
            height = s.height();
            rows = s.rows();
            players = s.players();
            units = s.units();
            phase = s.phase();
            order = s.order();
            initiative = s.initiative();
            current = s.current();
            round = s.round();
            moved = s.moved();
            attacked = s.attacked();
            turnStarted = s.turnStarted();
            turnSeconds = s.turnSeconds();
            idleSeconds = s.idleSeconds();
            lastActivity = s.lastActivity();
            winner = s.winner();
            closed = s.closed();
            barred = s.barred();
            log = s.log();
            nextUnit = s.nextUnit();
            start = s.start();
            result = s.result();
            encounter = s.encounter();
            chat = s.chat();
            recentChat = s.recentChat();
            locked = s.locked();
        }

        Builder unit(Unit next) {
            units = units.stream().map(u -> u.id().equals(next.id()) ? next : u).toList();
            return this;
        }

        Builder logged(Event event) {
            List<Event> next = new ArrayList<>(log.size() >= LOG ? log.subList(log.size() - LOG + 1, log.size()) : log);
            next.add(event);
            log = next;
            return this;
        }

        Builder active(long at) {
            lastActivity = Math.max(lastActivity, at);
            return this;
        }

        State build() {
            return new State(created, code, host, scenario, width, height, rows, players, units, phase, order,
                    initiative, current, round, moved, attacked, turnStarted, turnSeconds, idleSeconds, lastActivity,
                    winner, closed, barred, log, nextUnit, start, result, encounter, chat, recentChat, locked);
        }
    }

    /** A unit as the host describes it in {@code add_unit} (no id, hp starts full, no owner). */
    public record UnitSpec(String name, String side, Integer x, Integer y, Integer hp, Integer ac, Integer speed,
                           Integer attack, String damage, Integer range, Integer init) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Command.Claim.class, name = "claim"),
            @JsonSubTypes.Type(value = Command.Release.class, name = "release"),
            @JsonSubTypes.Type(value = Command.Assign.class, name = "assign"),
            @JsonSubTypes.Type(value = Command.AddUnit.class, name = "add_unit"),
            @JsonSubTypes.Type(value = Command.RemoveUnit.class, name = "remove_unit"),
            @JsonSubTypes.Type(value = Command.Start.class, name = "start"),
            @JsonSubTypes.Type(value = Command.Move.class, name = "move"),
            @JsonSubTypes.Type(value = Command.Attack.class, name = "attack"),
            @JsonSubTypes.Type(value = Command.EndTurn.class, name = "end_turn"),
            @JsonSubTypes.Type(value = Command.SkipTurn.class, name = "skip_turn"),
            @JsonSubTypes.Type(value = Command.Kick.class, name = "kick"),
            @JsonSubTypes.Type(value = Command.Rematch.class, name = "rematch"),
            @JsonSubTypes.Type(value = Command.Say.class, name = "chat"),
            @JsonSubTypes.Type(value = Command.Lock.class, name = "lock"),
    })
    public sealed interface Command {
        /** Take an unclaimed unit (setup). */
        record Claim(String unit) implements Command {
        }

        /** Give back a unit you claimed (setup). */
        record Release(String unit) implements Command {
        }

        /** Host: give {@code unit} to {@code player} (null: back to the host). */
        record Assign(String unit, String player) implements Command {
        }

        record AddUnit(UnitSpec unit) implements Command {
        }

        record RemoveUnit(String unit) implements Command {
        }

        record Start() implements Command {
        }

        record Move(String unit, Integer x, Integer y) implements Command {
        }

        record Attack(String unit, String target) implements Command {
        }

        record EndTurn() implements Command {
        }

        record SkipTurn() implements Command {
        }

        record Kick(String player) implements Command {
        }

        /** After the encounter is won: fight it again with the same players and units, from the start. */
        record Rematch() implements Command {
        }

        /** A chat line to everyone in the session. */
        record Say(String text) implements Command {
        }

        /** The host locks ({@code locked} true or absent) or unlocks the encounter: while locked nobody new joins. */
        record Lock(Boolean locked) implements Command {
        }
    }

    /** What is stored: every roll with its numbers, so the log and a replay need nothing else. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Event.EncounterCreated.class, name = "encounter_created"),
            @JsonSubTypes.Type(value = Event.PlayerJoined.class, name = "player_joined"),
            @JsonSubTypes.Type(value = Event.PlayerLeft.class, name = "player_left"),
            @JsonSubTypes.Type(value = Event.PlayerKicked.class, name = "player_kicked"),
            @JsonSubTypes.Type(value = Event.UnitAssigned.class, name = "unit_assigned"),
            @JsonSubTypes.Type(value = Event.UnitAdded.class, name = "unit_added"),
            @JsonSubTypes.Type(value = Event.UnitRemoved.class, name = "unit_removed"),
            @JsonSubTypes.Type(value = Event.InitiativeRolled.class, name = "initiative_rolled"),
            @JsonSubTypes.Type(value = Event.TurnStarted.class, name = "turn_started"),
            @JsonSubTypes.Type(value = Event.Moved.class, name = "moved"),
            @JsonSubTypes.Type(value = Event.Attacked.class, name = "attacked"),
            @JsonSubTypes.Type(value = Event.TurnEnded.class, name = "turn_ended"),
            @JsonSubTypes.Type(value = Event.EncounterWon.class, name = "encounter_won"),
            @JsonSubTypes.Type(value = Event.EncounterClosed.class, name = "encounter_closed"),
            @JsonSubTypes.Type(value = Event.EncounterReset.class, name = "encounter_reset"),
            @JsonSubTypes.Type(value = Event.Chatted.class, name = "chat"),
            @JsonSubTypes.Type(value = Event.RoomLocked.class, name = "room_locked"),
    })
    public sealed interface Event {
        long at();

        record EncounterCreated(String code, Player host, Scenario scenario, int turnSeconds, long idleSeconds,
                                long at) implements Event {
        }

        record PlayerJoined(Player player, long at) implements Event {
        }

        /** {@code player} left; their units go back to the host. */
        record PlayerLeft(String player, long at) implements Event {
        }

        record PlayerKicked(String player, String by, long at) implements Event {
        }

        /** {@code unit} is now played by {@code player} (null: by the host); {@code by} who decided. */
        @JsonInclude(JsonInclude.Include.ALWAYS)
        record UnitAssigned(String unit, String player, String by, long at) implements Event {
        }

        /** During battle the new unit rolls initiative ({@code initiative}); in setup it is null. */
        record UnitAdded(Unit unit, InitiativeRoll initiative, String by, long at) implements Event {
        }

        record UnitRemoved(String unit, String by, long at) implements Event {
        }

        record InitiativeRolled(List<InitiativeRoll> rolls, List<String> order, long at) implements Event {
        }

        record TurnStarted(String unit, int round, long at) implements Event {
        }

        /** {@code path}: the cells entered, in order; {@code cost}: movement spent (difficult terrain costs 2). */
        record Moved(String unit, Pos from, Pos to, List<Pos> path, int cost, long at) implements Event {
        }

        /**
         * One attack: {@code roll} is the natural d20, {@code total} = roll + {@code bonus} against {@code ac}. A
         * natural 20 always hits and is a critical ({@code extra}: the damage dice rolled again, modifier not
         * counted twice); a natural 1 always misses. {@code damage} is the whole damage dealt; {@code hp} the
         * target's hit points after it, {@code down} whether that put it down.
         */
        @JsonInclude(JsonInclude.Include.ALWAYS)
        record Attacked(String unit, String target, String player, int roll, int bonus, int total, int ac,
                        boolean hit, boolean critical, DiceFormula.Result dice, DiceFormula.Result extra, int damage,
                        int hp, boolean down, long at) implements Event {
        }

        /** {@code reason}: ended (by its player), skipped (by the host), timeout (the turn timer). */
        record TurnEnded(String unit, String reason, String by, long at) implements Event {
        }

        /**
         * One side stands; {@code players}: who played its units (they each win an encounter). {@code decisive}: the
         * attack that decided it, or null when something else did (a unit removed, a side left without players).
         */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record EncounterWon(String side, List<String> players, Decisive decisive, long at) implements Event {
        }

        /** The attack that won an encounter: who struck whom, the natural d20, its total and the damage. */
        record Decisive(String unit, String target, String player, int roll, int total, int damage,
                        boolean critical) {
        }

        /**
         * A rematch: {@code units} are the units as the new encounter starts (each where it started before, at full
         * hit points, with the same owner; see {@code TacticsRules.rematch}); {@code encounter} is its number (2 for
         * the first rematch). Initiative and the first turn follow in the same commit.
         */
        record EncounterReset(int encounter, List<Unit> units, String by, long at) implements Event {
            public EncounterReset {
                units = List.copyOf(units);
            }
        }

        /** A chat line ({@link Chat.Line}); an outsider (a public replay) is shown it without {@code text}. */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Chatted(String action, String player, String name, String text, long at) implements Event {
            Chat.Line line() {
                return new Chat.Line(action, player, name, text, at);
            }
        }

        /** {@code reason}: ended (the host), host_left, expired. */
        record EncounterClosed(String reason, long at) implements Event {
        }

        /** The host locked or unlocked the encounter. */
        record RoomLocked(boolean locked, String by, long at) implements Event {
        }
    }

    public record PlayerView(String id, String name, boolean host) {
    }

    /**
     * What a client sees on joining (docs/protocol.md, Tactics). Nothing of the fight is hidden in this game; an
     * outsider (a public replay) gets no {@code chat}.
     */
    public record View(String code, String host, String scenario, int width, int height, List<String> rows,
                       List<PlayerView> players, List<Unit> units, Phase phase, List<String> order,
                       List<InitiativeRoll> initiative, String current, int round, int moved, boolean attacked,
                       int turnSeconds, Long turnEndsAt, String winner, String closed, List<Event> log,
                       Event.EncounterWon result, int encounter, List<Chat.Line> chat, boolean locked) {
    }
}
