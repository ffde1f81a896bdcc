package dev.runeforge.game.dice;

import dev.runeforge.game.chat.Chat;
import dev.runeforge.game.notation.DiceFormula;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.common.player.DisplayNames;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.dice.DiceModel.Advantage;
import dev.runeforge.game.dice.DiceModel.Change;
import dev.runeforge.game.dice.DiceModel.Command;
import dev.runeforge.game.dice.DiceModel.Event;
import dev.runeforge.game.dice.DiceModel.HistoryPage;
import dev.runeforge.game.dice.DiceModel.Mode;
import dev.runeforge.game.dice.DiceModel.Player;
import dev.runeforge.game.dice.DiceModel.Roll;
import dev.runeforge.game.dice.DiceModel.RoomSettings;
import dev.runeforge.game.dice.DiceModel.RollMode;
import dev.runeforge.game.dice.DiceModel.Settings;
import dev.runeforge.game.dice.DiceModel.State;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.RollFacts;
import dev.runeforge.game.engine.Viewer;

/**
 * The dice room. Open rooms: everyone rolls, everyone sees every roll. DM-led rooms: the creator is the DM, who
 * may roll in secret and reveal later, and set a DC that later rolls are checked against. The creator is the
 * room's admin (kicks, promoting an open room to DM-led). A room closes after a spell without activity, with
 * warnings before.
 */
public final class DiceRules implements GameRules<State, Command, Event, RoomSettings>, RollFacts<State, Event> {
    public static final String ID = "dice";

    // The dice room's error codes (docs/protocol.md); the platform's own are in ErrorCodes.
    public static final String ROOM_FULL = "ROOM_FULL";
    public static final String KICKED = "KICKED";
    public static final String INVALID_DICE_FORMAT = "INVALID_DICE_FORMAT";
    public static final String HIDDEN_NOT_ALLOWED = "HIDDEN_NOT_ALLOWED";
    public static final String RATE_LIMIT = "RATE_LIMIT";
    public static final String NOT_DM = "NOT_DM";
    public static final String ROLL_NOT_FOUND = "ROLL_NOT_FOUND";
    public static final String ROLL_NOT_HIDDEN = "ROLL_NOT_HIDDEN";
    public static final String INVALID_DC = "INVALID_DC";
    public static final String NOT_ROOM_CREATOR = "NOT_ROOM_CREATOR";
    public static final String PLAYER_NOT_FOUND = "PLAYER_NOT_FOUND";
    public static final String ALREADY_DM_LED = "ALREADY_DM_LED";
    public static final String NOT_ADMIN = "NOT_ADMIN";
    public static final String CANNOT_KICK_SELF = "CANNOT_KICK_SELF";
    public static final String INVALID_LABEL = "INVALID_LABEL";
    public static final String INVALID_CHAT = Chat.INVALID_CHAT;

    /** A roll's label ("Stealth", "Longsword damage"): its longest, in characters. */
    public static final int MAX_LABEL = 40;

    /** admin_changed reason: the admin left an open room. */
    public static final String LEFT = "left";

    /** room_closed reasons. */
    public static final String EXPIRED = "expired";
    public static final String DM_LEFT = "dm_left";
    /** The host ended the room ({@code END}, REST {@code DELETE /api/sessions/{id}}). */
    public static final String ENDED = "ended";

    /** Statistics counters ({@link #tally}). */
    static final String ROLLS = "rolls";
    static final String NATURAL_20S = "natural_20s";

    public static final int MIN_DC = 1;
    public static final int MAX_DC = 30;
    private static final int MAX_PAGE = 100;

    private final Settings settings;

    public DiceRules() {
        this(Settings.DEFAULT);
    }

