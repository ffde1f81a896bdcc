package dev.runeforge.game.dice;

import dev.runeforge.game.chat.Chat;
import dev.runeforge.game.notation.DiceFormula;
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

    /** What the room's creator chose ({@code create {settings}}): {@code {"mode"?: "open" | "dm-led"}}. */
    public record RoomSettings(Mode mode) {
        public static final RoomSettings DEFAULT = new RoomSettings(Mode.OPEN);

        public RoomSettings {
            Objects.requireNonNull(mode);
        }
    }

    public record Player(String id, String name) {
        public Player {
            Objects.requireNonNull(id);
            Objects.requireNonNull(name);
        }
    }

    /**
     * Who may see a roll. {@code public}: everyone. {@code dm}: its roller and the DM (a player's roll to the DM, in
     * a DM-led room). {@code self}: its roller alone. {@code secret}: the DM's secret roll, seen by the DM alone until
     * the DM reveals it. Only a secret roll is ever revealed; a roll to the DM or to oneself stays private for good
     * (it never has a public permalink).
     */
    public enum RollMode {
        @JsonProperty("public") PUBLIC,
        @JsonProperty("dm") DM,
        @JsonProperty("self") SELF,
        @JsonProperty("secret") SECRET
    }

    /**
     * One roll. A roll its viewer may not see is shown with only id, number, action, player, name, time,
     * {@code hidden} and {@code mode}: every other field is null and left out of the JSON, so no frame carries its
     * dice, total or label. {@code id} is random (it names the roll's permalink); {@code action} is the action that
     * made it ({@code <player>:<client id>}), so a client recognises its own roll. {@code number} is its place in
     * the room's sequence of rolls: 1 for the first, then 2, 3, ... (private ones included).
     *
     * <p>{@code formula} is what the player asked for ({@code 1d20+5}); with {@code advantage} set, the dice in
     * {@code terms} are two d20 keeping the higher ({@code 2d20kh1}) or the lower. {@code label} is what the roll is
     * for ("Stealth"). {@code hidden} is true for every roll that is not public (a secret one stays {@code hidden}
     * once revealed, with {@code revealedAt}). Rolls stored before modes existed have no {@code mode}: a hidden one
     * was secret ({@link #visibility}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Roll(String id, String action, String player, String name, String formula, List<DiceFormula.Term> terms,
                       Integer modifier, Integer total, long at, boolean hidden, Integer dc, Boolean passed,
                       Long revealedAt, long number, RollMode mode, String label, Advantage advantage) {
        public Roll {
            terms = terms == null ? null : List.copyOf(terms);
            advantage = advantage == Advantage.NONE ? null : advantage;
        }

        /** Who may see it (a roll from before modes: secret if hidden, else public). */
        RollMode visibility() {
            return mode != null ? mode : hidden ? RollMode.SECRET : RollMode.PUBLIC;
        }

        /** Whether everyone may see it: public, or a secret roll revealed. */
        boolean isPublic() {
            RollMode v = visibility();
            return v == RollMode.PUBLIC || (v == RollMode.SECRET && revealedAt != null);
        }

        Roll revealed(long at) {
            return new Roll(id, action, player, name, formula, terms, modifier, total, this.at, hidden, dc, passed, at,
                    number, mode, label, advantage);
        }

        /**
         * The same roll, holding its player's id and name as {@code players} hold them and its formula interned: a
         * room keeps its last 500 rolls, and copies of those few strings were a third of each roll's heap.
         */
        Roll keptAmong(List<Player> players) {
            String by = player;
            String shown = name;
            for (Player p : players) {
                if (p.id().equals(player)) {
                    by = p.id();
                    shown = p.name().equals(name) ? p.name() : name;
                    break;
                }
            }
            return new Roll(id, action, by, shown, formula == null ? null : formula.intern(), terms, modifier, total,
                    at, hidden, dc, passed, revealedAt, number, mode, label, advantage);
        }

        /** What a player who may not see it gets. */
        Roll redacted() {
            return new Roll(id, action, player, name, null, null, null, null, at, true, null, null, null, number,
                    visibility(), null, null);
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
     * @param admin         who runs the room (kicks, makes it DM-led, ends it; the DM of a DM-led room): its creator,
     *                      or, once the creator left an open room, whom it passed to; null (snapshots from before
     *                      admins could change) means the creator
     * @param chat          the newest {@link Chat#KEEP} chat lines
     * @param recentChat    per player, the times of their chat lines within {@link Chat#WINDOW}
     */
    public record State(boolean created, String code, String creator, Mode mode, List<Player> players,
                        List<Roll> rolls, List<Change> changes, List<String> kicked, Integer dc, long lastActivity,
                        Map<String, List<Long>> recentRolls, int warned, String closed,
                        Map<String, List<String>> devices, Map<String, List<String>> connections,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long dmAwayUntil,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String admin, List<Chat.Line> chat,
                        Map<String, List<Long>> recentChat,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean locked) {
        public static final State INITIAL = new State(false, null, null, Mode.OPEN, List.of(), List.of(), List.of(),
                List.of(), null, 0, Map.of(), 0, null, Map.of(), Map.of(), null, null, List.of(), Map.of(), null);

        /** Whether the admin locked the room: nobody new may join (its members may come back). */
        boolean isLocked() {
            return Boolean.TRUE.equals(locked);
        }

        public State {
            players = List.copyOf(players);
            rolls = List.copyOf(rolls);
            changes = List.copyOf(changes);
            kicked = List.copyOf(kicked);
            recentRolls = Map.copyOf(recentRolls);
            devices = devices == null ? Map.of() : Map.copyOf(devices);
            connections = connections == null ? Map.of() : Map.copyOf(connections);
            chat = chat == null ? List.of() : List.copyOf(chat);
            recentChat = recentChat == null ? Map.of() : Map.copyOf(recentChat);
        }

        /** Who runs the room now. */
        String adminId() {
            return admin != null ? admin : creator;
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
            Builder b = to();
            b.connections = all;
            return b.build();
        }

        State withoutConnections(String player) {
            Map<String, List<String>> all = new HashMap<>(connections);
            all.remove(player);
            Builder b = to();
            b.connections = all;
            return b.build();
        }

        State dmAway(Long until) {
            Builder b = to();
            b.dmAwayUntil = until;
            return b.build();
        }

        boolean has(String player) {
            return players.stream().anyMatch(p -> p.id().equals(player));
        }

        /** The DM of a DM-led room is its admin (who made it DM-led, or created it so). */
        boolean isDm(String player) {
            return mode == Mode.DM_LED && player != null && player.equals(adminId());
        }

        java.util.Optional<Roll> roll(String id) {
            return rolls.stream().filter(r -> r.id().equals(id)).findFirst();
        }

        State withPlayers(List<Player> next) {
            Builder b = to();
            b.players = next;
            return b.build();
        }

        State withRolls(List<Roll> next) {
            Builder b = to();
            b.rolls = next;
            return b.build();
        }

        State withRoll(Roll roll, Duration window) {
            // One copy of up to 500 references per roll, not three: List.of's is the last (the constructor keeps it).
            int kept = Math.min(rolls.size(), HISTORY - 1);
            Roll[] next = rolls.subList(rolls.size() - kept, rolls.size()).toArray(new Roll[kept + 1]);
            next[kept] = roll.keptAmong(players);
            Builder b = to();
            b.rolls = List.of(next);
            b.recentRolls = Chat.recent(recentRolls, roll.player(), roll.at(), window);
            return b.build();
        }

        State withMode(Mode next, Change change) {
            List<Change> all = new ArrayList<>(changes);
            all.add(change);
            Builder b = to();
            b.mode = next;
            b.changes = all;
            return b.build();
        }

        State withKicked(List<String> next) {
            Builder b = to();
            b.kicked = next;
            return b.build();
        }

        State withDc(Integer next) {
            Builder b = to();
            b.dc = next;
            return b.build();
        }

        /** Something happened: the expiry clock starts again and its warnings with it. */
        State active(long at) {
            Builder b = to();
            b.lastActivity = Math.max(lastActivity, at);
            b.warned = 0;
            return b.build();
        }

        State warned(int next) {
            Builder b = to();
            b.warned = next;
            return b.build();
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
            Builder b = to();
            b.devices = all;
            return b.build();
        }

        State closed(String reason) {
            Builder b = to();
            b.closed = reason;
            return b.build();
        }

        Builder to() {
            return new Builder(this);
        }
    }

    /** Copy-on-write edits of a {@link State} (as tactics' {@code TacticsModel.Builder}). */
    static final class Builder {
        boolean created;
        String code;
        String creator;
        Mode mode;
        List<Player> players;
        List<Roll> rolls;
        List<Change> changes;
        List<String> kicked;
        Integer dc;
        long lastActivity;
        Map<String, List<Long>> recentRolls;
        int warned;
        String closed;
        Map<String, List<String>> devices;
        Map<String, List<String>> connections;
        Long dmAwayUntil;
        String admin;
        List<Chat.Line> chat;
        Map<String, List<Long>> recentChat;
        Boolean locked;

        Builder(State s) {
            created = s.created();
            code = s.code();
            creator = s.creator();
            mode = s.mode();
            players = s.players();
            rolls = s.rolls();
            changes = s.changes();
            kicked = s.kicked();
            dc = s.dc();
            lastActivity = s.lastActivity();
            recentRolls = s.recentRolls();
            warned = s.warned();
            closed = s.closed();
            devices = s.devices();
            connections = s.connections();
            dmAwayUntil = s.dmAwayUntil();
            admin = s.admin();
            chat = s.chat();
            recentChat = s.recentChat();
            locked = s.locked();
        }

        State build() {
            return new State(created, code, creator, mode, players, rolls, changes, kicked, dc, lastActivity,
                    recentRolls, warned, closed, devices, connections, dmAwayUntil, admin, chat, recentChat, locked);
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
            @JsonSubTypes.Type(value = Command.Say.class, name = "chat"),
            @JsonSubTypes.Type(value = Command.Lock.class, name = "lock"),
    })
    public sealed interface Command {
        /**
         * {@code mode}: who sees it (default public); {@code hidden}: the older way to ask for a DM's secret roll
         * ({@code mode} wins when both are given); {@code advantage}: for a single d20; {@code label}: what it is for.
         */
        record RollDice(String formula, Boolean hidden, Advantage advantage, RollMode mode, String label)
                implements Command {
            public RollDice(String formula) {
                this(formula, false, Advantage.NONE);
            }

            public RollDice(String formula, Boolean hidden, Advantage advantage) {
                this(formula, hidden, advantage, null, null);
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

        /** A chat line to everyone in the room. */
        record Say(String text) implements Command {
        }

        /** The admin locks ({@code locked} true or absent) or unlocks the room: while locked nobody new may join. */
        record Lock(Boolean locked) implements Command {
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
            @JsonSubTypes.Type(value = Event.Chatted.class, name = "chat"),
            @JsonSubTypes.Type(value = Event.AdminChanged.class, name = "admin_changed"),
            @JsonSubTypes.Type(value = Event.RoomLocked.class, name = "room_locked"),
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

        /** A chat line ({@link Chat.Line}); an outsider (a public replay) is shown it without {@code text}. */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Chatted(String action, String player, String name, String text, long at) implements Event {
            Chat.Line line() {
                return new Chat.Line(action, player, name, text, at);
            }
        }

        /**
         * The room is run by {@code player} now: its admin ({@code previous}) left an open room, and the admin
         * passed to the player who had been in the room longest (online players first). {@code reason}: "left".
         */
        record AdminChanged(String player, String previous, String reason, long at) implements Event {
        }

        /** The admin locked or unlocked the room. */
        record RoomLocked(boolean locked, String by, long at) implements Event {
        }
    }

    /** A player as others see them: online or not. */
    public record PlayerView(String id, String name, boolean connected) {
    }

    /**
     * What a client sees of the room on joining (protocol.md: Dice room).
     *
     * @param dmAwayUntil when the room closes unless its offline DM comes back, else null (then left out)
     * @param admin       who runs the room now (the creator, or whom an open room passed to when its creator left)
     * @param chat        the newest chat lines, oldest first (none for an outsider)
     */
    public record View(String code, String creator, Mode mode, String dm, List<PlayerView> players, Integer dc,
                       List<Roll> rolls, int historySize, List<Change> changes, long expiresAt, String closed,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long dmAwayUntil, String admin,
                       List<Chat.Line> chat, boolean locked) {
    }

    /** The answer to {@code history}: older rolls, oldest first, and whether there are more before them. */
    public record HistoryPage(List<Roll> rolls, boolean more) {
    }
}
