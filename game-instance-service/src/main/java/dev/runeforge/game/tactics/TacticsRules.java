package dev.runeforge.game.tactics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.player.DisplayNames;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.chat.Chat;
import dev.runeforge.game.notation.DiceFormula;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.tactics.TacticsModel.Command;
import dev.runeforge.game.tactics.TacticsModel.Event;
import dev.runeforge.game.tactics.TacticsModel.InitiativeRoll;
import dev.runeforge.game.tactics.TacticsModel.Phase;
import dev.runeforge.game.tactics.TacticsModel.Player;
import dev.runeforge.game.tactics.TacticsModel.Pos;
import dev.runeforge.game.tactics.TacticsModel.Scenario;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;

/**
 * Grid combat. The creator hosts: picks a scenario (built-in or JSON), adds and removes units, assigns them or
 * lets players claim them, starts the encounter, may skip a turn and end the session. Units nobody claimed are
 * played by the host. Initiative (d20 + modifier; ties: higher modifier, then scenario order) gives the turn
 * order; on its turn a unit moves up to its speed ({@link Board}) and attacks once; the encounter is won when one
 * side alone has units standing. Every die is drawn here in {@code decide} and stored in the event.
 */
public final class TacticsRules implements GameRules<State, Command, Event, TacticsRules.EncounterSettings> {
    public static final String ID = "tactics";

    // The tactics game's error codes (docs/protocol.md, Tactics); the platform's own are in ErrorCodes.
    public static final String NOT_YOUR_TURN = "NOT_YOUR_TURN";
    public static final String UNIT_NOT_FOUND = "UNIT_NOT_FOUND";
    public static final String NOT_YOUR_UNIT = "NOT_YOUR_UNIT";
    public static final String INVALID_MOVE = "INVALID_MOVE";
    public static final String OUT_OF_RANGE = "OUT_OF_RANGE";
    public static final String ALREADY_ATTACKED = "ALREADY_ATTACKED";
    public static final String UNIT_DOWN = "UNIT_DOWN";
    public static final String GAME_OVER = "GAME_OVER";
    public static final String INVALID_SCENARIO = "INVALID_SCENARIO";
    public static final String INVALID_UNIT = "INVALID_UNIT";
    public static final String INVALID_TARGET = "INVALID_TARGET";
    public static final String INVALID_SETTINGS = "INVALID_SETTINGS";
    public static final String NOT_HOST = "NOT_HOST";
    public static final String NOT_STARTED = "NOT_STARTED";
    public static final String ALREADY_STARTED = "ALREADY_STARTED";
    public static final String NOT_READY = "NOT_READY";
    public static final String UNIT_TAKEN = "UNIT_TAKEN";
    public static final String WRONG_SIDE = "WRONG_SIDE";
    public static final String ROOM_FULL = "ROOM_FULL";
    public static final String KICKED = "KICKED";
    public static final String PLAYER_NOT_FOUND = "PLAYER_NOT_FOUND";
    public static final String CANNOT_KICK_SELF = "CANNOT_KICK_SELF";
    public static final String NOT_OVER = "NOT_OVER";
    public static final String INVALID_CHAT = Chat.INVALID_CHAT;
    public static final String RATE_LIMIT = Chat.RATE_LIMIT;

    /** encounter_closed reasons. */
    public static final String ENDED = "ended";
    public static final String HOST_LEFT = "host_left";
    public static final String EXPIRED = "expired";

    public static final int MAX_TURN_SECONDS = 3600;
    public static final int MIN_TURN_SECONDS = 10;

    /**
     * What an operator may tune ({@code game.tactics.*}).
     *
     * @param turnSeconds the turn timer when the host does not choose one (0: none)
     * @param idle        a session with no activity this long closes ("expired")
     */
    public record Settings(int maxPlayers, int turnSeconds, Duration idle) {
        public static final Settings DEFAULT = new Settings(8, 90, Duration.ofHours(2));

        public Settings {
            if (maxPlayers < 2) {
                throw new IllegalArgumentException("a tactics session holds at least two players");
            }
            if (turnSeconds != 0 && (turnSeconds < MIN_TURN_SECONDS || turnSeconds > MAX_TURN_SECONDS)) {
                throw new IllegalArgumentException("turn seconds: 0 or " + MIN_TURN_SECONDS + ".." + MAX_TURN_SECONDS);
            }
        }
    }

    /**
     * What the encounter's host chose ({@code create {settings}}): the scenario (a built-in's id or a scenario of its
     * own; the duel when left out) and the turn timer (the operator's when left out).
     */
    public record EncounterSettings(Scenario scenario, int turnSeconds) {
        public EncounterSettings {
            Objects.requireNonNull(scenario);
        }
    }