    public DiceRules(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<Command> commandType() {
        return Command.class;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    @Override
    public Class<Event> eventType() {
        return Event.class;
    }

    @Override
    public State initial() {
        return State.INITIAL;
    }

    @Override
    public RoomSettings settings(JsonNode json) throws InvalidSettings {
        String mode = json == null ? "" : json.path("mode").asText("open");
        return switch (mode) {
            case "", "open" -> RoomSettings.DEFAULT;
            case "dm-led" -> new RoomSettings(Mode.DM_LED);
            default -> throw new InvalidSettings(ErrorCodes.INVALID_ACTION, "a room's mode is 'open' or 'dm-led'");
        };
    }

    @Override
    public Decision<Event> create(State state, RoomSettings room, Context ctx) {
        Optional<Decision<Event>> badName = checkName(ctx);
        if (badName.isPresent()) {
            return badName.get();
        }
        return Decision.accept(new Event.RoomCreated(ctx.code(), new Player(ctx.actor(), ctx.actorName()),
                room.mode(), millis(ctx), ctx.device()));
    }

    @Override
    public Decision<Event> join(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this room has closed");
        }
        if (state.kicked().contains(ctx.actor()) || (ctx.device() != null && state.kicked().contains(ctx.device()))) {
            return Decision.reject(KICKED, "you were removed from this room and cannot rejoin it");
        }
        if (state.has(ctx.actor())) {
            return Decision.accept(); // again, maybe from another browser: not worth an event
        }
        if (state.isLocked()) {
            return Decision.reject(ErrorCodes.ROOM_LOCKED, "this room is locked: its admin lets nobody new in");
        }
        if (state.players().size() >= settings.maxPlayers()) {
            return Decision.reject(ROOM_FULL, "this room is full (" + settings.maxPlayers() + " players)");
        }
        return checkName(ctx).orElseGet(() ->
                Decision.accept(new Event.PlayerJoined(new Player(ctx.actor(), ctx.actorName()), millis(ctx),
                        ctx.device())));
    }

    @Override
    public Decision<Event> leave(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this room has closed");
        }
        if (state.isDm(ctx.actor())) {
            // A DM-led room without its DM has nobody to reveal, judge or run it.
            return Decision.accept(new Event.PlayerLeft(ctx.actor(), millis(ctx)),
                    new Event.RoomClosed(DM_LEFT, millis(ctx)));
        }
        if (ctx.actor().equals(state.adminId())) {
            // An open room goes on without its admin, so someone must be able to kick, promote and end it: the
            // player who has been in it longest, preferring one who is online (an open tab nobody watches would
            // hold the room's keys otherwise).
            Optional<String> next = state.players().stream().map(Player::id)
                    .filter(p -> !p.equals(ctx.actor()))
                    .sorted(java.util.Comparator.comparing(p -> !state.connected(p))) // stable: joining order within
                    .findFirst();
            if (next.isPresent()) {
                return Decision.accept(new Event.PlayerLeft(ctx.actor(), millis(ctx)),
                        new Event.AdminChanged(next.get(), ctx.actor(), LEFT, millis(ctx)));
            }
        }
        return Decision.accept(new Event.PlayerLeft(ctx.actor(), millis(ctx)));
    }

    @Override
    public Decision<Event> presence(State state, String connection, boolean connected, Context ctx) {
        if (state.closed() != null) {
            return Decision.accept();
        }
        String player = ctx.actor();
        List<String> before = state.connections().getOrDefault(player, List.of());
        if (connected == before.contains(connection)) {
            return Decision.accept(); // already known: a repeated announcement
        }
        boolean online = state.withConnection(player, connection, connected).connected(player);
        Long graceUntil = !online && state.connected(player) && state.isDm(player)
                ? millis(ctx) + settings.dmGrace().toMillis() : null;
        return Decision.accept(new Event.Presence(player, connection, connected, online, millis(ctx), graceUntil));
    }

