package dev.runeforge.game.rps;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.player.DisplayNames;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.rps.RpsModel.Builder;
import dev.runeforge.game.rps.RpsModel.Choice;
import dev.runeforge.game.rps.RpsModel.Command;
import dev.runeforge.game.rps.RpsModel.Event;
import dev.runeforge.game.rps.RpsModel.MatchSettings;
import dev.runeforge.game.rps.RpsModel.Phase;
import dev.runeforge.game.rps.RpsModel.Pick;
import dev.runeforge.game.rps.RpsModel.Player;
import dev.runeforge.game.rps.RpsModel.Round;
import dev.runeforge.game.rps.RpsModel.Settings;
import dev.runeforge.game.rps.RpsModel.State;
import dev.runeforge.game.rps.RpsModel.View;

/**
 * Rock-paper-scissors for two: each round both players choose in secret; when both have chosen (or the round's
 * time runs out) the choices are revealed together and the round scored; the first to win a majority of
 * {@code bestOf} rounds wins the match. A choice is hidden from everyone but its chooser until the reveal: in
 * events, views, history and replays alike, because every one of them goes through {@link #project}/{@link #view}.
 * docs/games.md walks through this class step by step.
 */
public final class RpsRules implements GameRules<State, Command, Event, MatchSettings> {
    public static final String ID = "rps";

    // Its refusals (docs/protocol.md); the platform's own codes are in ErrorCodes.
    public static final String ROOM_FULL = "ROOM_FULL";
    public static final String INVALID_SETTINGS = "INVALID_SETTINGS";
    public static final String INVALID_CHOICE = "INVALID_CHOICE";
    public static final String NOT_PLAYING = "NOT_PLAYING";
    public static final String ALREADY_CHOSE = "ALREADY_CHOSE";
    public static final String NOT_OVER = "NOT_OVER";

    /** match_closed reasons. */
    public static final String ENDED = "ended";
    public static final String EXPIRED = "expired";
    public static final String EMPTY = "empty";

    public static final int PLAYERS = 2;
    public static final int MAX_BEST_OF = 9;
    public static final int MIN_CHOICE_SECONDS = 5;
    public static final int MAX_CHOICE_SECONDS = 600;

    /** The statistics counter a won match adds to (the platform's counters are fixed: docs/games.md, Stats). */
    static final String ENCOUNTERS_WON = "encounters_won";

    private final Settings settings;

    public RpsRules() {
        this(Settings.DEFAULT);
    }

    public RpsRules(Settings settings) {
        this.settings = settings;
    }

    static boolean validBestOf(int n) {
        return n >= 1 && n <= MAX_BEST_OF && n % 2 == 1;
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

    /** {@code {"bestOf"?: 1|3|5|7|9, "choiceSeconds"?: 0 | 5..600}}; what is left out is the operator's. */
    @Override
    public MatchSettings settings(JsonNode match) throws InvalidSettings {
        int bestOf = settings.bestOf();
        int choiceSeconds = settings.choiceSeconds();
        if (match != null && match.hasNonNull("bestOf")) {
            JsonNode b = match.get("bestOf");
            if (!b.isIntegralNumber() || !b.canConvertToInt() || !validBestOf(b.intValue())) {
                throw new InvalidSettings(INVALID_SETTINGS, "bestOf is an odd number from 1 to " + MAX_BEST_OF);
            }
            bestOf = b.intValue();
        }
        if (match != null && match.hasNonNull("choiceSeconds")) {
            JsonNode t = match.get("choiceSeconds");
            if (!t.isIntegralNumber() || !t.canConvertToInt() || (t.intValue() != 0
                    && (t.intValue() < MIN_CHOICE_SECONDS || t.intValue() > MAX_CHOICE_SECONDS))) {
                throw new InvalidSettings(INVALID_SETTINGS, "choiceSeconds is 0 (no limit) or " + MIN_CHOICE_SECONDS
                        + " to " + MAX_CHOICE_SECONDS);
            }
            choiceSeconds = t.intValue();
        }
        return new MatchSettings(bestOf, choiceSeconds);
    }

    @Override
    public Decision<Event> create(State state, MatchSettings match, Context ctx) {
        if (!DisplayNames.valid(ctx.actorName())) {
            return Decision.reject(ErrorCodes.INVALID_NAME, "a name is " + DisplayNames.RULE);
        }
        return Decision.accept(new Event.MatchCreated(ctx.code(), new Player(ctx.actor(), ctx.actorName()),
                match.bestOf(), match.choiceSeconds(), settings.idle().toSeconds(), millis(ctx)));
    }

    @Override
    public Decision<Event> join(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this match has closed");
        }
        if (state.has(ctx.actor())) {
            return Decision.accept();
        }
        if (state.players().size() >= PLAYERS) {
            return Decision.reject(ROOM_FULL, "this match already has its two players");
        }
        if (!DisplayNames.valid(ctx.actorName())) {
            return Decision.reject(ErrorCodes.INVALID_NAME, "a name is " + DisplayNames.RULE);
        }
        Event joined = new Event.PlayerJoined(new Player(ctx.actor(), ctx.actorName()), millis(ctx));
        // The second player makes a match: its first round opens at once.
        return state.players().size() + 1 == PLAYERS
                ? Decision.accept(joined, roundStarted(state, 1, ctx))
                : Decision.accept(joined);
    }