    private final Settings settings;

    public TacticsRules() {
        this(Settings.DEFAULT);
    }

    public TacticsRules(Settings settings) {
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

    // ---------------------------------------------------------------- session lifecycle

    /** {@code {"scenario": "<built-in id>" | {scenario JSON}, "turnSeconds"?: 0 | 10..3600}}. */
    @Override
    public EncounterSettings settings(JsonNode roomSettings) throws InvalidSettings {
        JsonNode chosen = roomSettings == null ? null : roomSettings.get("scenario");
        Scenario scenario;
        if (chosen == null || chosen.isNull()) {
            scenario = Scenarios.BUILT_IN.get("duel");
        } else if (chosen.isTextual()) {
            scenario = Scenarios.BUILT_IN.get(chosen.asText());
            if (scenario == null) {
                throw new InvalidSettings(INVALID_SCENARIO, "scenario: no built-in scenario '" + chosen.asText()
                        + "' (there are " + String.join(", ", Scenarios.BUILT_IN.keySet()) + ")");
            }
        } else {
            try {
                scenario = Scenarios.parse(chosen);
            } catch (Scenarios.Invalid e) {
                throw new InvalidSettings(INVALID_SCENARIO, e.getMessage());
            }
        }
        int turnSeconds = settings.turnSeconds();
        JsonNode t = roomSettings == null ? null : roomSettings.get("turnSeconds");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || !t.canConvertToInt()
                    || (t.intValue() != 0 && (t.intValue() < MIN_TURN_SECONDS || t.intValue() > MAX_TURN_SECONDS))) {
                throw new InvalidSettings(INVALID_SETTINGS, "turnSeconds: 0 (no timer) or a whole number from "
                        + MIN_TURN_SECONDS + " to " + MAX_TURN_SECONDS);
            }
            turnSeconds = t.intValue();
        }
        return new EncounterSettings(scenario, turnSeconds);
    }

    @Override
    public Decision<Event> create(State state, EncounterSettings encounter, Context ctx) {
        Optional<Decision<Event>> badName = checkName(ctx);
        if (badName.isPresent()) {
            return badName.get();
        }
        return Decision.accept(new Event.EncounterCreated(ctx.code(), new Player(ctx.actor(), ctx.actorName()),
                encounter.scenario(), encounter.turnSeconds(), settings.idle().toSeconds(), millis(ctx)));
    }

    @Override
    public Decision<Event> join(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this encounter has closed");
        }
        if (state.barred().contains(ctx.actor())) {
            return Decision.reject(KICKED, "the host removed you from this encounter");
        }
        if (state.has(ctx.actor())) {
            return Decision.accept();
        }
        if (state.isLocked()) {
            return Decision.reject(ErrorCodes.ROOM_LOCKED, "this encounter is locked: its host lets nobody new in");
        }
        if (state.players().size() >= settings.maxPlayers()) {
            return Decision.reject(ROOM_FULL, "this encounter is full (" + settings.maxPlayers() + " players)");
        }
        return checkName(ctx).orElseGet(() -> Decision.accept(
                new Event.PlayerJoined(new Player(ctx.actor(), ctx.actorName()), millis(ctx))));
    }

    @Override
    public Decision<Event> leave(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this encounter has closed");
        }
        if (state.isHost(ctx.actor())) {
            // Unclaimed units, setup and skipping are the host's: without them nobody can run the table.
            return Decision.accept(new Event.PlayerLeft(ctx.actor(), millis(ctx)),
                    new Event.EncounterClosed(HOST_LEFT, millis(ctx)));
        }
        return Decision.accept(new Event.PlayerLeft(ctx.actor(), millis(ctx)));
    }

    @Override
    public Decision<Event> end(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this encounter has closed");
        }
        if (!state.isHost(ctx.actor())) {
            return Decision.reject(ErrorCodes.FORBIDDEN, "only the host can end this encounter");
        }
        return Decision.accept(new Event.EncounterClosed(ENDED, millis(ctx)));
    }

    // ---------------------------------------------------------------- commands

    @Override
    public Decision<Event> decide(State state, Command command, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this encounter has closed");
        }
        return switch (command) {
            case Command.Claim c -> claim(state, c.unit(), ctx);
            case Command.Release r -> release(state, r.unit(), ctx);
            case Command.Assign a -> assign(state, a, ctx);
            case Command.AddUnit a -> addUnit(state, a, ctx);
            case Command.RemoveUnit r -> removeUnit(state, r.unit(), ctx);
            case Command.Start s -> start(state, ctx);
            case Command.Move m -> move(state, m, ctx);
            case Command.Attack a -> attack(state, a, ctx);
            case Command.EndTurn e -> endTurn(state, ctx, false);
            case Command.SkipTurn s -> endTurn(state, ctx, true);
            case Command.Kick k -> kick(state, k.player(), ctx);
            case Command.Rematch r -> rematch(state, ctx);
            case Command.Say say -> say(state, say, ctx);
            case Command.Lock lock -> {
                if (!state.isHost(ctx.actor())) {
                    yield notHost("lock or unlock the encounter");
                }
                boolean locked = lock.locked() == null || lock.locked();
                yield locked == state.isLocked() ? Decision.accept()
                        : Decision.accept(new Event.RoomLocked(locked, ctx.actor(), millis(ctx)));
            }
        };
    }

    private static Decision<Event> claim(State state, String unitId, Context ctx) {
        if (state.phase() != Phase.SETUP) {
            return Decision.reject(ALREADY_STARTED, "units are claimed before the encounter starts; ask the host");
        }
        Optional<Unit> unit = state.unit(unitId);
        if (unit.isEmpty()) {
            return unitNotFound(unitId);
        }
        String owner = unit.get().owner();
        if (ctx.actor().equals(owner)) {
            return Decision.accept();
        }
        if (owner != null) {
            return Decision.reject(UNIT_TAKEN, unit.get().name() + " is already someone else's");
        }
        boolean otherSide = state.units().stream()
                .anyMatch(u -> ctx.actor().equals(u.owner()) && !u.side().equals(unit.get().side()));
        if (otherSide) {
            return Decision.reject(WRONG_SIDE, "your units are on another side; release them first");
        }
        return Decision.accept(new Event.UnitAssigned(unitId, ctx.actor(), ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> release(State state, String unitId, Context ctx) {
        if (state.phase() != Phase.SETUP) {
            return Decision.reject(ALREADY_STARTED, "units are released before the encounter starts; ask the host");
        }
        Optional<Unit> unit = state.unit(unitId);
        if (unit.isEmpty()) {
            return unitNotFound(unitId);
        }
        if (!ctx.actor().equals(unit.get().owner())) {
            return Decision.reject(NOT_YOUR_UNIT, unit.get().name() + " is not yours");
        }
        return Decision.accept(new Event.UnitAssigned(unitId, null, ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> assign(State state, Command.Assign command, Context ctx) {
        if (!state.isHost(ctx.actor())) {
            return notHost("assign units");
        }
        if (state.phase() == Phase.OVER) {
            return gameOver();
        }
        Optional<Unit> unit = state.unit(command.unit());
        if (unit.isEmpty()) {
            return unitNotFound(command.unit());
        }
        if (command.player() != null && !state.has(command.player())) {
            return Decision.reject(PLAYER_NOT_FOUND, "no such player in this encounter");
        }
        String player = state.isHost(command.player()) ? null : command.player();
        if (java.util.Objects.equals(player, unit.get().owner())) {
            return Decision.accept();
        }
        return Decision.accept(new Event.UnitAssigned(command.unit(), player, ctx.actor(), millis(ctx)));
    }

    private static Decision<Event> addUnit(State state, Command.AddUnit command, Context ctx) {
        if (!state.isHost(ctx.actor())) {
            return notHost("add units");
        }
        if (state.phase() == Phase.OVER) {
            return gameOver();
        }
        if (state.units().size() >= Scenarios.MAX_UNITS) {
            return Decision.reject(INVALID_UNIT, "at most " + Scenarios.MAX_UNITS + " units");
        }
        Unit unit;
        try {
            unit = Scenarios.unit("u" + state.nextUnit(), command.unit(), "unit", state.width(), state.height(),
                    state.rows());
        } catch (Scenarios.Invalid e) {
            return Decision.reject(INVALID_UNIT, e.getMessage());
        }
        Optional<Unit> there = Board.standingAt(state, unit.pos());
        if (there.isPresent()) {
            return Decision.reject(INVALID_UNIT, "unit: (" + unit.x() + "," + unit.y() + ") is taken by "
                    + there.get().name());
        }
        InitiativeRoll roll = state.phase() == Phase.BATTLE ? rollInitiative(unit, ctx) : null;
        return Decision.accept(new Event.UnitAdded(unit, roll, ctx.actor(), millis(ctx)));
    }

    private Decision<Event> removeUnit(State state, String unitId, Context ctx) {
        if (!state.isHost(ctx.actor())) {
            return notHost("remove units");
        }
        if (state.phase() == Phase.OVER) {
            return gameOver();
        }
        if (state.unit(unitId).isEmpty()) {
            return unitNotFound(unitId);
        }
        List<Event> events = new ArrayList<>();
        events.add(new Event.UnitRemoved(unitId, ctx.actor(), millis(ctx)));
        if (state.phase() == Phase.BATTLE) {
            State after = apply(state, events.getFirst());
            if (after.standingSides().size() <= 1) {
                events.add(won(after, null, ctx));
            } else if (unitId.equals(state.current())) {
                events.add(nextTurn(state, ctx));
            }
        }
        return new Decision.Accept<>(events);
    }

    private static Decision<Event> start(State state, Context ctx) {
        if (!state.isHost(ctx.actor())) {
            return notHost("start the encounter");
        }
        if (state.phase() != Phase.SETUP) {
            return state.phase() == Phase.OVER ? gameOver()
                    : Decision.reject(ALREADY_STARTED, "the encounter has already started");
        }
        if (state.standingSides().size() < 2) {
            return Decision.reject(NOT_READY, "an encounter needs units of at least two sides");
        }
        List<InitiativeRoll> rolls = state.units().stream().filter(u -> !u.down())
                .map(u -> rollInitiative(u, ctx)).toList();
        List<InitiativeRoll> sorted = new ArrayList<>(rolls);
        sorted.sort(INITIATIVE); // stable: full ties stay in scenario order
        List<String> order = sorted.stream().map(InitiativeRoll::unit).toList();
        return Decision.accept(new Event.InitiativeRolled(rolls, order, millis(ctx)),
                new Event.TurnStarted(order.getFirst(), 1, millis(ctx)));
    }

    /** Highest total first; then the higher modifier. */
    private static final Comparator<InitiativeRoll> INITIATIVE = Comparator.comparingInt(InitiativeRoll::total)
            .reversed().thenComparing(Comparator.comparingInt(InitiativeRoll::modifier).reversed());

    private static InitiativeRoll rollInitiative(Unit unit, Context ctx) {
        int d20 = ctx.rng().nextInt(1, 21);
        return new InitiativeRoll(unit.id(), d20, unit.init(), d20 + unit.init());
    }

    /** The checks every turn action shares: the encounter runs, the unit exists, is the actor's, stands, acts now. */
    private static Optional<Decision<Event>> actingUnit(State state, String unitId, Context ctx) {
        if (state.phase() == Phase.OVER) {
            return Optional.of(gameOver());
        }
        if (state.phase() == Phase.SETUP) {
            return Optional.of(Decision.reject(NOT_STARTED, "the encounter has not started yet"));
        }
        Optional<Unit> unit = state.unit(unitId);
        if (unit.isEmpty()) {
            return Optional.of(unitNotFound(unitId));
        }
        if (!state.controller(unit.get()).equals(ctx.actor())) {
            return Optional.of(Decision.reject(NOT_YOUR_UNIT, unit.get().name() + " is not yours to command"));
        }
        if (unit.get().down()) {
            return Optional.of(Decision.reject(UNIT_DOWN, unit.get().name() + " is down"));
        }
        if (!unit.get().id().equals(state.current())) {
            return Optional.of(Decision.reject(NOT_YOUR_TURN, "it is not " + unit.get().name() + "'s turn"));
        }
        return Optional.empty();
    }

    private static Decision<Event> move(State state, Command.Move command, Context ctx) {
        String unitId = command.unit() != null ? command.unit() : state.current();
        Optional<Decision<Event>> refused = actingUnit(state, unitId, ctx);
        if (refused.isPresent()) {
            return refused.get();
        }
        Unit unit = state.unit(unitId).orElseThrow();
        if (command.x() == null || command.y() == null) {
            return Decision.reject(INVALID_MOVE, "a move needs the target cell's x and y");
        }
        Pos to = new Pos(command.x(), command.y());
        if (to.equals(unit.pos())) {
            return Decision.reject(INVALID_MOVE, "blocked: " + unit.name() + " is already there");
        }
        Optional<String> blocked = Board.blocked(state, unit, to);
        if (blocked.isPresent()) {
            return Decision.reject(INVALID_MOVE, "blocked: " + blocked.get());
        }
        int left = unit.speed() - state.moved();
        Board.Costs costs = Board.costs(state, unit, left);
        if (costs.at(to) == Integer.MAX_VALUE) {
            int needed = Board.costs(state, unit, Integer.MAX_VALUE / 4).at(to);
            if (needed == Integer.MAX_VALUE) {
                return Decision.reject(INVALID_MOVE, "unreachable: no path to (" + to.x() + "," + to.y()
                        + ") past walls and enemies");
            }
            return Decision.reject(INVALID_MOVE, "too far: (" + to.x() + "," + to.y() + ") needs " + needed
                    + " movement, " + unit.name() + " has " + left + " left");
        }
        return Decision.accept(new Event.Moved(unitId, unit.pos(), to, costs.path(unit.pos(), to), costs.at(to),
                millis(ctx)));
    }

    private Decision<Event> attack(State state, Command.Attack command, Context ctx) {
        String unitId = command.unit() != null ? command.unit() : state.current();
        Optional<Decision<Event>> refused = actingUnit(state, unitId, ctx);
        if (refused.isPresent()) {
            return refused.get();
        }
        Unit attacker = state.unit(unitId).orElseThrow();
        if (state.attacked()) {
            return Decision.reject(ALREADY_ATTACKED, attacker.name() + " has already attacked this turn");
        }
        Optional<Unit> found = state.unit(command.target());
        if (found.isEmpty()) {
            return unitNotFound(command.target());
        }
        Unit target = found.get();
        if (target.down()) {
            return Decision.reject(UNIT_DOWN, target.name() + " is already down");
        }
        if (target.side().equals(attacker.side())) {
            return Decision.reject(INVALID_TARGET, target.name() + " is on your side");
        }
        int distance = attacker.pos().chebyshev(target.pos());
        if (distance > attacker.range()) {
            return Decision.reject(OUT_OF_RANGE, target.name() + " is " + distance + " cells away; "
                    + attacker.name() + "'s range is " + attacker.range());
        }
        int d20 = ctx.rng().nextInt(1, 21);
        int total = d20 + attacker.attack();
        boolean critical = d20 == 20;
        boolean hit = critical || (d20 != 1 && total >= target.ac());
        DiceFormula.Result dice = null;
        DiceFormula.Result extra = null;
        int damage = 0;
        if (hit) {
            DiceFormula formula;
            try {
                formula = DiceFormula.parse(attacker.damage());
            } catch (DiceFormula.InvalidFormula e) {
                throw new IllegalStateException("a unit's damage was validated when it was made", e);
            }
            dice = formula.roll(ctx.rng());
            damage = dice.total();
            if (critical) {
                extra = formula.roll(ctx.rng());
                damage += extra.total() - extra.modifier();
            }
            damage = Math.max(0, damage);
        }
        int hp = Math.max(0, target.hp() - damage);
        Event.Attacked attacked = new Event.Attacked(unitId, target.id(), ctx.actor(), d20, attacker.attack(), total,
                target.ac(), hit, critical, dice, extra, damage, hp, hp == 0, millis(ctx));
        State after = apply(state, attacked);
        if (after.standingSides().size() <= 1) {
            return Decision.accept(attacked, won(after, new Event.Decisive(unitId, target.id(), ctx.actor(), d20,
                    total, damage, critical), ctx));
        }
        return Decision.accept(attacked);
    }

    private static Decision<Event> endTurn(State state, Context ctx, boolean skip) {
        if (skip && !state.isHost(ctx.actor())) {
            return notHost("skip a turn");
        }
        if (state.phase() == Phase.OVER) {
            return gameOver();
        }
        if (state.phase() == Phase.SETUP) {
            return Decision.reject(NOT_STARTED, "the encounter has not started yet");
        }
        Unit unit = state.unit(state.current()).orElseThrow();
        if (!skip && !state.controller(unit).equals(ctx.actor())) {
            return Decision.reject(NOT_YOUR_TURN, "it is " + unit.name() + "'s turn, not one of your units'");
        }
        return Decision.accept(new Event.TurnEnded(unit.id(), skip ? "skipped" : "ended", ctx.actor(), millis(ctx)),
                nextTurn(state, ctx));
    }

    private static Decision<Event> kick(State state, String player, Context ctx) {
        if (!state.isHost(ctx.actor())) {
            return notHost("remove players");
        }
        if (ctx.actor().equals(player)) {
            return Decision.reject(CANNOT_KICK_SELF, "you cannot remove yourself; leave instead");
        }
        if (player == null || !state.has(player)) {
            return Decision.reject(PLAYER_NOT_FOUND, "no such player in this encounter");
        }
        return Decision.accept(new Event.PlayerKicked(player, ctx.actor(), millis(ctx)));
    }

    /** The next standing unit after the current one in initiative order (a new round after the last). */
    private static Event.TurnStarted nextTurn(State state, Context ctx) {
        List<String> order = state.order();
        int from = order.indexOf(state.current());
        for (int k = 1; k <= order.size(); k++) {
            int j = (from + k) % order.size();
            String id = order.get(j);
            if (id.equals(state.current())) {
                continue;
            }
            Optional<Unit> u = state.unit(id);
            if (u.isPresent() && !u.get().down()) {
                return new Event.TurnStarted(id, from + k >= order.size() ? state.round() + 1 : state.round(),
                        millis(ctx));
            }
        }
        throw new IllegalStateException("a battle with a single standing unit is over");
    }

    /**
     * One side stands (after the event that made it so): it wins, with everyone who played its units;
     * {@code decisive} is the attack that decided it, if one did.
     */
    private static Event won(State after, Event.Decisive decisive, Context ctx) {
        List<String> sides = after.standingSides();
        String side = sides.isEmpty() ? null : sides.getFirst();
        List<String> players = after.units().stream()
                .filter(u -> u.side().equals(side))
                .map(after::controller).distinct().toList();
        return new Event.EncounterWon(side, players, decisive, millis(ctx));
    }

    /**
     * Any player may ask for a rematch once the encounter is won: the same session (same code, same players, no one
     * has to join again), every unit back where it started at full hit points with the same owner, new initiative.
     * A new session would make everyone join again by code; the session's replay simply tells both fights.
     */
    private Decision<Event> rematch(State state, Context ctx) {
        if (state.phase() != Phase.OVER) {
            return Decision.reject(NOT_OVER, state.phase() == Phase.SETUP ? "the encounter has not started yet"
                    : "the encounter is still being fought; a rematch comes after it is won");
        }
        if (state.start() == null) {
            return Decision.reject(NOT_READY, "this encounter began before rematches existed; start a new one");
        }
        Event.EncounterReset reset = new Event.EncounterReset(encounter(state) + 1, lineUp(state), ctx.actor(),
                millis(ctx));
        State fresh = apply(state, reset);
        if (fresh.standingSides().size() < 2) {
            return Decision.reject(NOT_READY, "a rematch needs units of at least two sides");
        }
        List<InitiativeRoll> rolls = fresh.units().stream().map(u -> rollInitiative(u, ctx)).toList();
        List<InitiativeRoll> sorted = new ArrayList<>(rolls);
        sorted.sort(INITIATIVE);
        List<String> order = sorted.stream().map(InitiativeRoll::unit).toList();
        return Decision.accept(reset, new Event.InitiativeRolled(rolls, order, millis(ctx)),
                new Event.TurnStarted(order.getFirst(), 1, millis(ctx)));
    }

    /**
     * The units as a rematch starts: each where it started the first encounter (or where the host added it), at full
     * hit points, with its current owner. A unit the host added during a fight may have been put on a cell another
     * unit started on; the later one then goes to the nearest free cell (ring by ring, row by row), so no two
     * standing units ever share a cell.
     */
    private static List<Unit> lineUp(State state) {
        Map<String, String> owners = new HashMap<>();
        state.units().forEach(u -> {
            if (u.owner() != null) {
                owners.put(u.id(), u.owner());
            }
        });
        List<Unit> placed = new ArrayList<>();
        java.util.Set<Pos> taken = new java.util.HashSet<>();
        for (Unit u : state.start()) {
            Pos at = u.pos();
            for (int ring = 1; taken.contains(at) && ring <= Math.max(state.width(), state.height()); ring++) {
                at = freeOnRing(state, u.pos(), ring, taken).orElse(at);
            }
            if (taken.contains(at)) {
                continue; // the board is full: nowhere to stand (a scenario never has more units than cells)
            }
            taken.add(at);
            placed.add(u.at(at).withHp(u.maxHp()).ownedBy(owners.get(u.id())));
        }
        return placed;
    }

    private static Optional<Pos> freeOnRing(State state, Pos centre, int ring, java.util.Set<Pos> taken) {
        for (int y = centre.y() - ring; y <= centre.y() + ring; y++) {
            for (int x = centre.x() - ring; x <= centre.x() + ring; x++) {
                Pos p = new Pos(x, y);
                if (p.chebyshev(centre) == ring && Board.inside(state, x, y) && state.cell(x, y) != Board.WALL
                        && !taken.contains(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static Decision<Event> say(State state, Command.Say command, Context ctx) {
        return Chat.say(command.text(), state.recentChat(), ctx,
                text -> new Event.Chatted(ctx.actionId(), ctx.actor(), ctx.actorName(), text, millis(ctx)));
    }

    private static Decision<Event> unitNotFound(String id) {
        return Decision.reject(UNIT_NOT_FOUND, "no unit '" + id + "' in this encounter");
    }

    private static Decision<Event> notHost(String what) {
        return Decision.reject(NOT_HOST, "only the host can " + what);
    }

    private static Decision<Event> gameOver() {
        return Decision.reject(GAME_OVER, "the encounter is over");
    }

    /** The platform's display-name rule (names come from access tokens, which auth-service made by it). */
    private static Optional<Decision<Event>> checkName(Context ctx) {
        if (!DisplayNames.valid(ctx.actorName())) {
            return Optional.of(Decision.reject(ErrorCodes.INVALID_NAME, "a name is " + DisplayNames.RULE));
        }
        return Optional.empty();
    }

    private static long millis(Context ctx) {
        return ctx.now().toEpochMilli();
    }

    // ---------------------------------------------------------------- the fold

    @Override
    public State apply(State state, Event event) {
        TacticsModel.Builder b = state.to();
        switch (event) {
            case Event.EncounterCreated c -> {
                Scenario s = c.scenario();
                b.created = true;
                b.code = c.code();
                b.host = c.host();
                b.scenario = s.name();
                b.width = s.width();
                b.height = s.height();
                b.rows = s.rows();
                b.players = List.of(c.host());
                b.units = s.units();
                b.start = s.units();
                b.encounter = 1;
                b.phase = Phase.SETUP;
                b.turnSeconds = c.turnSeconds();
                b.idleSeconds = c.idleSeconds();
                return b.active(c.at()).build();
            }
            case Event.PlayerJoined j -> {
                List<Player> players = new ArrayList<>(state.players());
                players.add(j.player());
                b.players = players;
            }
            case Event.PlayerLeft l -> {
                b.players = without(state, l.player());
                b.units = unowned(state, l.player());
            }
            case Event.PlayerKicked k -> {
                b.players = without(state, k.player());
                b.units = unowned(state, k.player());
                b.chat = Chat.without(state.chat(), k.player()); // moderation: what they said goes with them
                List<String> barred = new ArrayList<>(state.barred());
                barred.add(k.player());
                b.barred = barred;
            }
            case Event.UnitAssigned a -> state.unit(a.unit()).ifPresent(u -> b.unit(u.ownedBy(a.player())));
            case Event.UnitAdded a -> {
                List<Unit> units = new ArrayList<>(state.units());
                units.add(a.unit());
                b.units = units;
                if (state.start() != null) {
                    List<Unit> start = new ArrayList<>(state.start());
                    start.add(a.unit());
                    b.start = start;
                }
                b.nextUnit = state.nextUnit() + 1;
                if (a.initiative() != null) {
                    List<InitiativeRoll> rolls = new ArrayList<>(state.initiative());
                    rolls.add(a.initiative());
                    b.initiative = rolls;
                    List<String> order = new ArrayList<>(state.order());
                    int at = order.size();
                    for (int i = 0; i < order.size(); i++) {
                        InitiativeRoll other = roll(state, order.get(i));
                        if (other != null && INITIATIVE.compare(a.initiative(), other) < 0) {
                            at = i;
                            break;
                        }
                    }
                    order.add(at, a.unit().id());
                    b.order = order;
                }
            }
            case Event.UnitRemoved r -> {
                b.units = state.units().stream().filter(u -> !u.id().equals(r.unit())).toList();
                if (state.start() != null) {
                    b.start = state.start().stream().filter(u -> !u.id().equals(r.unit())).toList();
                }
                b.order = state.order().stream().filter(id -> !id.equals(r.unit())).toList();
                b.initiative = state.initiative().stream().filter(i -> !i.unit().equals(r.unit())).toList();
                if (r.unit().equals(state.current())) {
                    b.current = null; // a turn_started follows, unless the encounter is won
                }
            }
            case Event.InitiativeRolled i -> {
                b.initiative = i.rolls();
                b.order = i.order();
                b.phase = Phase.BATTLE;
            }
            case Event.TurnStarted t -> {
                b.current = t.unit();
                b.round = t.round();
                b.moved = 0;
                b.attacked = false;
                b.turnStarted = t.at();
                return b.logged(event).build(); // not activity: turns that time out must not keep a session alive
            }
            case Event.Moved m -> {
                state.unit(m.unit()).ifPresent(u -> b.unit(u.at(m.to())));
                b.moved = state.moved() + m.cost();
            }
            case Event.Attacked a -> {
                state.unit(a.target()).ifPresent(u -> b.unit(u.withHp(a.hp())));
                b.attacked = true;
            }
            case Event.TurnEnded t -> {
                if ("timeout".equals(t.reason())) {
                    return b.logged(event).build();
                }
            }
            case Event.EncounterWon w -> {
                b.phase = Phase.OVER;
                b.winner = w.side();
                b.result = w;
                b.current = null;
            }
            case Event.EncounterReset r -> {
                b.units = r.units();
                b.phase = Phase.SETUP; // initiative_rolled, in the same commit, starts the battle
                b.order = List.of();
                b.initiative = List.of();
                b.current = null;
                b.round = 0;
                b.moved = 0;
                b.attacked = false;
                b.winner = null;
                b.result = null;
                b.encounter = r.encounter();
            }
            case Event.Chatted c -> {
                b.chat = Chat.append(state.chat(), c.line());
                b.recentChat = Chat.recent(state.recentChat(), c.player(), c.at(), Chat.WINDOW);
                return b.active(c.at()).build(); // talk is activity, but no line of the combat log
            }
            case Event.EncounterClosed c -> {
                b.closed = c.reason();
                return b.logged(event).build();
            }
            case Event.RoomLocked l -> {
                b.locked = l.locked() ? Boolean.TRUE : null;
                return b.active(l.at()).build(); // not a line of the combat log
            }
        }
        return b.logged(event).active(event.at()).build();
    }

    private static InitiativeRoll roll(State state, String unit) {
        return state.initiative().stream().filter(i -> i.unit().equals(unit)).findFirst().orElse(null);
    }

    private static List<Player> without(State state, String player) {
        return state.players().stream().filter(p -> !p.id().equals(player)).toList();
    }

    private static List<Unit> unowned(State state, String player) {
        return state.units().stream().map(u -> player.equals(u.owner()) ? u.ownedBy(null) : u).toList();
    }

    // ---------------------------------------------------------------- membership, timers, statistics

    @Override
    public boolean isMember(State state, String player) {
        return state.has(player);
    }

    @Override
    public Collection<String> members(State state) {
        return state.players().stream().map(Player::id).toList();
    }

    @Override
    public Map<String, String> memberNames(State state) {
        Map<String, String> names = new LinkedHashMap<>();
        state.players().forEach(p -> names.put(p.id(), p.name()));
        return names;
    }

    @Override
    public Optional<String> host(State state) {
        return Optional.ofNullable(state.host()).map(Player::id);
    }

    @Override
    public List<String> barred(State state) {
        return state.barred();
    }

    @Override
    public boolean closed(State state) {
        return state.closed() != null;
    }

    @Override
    public Map<String, Map<String, Long>> tally(State state, Event event) {
        return switch (event) {
            case Event.Attacked a -> Map.of(a.player(), a.roll() == 20
                    ? Map.of("rolls", 1L, "natural_20s", 1L) : Map.of("rolls", 1L));
            case Event.EncounterWon w -> {
                Map<String, Map<String, Long>> won = new HashMap<>();
                w.players().forEach(p -> won.put(p, Map.of("encounters_won", 1L)));
                yield won;
            }
            default -> Map.of();
        };
    }

    /** Which encounter of the session this is (the first, for a session from before rematches). */
    private static int encounter(State state) {
        return state.encounter() == null ? 1 : state.encounter();
    }

    private static Long turnEndsAt(State state) {
        return state.phase() == Phase.BATTLE && state.turnSeconds() > 0 && state.current() != null
                ? state.turnStarted() + state.turnSeconds() * 1000L : null;
    }

    @Override
    public Optional<Instant> deadline(State state) {
        if (!state.created() || state.closed() != null) {
            return Optional.empty();
        }
        long next = state.lastActivity() + state.idleSeconds() * 1000L;
        Long turn = turnEndsAt(state);
        if (turn != null) {
            next = Math.min(next, turn);
        }
        return Optional.of(Instant.ofEpochMilli(next));
    }

    @Override
    public Decision<Event> onDeadline(State state, Context ctx) {
        long now = millis(ctx);
        if (now >= state.lastActivity() + state.idleSeconds() * 1000L) {
            return Decision.accept(new Event.EncounterClosed(EXPIRED, now));
        }
        Long turn = turnEndsAt(state);
        if (turn != null && now >= turn) {
            return Decision.accept(new Event.TurnEnded(state.current(), "timeout", null, now), nextTurn(state, ctx));
        }
        return Decision.accept();
    }

    // ---------------------------------------------------------------- what players see (everything)

    @Override
    public Object view(State state, Viewer viewer) {
        return new TacticsModel.View(state.code(), state.host() == null ? null : state.host().id(), state.scenario(),
                state.width(), state.height(), state.rows(),
                state.players().stream().map(p -> new TacticsModel.PlayerView(p.id(), p.name(), state.isHost(p.id())))
                        .toList(),
                state.units(), state.phase(), state.order(), state.initiative(), state.current(), state.round(),
                state.moved(), state.attacked(), state.turnSeconds(), turnEndsAt(state), state.winner(),
                state.closed(), state.log(), state.result(), encounter(state),
                viewer.outsider() ? List.of() : state.chat(), state.isLocked());
    }

    @Override
    public Object project(State state, Event event, Viewer viewer) {
        // What members say among themselves is not for someone outside the session (a public replay).
        if (event instanceof Event.Chatted c && viewer.outsider()) {
            return new Event.Chatted(c.action(), c.player(), c.name(), null, c.at());
        }
        return event;
    }
}