    @Override
    public Decision<Event> decide(State state, Command command, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this room has closed");
        }
        return switch (command) {
            case Command.RollDice roll -> roll(state, roll, ctx);
            case Command.Reveal reveal -> reveal(state, reveal, ctx);
            case Command.SetDc set -> setDc(state, set, ctx);
            case Command.ClearDc clear -> !state.isDm(ctx.actor())
                    ? notDm("clear the DC")
                    : Decision.accept(new Event.DcCleared(ctx.actor(), millis(ctx)));
            case Command.Promote promote -> promote(state, ctx);
            case Command.Kick kick -> kick(state, kick, ctx);
            case Command.Lock lock -> lock(state, lock, ctx);
            case Command.History history -> history(state, history, ctx);
            case Command.Say say -> say(state, say, ctx);
        };
    }

    private Decision<Event> roll(State state, Command.RollDice command, Context ctx) {
        RollMode mode = command.mode() != null ? command.mode()
                : Boolean.TRUE.equals(command.hidden()) ? RollMode.SECRET : RollMode.PUBLIC;
        if (mode == RollMode.SECRET && !state.isDm(ctx.actor())) {
            return Decision.reject(HIDDEN_NOT_ALLOWED, state.mode() == Mode.DM_LED
                    ? "only the DM rolls in secret; roll to the DM instead" : "secret rolls are for DM-led rooms");
        }
        if (mode == RollMode.DM && state.mode() != Mode.DM_LED) {
            return Decision.reject(HIDDEN_NOT_ALLOWED, "an open room has no DM to roll to; roll to yourself instead");
        }
        String label = null;
        if (command.label() != null) {
            label = Chat.clean(command.label());
            Optional<String> bad = Chat.problem(label, MAX_LABEL, "a label");
            if (label.isEmpty()) {
                label = null; // an empty label field is no label
            } else if (bad.isPresent()) {
                return Decision.reject(INVALID_LABEL, bad.get());
            }
        }
        Optional<Long> wait = Chat.wait(state.recentRolls(), ctx.actor(), millis(ctx), settings.rollLimit(),
                settings.rollWindow());
        if (wait.isPresent()) {
            return Decision.reject(RATE_LIMIT, "at most " + settings.rollLimit() + " rolls every "
                    + settings.rollWindow().toSeconds() + " s; try again in " + wait.get() + " s");
        }
        Advantage advantage = command.advantage() == null ? Advantage.NONE : command.advantage();
        String asked;
        DiceFormula.Result result;
        try {
            DiceFormula formula = DiceFormula.parse(command.formula());
            // The player's intent is what the roll shows ("1d20+5 with advantage"); the dice drawn are 2d20kh1+5.
            asked = formula.toString();
            if (advantage != Advantage.NONE) {
                formula = formula.withAdvantage(advantage == Advantage.ADVANTAGE
                        ? DiceFormula.Advantage.ADVANTAGE : DiceFormula.Advantage.DISADVANTAGE);
            }
            result = formula.roll(ctx.rng());
        } catch (DiceFormula.InvalidFormula e) {
            return Decision.reject(INVALID_DICE_FORMAT, e.getMessage());
        }
        Integer dc = state.dc();
        Boolean passed = dc == null ? null : result.total() >= dc;
        return Decision.accept(new Event.Rolled(new Roll(rollId(ctx), ctx.actionId(), ctx.actor(), ctx.actorName(),
                asked, result.terms(), result.modifier(), result.total(), millis(ctx), mode != RollMode.PUBLIC, dc,
                passed, null, state.rolls().isEmpty() ? 1 : state.rolls().getLast().number() + 1, mode, label,
                advantage)));
    }

    private static Decision<Event> say(State state, Command.Say command, Context ctx) {
        return Chat.say(command.text(), state.recentChat(), ctx,
                text -> new Event.Chatted(ctx.actionId(), ctx.actor(), ctx.actorName(), text, millis(ctx)));
    }

    private static Decision<Event> reveal(State state, Command.Reveal command, Context ctx) {
        if (!state.isDm(ctx.actor())) {
            return notDm("reveal a roll");
        }
        Optional<Roll> roll = command.roll() == null ? Optional.empty() : state.roll(command.roll());
        if (roll.isEmpty()) {
            return Decision.reject(ROLL_NOT_FOUND, "no roll " + command.roll() + " in this room's history");
        }
        if (roll.get().isPublic()) {
            return Decision.reject(ROLL_NOT_HIDDEN, "that roll is not hidden");
        }
        if (roll.get().visibility() != RollMode.SECRET) {
            return Decision.reject(ROLL_NOT_HIDDEN, "only the DM's secret rolls are revealed; a roll to the DM or to"
                    + " oneself stays private");
        }
        return Decision.accept(new Event.RollRevealed(roll.get().id(), millis(ctx), null));
    }

    private static Decision<Event> setDc(State state, Command.SetDc command, Context ctx) {
        if (!state.isDm(ctx.actor())) {
            return notDm("set a DC");
        }
        if (command.dc() == null || command.dc() < MIN_DC || command.dc() > MAX_DC) {
            return Decision.reject(INVALID_DC, "a DC is a whole number from " + MIN_DC + " to " + MAX_DC);
        }
        return Decision.accept(new Event.DcSet(command.dc(), ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> promote(State state, Context ctx) {
        if (!ctx.actor().equals(state.adminId())) {
            return Decision.reject(NOT_ROOM_CREATOR, "only the room's admin can make it DM-led");
        }
        if (state.mode() == Mode.DM_LED) {
            return Decision.reject(ALREADY_DM_LED, "this room is already DM-led");
        }
        return Decision.accept(new Event.ModeChanged(Mode.DM_LED, ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> lock(State state, Command.Lock command, Context ctx) {
        if (!ctx.actor().equals(state.adminId())) {
            return Decision.reject(NOT_ADMIN, "only the room's admin can lock or unlock it");
        }
        boolean locked = command.locked() == null || command.locked();
        if (locked == state.isLocked()) {
            return Decision.accept(); // already so: nothing to tell anyone
        }
        return Decision.accept(new Event.RoomLocked(locked, ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> kick(State state, Command.Kick command, Context ctx) {
        if (!ctx.actor().equals(state.adminId())) {
            return Decision.reject(NOT_ADMIN, "only the room's admin can remove players");
        }
        if (ctx.actor().equals(command.player())) {
            return Decision.reject(CANNOT_KICK_SELF, "you cannot remove yourself; leave the room instead");
        }
        if (command.player() == null || !state.has(command.player())) {
            return Decision.reject(PLAYER_NOT_FOUND, "no such player in this room");
        }
        return Decision.accept(new Event.PlayerKicked(command.player(),
                state.devices().getOrDefault(command.player(), List.of()), ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> history(State state, Command.History command, Context ctx) {
        int limit = command.limit() == null ? DiceModel.VIEW_ROLLS : Math.max(1, Math.min(MAX_PAGE, command.limit()));
        List<Roll> rolls = state.rolls();
        int end = rolls.size();
        if (command.before() != null) {
            end = -1;
            for (int i = 0; i < rolls.size(); i++) {
                if (rolls.get(i).id().equals(command.before())) {
                    end = i;
                }
            }
            if (end < 0) {
                return Decision.reject(ROLL_NOT_FOUND, "no roll " + command.before() + " in this room's history");
            }
        }
        int start = Math.max(0, end - limit);
        Viewer viewer = Viewer.of(ctx.actor());
        return Decision.reply(new HistoryPage(rolls.subList(start, end).stream()
                .map(r -> visible(state, r, viewer)).toList(), start > 0));
    }

    private static Decision<Event> notDm(String what) {
        return Decision.reject(NOT_DM, "only the DM of a DM-led room can " + what);
    }

    /** The platform's display-name rule (names come from access tokens, which auth-service made by it). */
    private static Optional<Decision<Event>> checkName(Context ctx) {
        if (!DisplayNames.valid(ctx.actorName())) {
            return Optional.of(Decision.reject(ErrorCodes.INVALID_NAME, "a name is " + DisplayNames.RULE));
        }
        return Optional.empty();
    }

    /** A roll's id for links: 96 random bits, URL-safe, drawn in decide and stored in the event. */
    private static String rollId(Context ctx) {
        byte[] bytes = new byte[12];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ctx.rng().nextInt(256);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static long millis(Context ctx) {
        return ctx.now().toEpochMilli();
    }

    @Override
    public State apply(State state, Event event) {
        return switch (event) {
            case Event.RoomCreated c -> new State(true, c.code(), c.creator().id(), c.mode(), List.of(c.creator()),
                    List.of(), List.of(), List.of(), null, c.at(), Map.of(), 0, null, Map.of(), Map.of(), null,
                    c.creator().id(), List.of(), Map.of(), null)
                    .withDevice(c.creator().id(), c.device());
            case Event.PlayerJoined j -> {
                List<Player> players = new ArrayList<>(state.players());
                players.add(j.player());
                yield state.withPlayers(players).withDevice(j.player().id(), j.device()).active(j.at());
            }
            case Event.PlayerLeft l -> state.withPlayers(without(state, l.player())).withoutConnections(l.player())
                    .active(l.at());
            case Event.PlayerKicked k -> {
                List<String> kicked = new ArrayList<>(state.kicked());
                kicked.add(k.player());
                if (k.devices() != null) {
                    kicked.addAll(k.devices());
                }
                DiceModel.Builder b = state.withPlayers(without(state, k.player())).withoutConnections(k.player())
                        .withKicked(kicked).active(k.at()).to();
                b.chat = Chat.without(state.chat(), k.player()); // moderation: what they said goes with them
                yield b.build();
            }
            case Event.Rolled r -> state.withRoll(r.roll(), settings.rollWindow()).active(r.roll().at());
            case Event.RollRevealed r -> state.withRolls(state.rolls().stream()
                    .map(roll -> roll.id().equals(r.roll()) ? roll.revealed(r.at()) : roll).toList()).active(r.at());
            case Event.DcSet d -> state.withDc(d.dc()).active(d.at());
            case Event.DcCleared d -> state.withDc(null).active(d.at());
            case Event.ModeChanged m -> state.withMode(m.mode(), new Change(
                    m.mode() == Mode.DM_LED ? "dm-led" : "open", m.by(), m.at())).active(m.at());
            case Event.RoomExpiring e -> state.warned(warningsPassed(state, e.at()));
            case Event.RoomClosed c -> state.closed(c.reason()).dmAway(null);
            case Event.Chatted c -> {
                DiceModel.Builder b = state.active(c.at()).to();
                b.chat = Chat.append(state.chat(), c.line());
                b.recentChat = Chat.recent(state.recentChat(), c.player(), c.at(), Chat.WINDOW);
                yield b.build();
            }
            case Event.AdminChanged a -> {
                DiceModel.Builder b = state.active(a.at()).to();
                b.admin = a.player();
                yield b.build();
            }
            case Event.RoomLocked l -> {
                DiceModel.Builder b = state.active(l.at()).to();
                b.locked = l.locked() ? Boolean.TRUE : null;
                yield b.build();
            }
            // Being online is not activity: an idle room with open tabs still expires.
            case Event.Presence p -> {
                State next = state.withConnection(p.player(), p.connection(), Boolean.TRUE.equals(p.opened()));
                if (p.graceUntil() != null) {
                    next = next.dmAway(p.graceUntil());
                } else if (p.connected() && state.isDm(p.player())) {
                    next = next.dmAway(null);
                }
                yield next;
            }
        };
    }

    private static List<Player> without(State state, String player) {
        return state.players().stream().filter(p -> !p.id().equals(player)).toList();
    }

    @Override
    public boolean isMember(State state, String player) {
        return state.has(player);
    }

    @Override
    public Collection<String> members(State state) {
        return state.players().stream().map(Player::id).toList();
    }

    @Override
    public boolean closed(State state) {
        return state.closed() != null;
    }

    @Override
    public Map<String, String> memberNames(State state) {
        Map<String, String> names = new LinkedHashMap<>();
        state.players().forEach(p -> names.put(p.id(), p.name()));
        return names;
    }

    /**
     * The admin runs the room (kicks, makes it DM-led; in a DM-led room they are the DM), so the admin is its host
     * while they are in it: the creator, or whom an open room passed to when its creator left. A room whose last
     * player left has no host: nobody can end it, it expires.
     */
    @Override
    public Optional<String> host(State state) {
        String admin = state.adminId();
        return admin != null && state.has(admin) ? Optional.of(admin) : Optional.empty();
    }

    /**
     * Kicked players. {@code kicked} also holds the kicked players' browser ids (to bar the browser); those are the
     * ids some player's {@code devices} list holds, and a player id never is one, so they are told apart by that.
     */
    @Override
    public List<String> barred(State state) {
        if (state.kicked().isEmpty()) {
            return List.of();
        }
        Set<String> devices = new HashSet<>();
        state.devices().values().forEach(devices::addAll);
        return state.kicked().stream().filter(k -> !devices.contains(k)).toList();
    }

    @Override
    public Decision<Event> end(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this room has closed");
        }
        if (!host(state).map(ctx.actor()::equals).orElse(false)) {
            return Decision.reject(ErrorCodes.FORBIDDEN, "only the room's host (its admin) can end it");
        }
        return Decision.accept(new Event.RoomClosed(ENDED, millis(ctx)));
    }

    /**
     * {@code rolled} counts one roll for its roller and, for a public roll, one natural 20 per d20 showing 20 that
     * was kept: a 20 dropped by disadvantage ({@code 2d20kl1}) or by {@code dh}/{@code kl} is not the die that
     * counted, so it is no natural 20 (an exploded d20's 20 is kept and counts). A secret roll's 20s count when it
     * is revealed ({@code roll_revealed}), never before, and a roll to the DM or to oneself never adds any:
     * statistics are public, and counting them would tell everyone that a private roll was a natural 20.
     */
    @Override
    public Map<String, Map<String, Long>> tally(State state, Event event) {
        return switch (event) {
            case Event.Rolled r -> {
                Map<String, Long> mine = new LinkedHashMap<>();
                mine.put(ROLLS, 1L);
                long twenties = r.roll().isPublic() ? naturalTwenties(r.roll()) : 0;
                if (twenties > 0) {
                    mine.put(NATURAL_20S, twenties);
                }
                yield Map.of(r.roll().player(), mine);
            }
            case Event.RollRevealed r -> state.roll(r.roll())
                    .filter(roll -> naturalTwenties(roll) > 0)
                    .map(roll -> Map.of(roll.player(), Map.of(NATURAL_20S, naturalTwenties(roll))))
                    .orElse(Map.of());
            default -> Map.of();
        };
    }

    /**
     * A roll that is or may become public has a permalink: a public roll, and a DM's secret one (stored hidden,
     * served once {@code roll_revealed}). A roll to the DM or to oneself never does: it can never be public.
     */
    @Override
    public Optional<RollFact> rollFact(State state, Event event) {
        return switch (event) {
            case Event.Rolled r -> permalink(r.roll());
            case Event.RollRevealed r -> PublicRoll.validId(r.roll())
                    ? Optional.of(new RollFact.Revealed(r.roll(), r.at())) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static Optional<RollFact> permalink(Roll roll) {
        RollMode mode = roll.visibility();
        if (mode == RollMode.DM || mode == RollMode.SELF || !PublicRoll.validId(roll.id()) || roll.name() == null
                || roll.formula() == null || roll.terms() == null || roll.total() == null) {
            return Optional.empty();
        }
        List<PublicRoll.Term> terms = roll.terms().stream().map(t -> new PublicRoll.Term(t.sign(), t.count(),
                t.sides(), t.notation(), t.dice().stream().map(d -> new PublicRoll.Die(d.value(), d.kept(),
                d.exploded())).toList(), t.subtotal())).toList();
        Boolean passed = roll.dc() == null ? null : Boolean.TRUE.equals(roll.passed());
        // "advantage" or "disadvantage" (a Roll holds no NONE: it keeps null for a plain roll).
        String advantage = roll.advantage() == null ? null : roll.advantage().name().toLowerCase(Locale.ROOT);
        return Optional.of(new RollFact.Rolled(roll.id(), roll.name(), roll.formula(), terms,
                roll.modifier() == null ? 0 : roll.modifier(), roll.total(), roll.dc(), passed, roll.hidden(),
                roll.at(), roll.label(), advantage));
    }

    private static long naturalTwenties(Roll roll) {
        if (roll.terms() == null) {
            return 0;
        }
        return roll.terms().stream().filter(t -> t.sides() == 20)
                .flatMap(t -> t.dice().stream())
                .filter(d -> d.kept() && d.value() == 20)
                .count();
    }

    // --- expiry: a deadline per warning, then the close ---

    private long expiresAt(State state) {
        return state.lastActivity() + settings.ttl(state.mode()).toMillis();
    }

    /** How many warnings are due at {@code now} (warnings are sorted longest first). */
    private int warningsPassed(State state, long now) {
        long left = expiresAt(state) - now;
        int n = 0;
        for (Duration w : settings.warnings()) {
            if (left <= w.toMillis()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public Optional<Instant> deadline(State state) {
        if (!state.created() || state.closed() != null) {
            return Optional.empty();
        }
        long expires = expiresAt(state);
        long next = state.warned() < settings.warnings().size()
                ? expires - settings.warnings().get(state.warned()).toMillis() : expires;
        if (state.dmAwayUntil() != null) {
            next = Math.min(next, state.dmAwayUntil());
        }
        return Optional.of(Instant.ofEpochMilli(next));
    }

    @Override
    public Decision<Event> onDeadline(State state, Context ctx) {
        long now = millis(ctx);
        if (state.dmAwayUntil() != null && now >= state.dmAwayUntil()) {
            return Decision.accept(new Event.RoomClosed(DM_LEFT, now));
        }
        long expires = expiresAt(state);
        if (now >= expires) {
            return Decision.accept(new Event.RoomClosed(EXPIRED, now));
        }
        if (warningsPassed(state, now) > state.warned()) {
            return Decision.accept(new Event.RoomExpiring((expires - now + 999) / 1000, expires, now));
        }
        return Decision.accept();
    }

    // --- what each viewer sees ---

    /**
     * Who sees a roll whole: everyone a public (or revealed secret) one; the DM a secret one; its roller and the
     * DM one rolled to the DM; its roller alone one rolled to themselves. Everyone else gets {@link Roll#redacted}.
     */
    private static Roll visible(State state, Roll roll, Viewer viewer) {
        if (roll.isPublic()) {
            return roll;
        }
        boolean sees = switch (roll.visibility()) {
            case PUBLIC -> true;
            case SECRET -> state.isDm(viewer.player());
            case DM -> viewer.is(roll.player()) || state.isDm(viewer.player());
            case SELF -> viewer.is(roll.player());
        };
        return sees ? roll : roll.redacted();
    }

    @Override
    public Object view(State state, Viewer viewer) {
        List<Roll> rolls = state.rolls();
        List<Roll> recent = rolls.subList(Math.max(0, rolls.size() - DiceModel.VIEW_ROLLS), rolls.size()).stream()
                .map(r -> visible(state, r, viewer)).toList();
        List<DiceModel.PlayerView> players = state.players().stream()
                .map(p -> new DiceModel.PlayerView(p.id(), p.name(), state.connected(p.id()))).toList();
        return new DiceModel.View(state.code(), state.creator(), state.mode(),
                state.mode() == Mode.DM_LED ? state.adminId() : null, players, state.dc(), recent,
                rolls.size(), state.changes(), expiresAt(state), state.closed(), state.dmAwayUntil(), state.adminId(),
                viewer.outsider() ? List.of() : state.chat(), state.isLocked());
    }

    @Override
    public Object project(State state, Event event, Viewer viewer) {
        return switch (event) {
            case Event.Rolled r -> new Event.Rolled(visible(state, r.roll(), viewer));
            case Event.RollRevealed r -> new Event.RollRevealed(r.roll(), r.at(), state.roll(r.roll()).orElse(null));
            // Browser ids are for barring kicked players, not for anyone to see.
            case Event.RoomCreated c -> new Event.RoomCreated(c.code(), c.creator(), c.mode(), c.at(), null);
            case Event.PlayerJoined j -> new Event.PlayerJoined(j.player(), j.at(), null);
            case Event.PlayerKicked k -> new Event.PlayerKicked(k.player(), null, k.by(), k.at());
            case Event.Presence p -> new Event.Presence(p.player(), null, null, p.connected(), p.at(), p.graceUntil());
            // What members say among themselves is not for someone outside the room (a public replay).
            case Event.Chatted c -> viewer.outsider() ? new Event.Chatted(c.action(), c.player(), c.name(), null, c.at())
                    : c;
            default -> event;
        };
    }
}