    @Override
    public Decision<Event> leave(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this match has closed");
        }
        Event left = new Event.PlayerLeft(ctx.actor(), millis(ctx));
        // Nobody left to play or to come back to: the code is freed at once.
        return state.players().size() == 1
                ? Decision.accept(left, new Event.MatchClosed(EMPTY, millis(ctx)))
                : Decision.accept(left);
    }

    @Override
    public Decision<Event> decide(State state, Command command, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this match has closed");
        }
        return switch (command) {
            case Command.Choose c -> choose(state, c, ctx);
            case Command.Rematch r -> state.phase() != Phase.OVER
                    ? Decision.reject(NOT_OVER, "the match is not over yet")
                    : Decision.accept(roundStarted(state, 1, ctx));
        };
    }

    private Decision<Event> choose(State state, Command.Choose command, Context ctx) {
        if (command.choice() == null) {
            return Decision.reject(INVALID_CHOICE, "a choice is rock, paper or scissors");
        }
        if (state.phase() != Phase.PLAYING) {
            return Decision.reject(NOT_PLAYING, state.phase() == Phase.OVER
                    ? "the match is over: ask for a rematch" : "the match waits for a second player");
        }
        if (state.choices().containsKey(ctx.actor())) {
            return Decision.reject(ALREADY_CHOSE, "you have chosen for round " + state.round() + " already");
        }
        Event chose = new Event.Chose(ctx.actor(), state.round(), command.choice(), millis(ctx));
        Map<String, Choice> all = new LinkedHashMap<>(state.choices());
        all.put(ctx.actor(), command.choice());
        if (all.size() < PLAYERS) {
            return Decision.accept(chose);
        }
        List<Event> events = new ArrayList<>();
        events.add(chose);
        reveal(state, all, false, ctx, events);
        return Decision.accept(events.toArray(Event[]::new));
    }

    /** Reveals the open round with {@code all} its choices, scores it, and ends the match or opens the next round. */
    private static void reveal(State state, Map<String, Choice> all, boolean timedOut, Context ctx, List<Event> out) {
        Map<String, Choice> inOrder = new LinkedHashMap<>();
        for (Player p : state.players()) {
            inOrder.put(p.id(), all.get(p.id())); // null: did not choose in time
        }
        String winner = roundWinner(inOrder);
        Map<String, Integer> score = new LinkedHashMap<>();
        for (Player p : state.players()) {
            score.put(p.id(), state.score().getOrDefault(p.id(), 0) + (p.id().equals(winner) ? 1 : 0));
        }
        out.add(new Event.RoundRevealed(new Round(state.round(), inOrder, winner, timedOut, millis(ctx)), score));
        if (winner != null && score.get(winner) >= state.toWin()) {
            out.add(new Event.MatchWon(winner, score, millis(ctx)));
        } else {
            out.add(roundStarted(state, state.round() + 1, ctx));
        }
    }

    /** Two choices: the one that beats the other; a missing choice loses to any; same choices (or none): a draw. */
    private static String roundWinner(Map<String, Choice> choices) {
        List<Map.Entry<String, Choice>> two = List.copyOf(choices.entrySet());
        Choice a = two.get(0).getValue();
        Choice b = two.get(1).getValue();
        if (a == b) {
            return null;
        }
        if (b == null || (a != null && a.beats(b))) {
            return two.get(0).getKey();
        }
        return two.get(1).getKey();
    }

    private static Event roundStarted(State state, int round, Context ctx) {
        long now = millis(ctx);
        return new Event.RoundStarted(round, now,
                state.choiceSeconds() > 0 ? now + state.choiceSeconds() * 1000L : null);
    }

    private static long millis(Context ctx) {
        return ctx.now().toEpochMilli();
    }

    @Override
    public State apply(State state, Event event) {
        Builder b = state.to();
        switch (event) {
            case Event.MatchCreated c -> {
                b.created = true;
                b.code = c.code();
                b.host = c.host().id();
                b.players = new ArrayList<>(List.of(c.host()));
                b.bestOf = c.bestOf();
                b.choiceSeconds = c.choiceSeconds();
                b.idleSeconds = c.idleSeconds();
                b.lastActivity = c.at();
            }
            case Event.PlayerJoined j -> {
                b.players.add(j.player());
                b.lastActivity = j.at();
            }
            case Event.PlayerLeft l -> {
                b.players.removeIf(p -> p.id().equals(l.player()));
                // A match needs two: the one who stays waits for a new opponent, and the next match starts afresh.
                b.phase = Phase.WAITING;
                b.round = 0;
                b.choices = new LinkedHashMap<>();
                b.rounds = new ArrayList<>();
                b.score = new LinkedHashMap<>();
                b.winner = null;
                b.lastActivity = l.at();
            }
            case Event.RoundStarted r -> {
                if (r.round() == 1) { // a new match: the first, or a rematch
                    b.rounds = new ArrayList<>();
                    b.score = new LinkedHashMap<>();
                    b.winner = null;
                    b.matches = state.matches() + 1;
                }
                b.phase = Phase.PLAYING;
                b.round = r.round();
                b.roundStartedAt = r.at();
                b.choices = new LinkedHashMap<>();
                b.lastActivity = r.at();
            }
            case Event.Chose c -> {
                b.choices.put(c.player(), c.choice());
                b.lastActivity = c.at();
            }
            case Event.RoundRevealed r -> {
                b.rounds.add(r.round());
                b.score = new LinkedHashMap<>(r.score());
                b.choices = new LinkedHashMap<>();
            }
            case Event.MatchWon w -> {
                b.phase = Phase.OVER;
                b.winner = w.winner();
                b.score = new LinkedHashMap<>(w.score());
            }
            case Event.MatchClosed c -> b.closed = c.reason();
        }
        return b.build();
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
    public Map<String, String> memberNames(State state) {
        Map<String, String> names = new LinkedHashMap<>();
        state.players().forEach(p -> names.put(p.id(), p.name()));
        return names;
    }

    @Override
    public Optional<String> host(State state) {
        return state.has(state.host()) ? Optional.of(state.host()) : Optional.empty();
    }

    @Override
    public Decision<Event> end(State state, Context ctx) {
        if (state.closed() != null) {
            return Decision.reject(ErrorCodes.ROOM_NOT_FOUND, "this match has closed");
        }
        if (!host(state).map(ctx.actor()::equals).orElse(false)) {
            return Decision.reject(ErrorCodes.FORBIDDEN, "only the match's host (its creator) can end it");
        }
        return Decision.accept(new Event.MatchClosed(ENDED, millis(ctx)));
    }

    @Override
    public boolean closed(State state) {
        return state.closed() != null;
    }

    /** A won match counts as an encounter won for its winner; rounds count nothing. */
    @Override
    public Map<String, Map<String, Long>> tally(State state, Event event) {
        return event instanceof Event.MatchWon w ? Map.of(w.winner(), Map.of(ENCOUNTERS_WON, 1L)) : Map.of();
    }

    // --- timers: the open round's limit and the idle close, both from state ---

    private static Optional<Long> roundDeadline(State state) {
        return state.phase() == Phase.PLAYING && state.choiceSeconds() > 0
                ? Optional.of(state.roundStartedAt() + state.choiceSeconds() * 1000L) : Optional.empty();
    }

    private static long idleDeadline(State state) {
        return state.lastActivity() + state.idleSeconds() * 1000L;
    }

    @Override
    public Optional<Instant> deadline(State state) {
        if (!state.created() || state.closed() != null) {
            return Optional.empty();
        }
        long next = roundDeadline(state).map(r -> Math.min(r, idleDeadline(state))).orElse(idleDeadline(state));
        return Optional.of(Instant.ofEpochMilli(next));
    }

    @Override
    public Decision<Event> onDeadline(State state, Context ctx) {
        long now = millis(ctx);
        if (now >= idleDeadline(state)) {
            return Decision.accept(new Event.MatchClosed(EXPIRED, now));
        }
        Optional<Long> round = roundDeadline(state);
        if (round.isPresent() && now >= round.get()) {
            List<Event> events = new ArrayList<>();
            reveal(state, state.choices(), true, ctx, events);
            return Decision.accept(events.toArray(Event[]::new));
        }
        return Decision.accept();
    }

    // --- what each viewer sees: the open round's choices are the chooser's alone ---

    @Override
    public Object view(State state, Viewer viewer) {
        List<Pick> chosen = state.players().stream().map(Player::id).filter(state.choices()::containsKey)
                .map(p -> new Pick(p, viewer.is(p) ? state.choices().get(p) : null)).toList();
        return new View(state.code(), state.host(), state.players(), state.bestOf(), state.choiceSeconds(),
                state.phase(), state.round(), roundDeadline(state).orElse(null), chosen, state.rounds(),
                state.score(), state.winner(), state.matches(), state.closed());
    }

    @Override
    public Object project(State state, Event event, Viewer viewer) {
        return switch (event) {
            // Everyone learns that a player chose, not what: the choice is the chooser's until the reveal.
            case Event.Chose c when !viewer.is(c.player()) -> new Event.Chose(c.player(), c.round(), null, c.at());
            default -> event;
        };
    }
}
