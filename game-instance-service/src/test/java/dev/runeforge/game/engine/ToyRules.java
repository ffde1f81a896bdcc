package dev.runeforge.game.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.protocol.ErrorCodes;

/**
 * A small game for the engine's tests, with a move for each path of {@link SessionStep}: a counter that members
 * add to (tallied), a secret only its author sees, a value every viewer sees alike but as distinct objects, a kick,
 * a close, a reply, a no-op, a deadline that closes the room and presence events. It keeps {@link GameRules}'
 * defaults for the host, names, barring and ending.
 */
final class ToyRules implements GameRules<ToyRules.State, ToyRules.Command, ToyRules.Event, ToyRules.Settings>,
        RollFacts<ToyRules.State, ToyRules.Event> {
    record State(List<String> members, int count, boolean over, Long dueMs, int online) {
        State {
            members = List.copyOf(members);
        }
    }

    /** {@code type}: add, secret, alike, kick (removes {@code who}), close, ask, none; anything else is refused. */
    record Command(String type, int by, String who) {
    }

    record Event(String type, String player, int by) {
    }

    /** {@code due}: the deadline in epoch ms, if any (0: none). */
    record Settings(int due) {
    }

    @Override
    public String id() {
        return "toy";
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
        return new State(List.of(), 0, false, null, 0);
    }

    @Override
    public Settings settings(JsonNode json) {
        return new Settings(json.path("due").asInt(0));
    }

    @Override
    public Decision<Event> create(State state, Settings settings, Context ctx) {
        return Decision.accept(new Event("created", ctx.actor(), settings.due()));
    }

    @Override
    public Decision<Event> join(State state, Context ctx) {
        return isMember(state, ctx.actor()) ? Decision.accept() : Decision.accept(new Event("joined", ctx.actor(), 0));
    }

    @Override
    public Decision<Event> leave(State state, Context ctx) {
        return Decision.accept(new Event("left", ctx.actor(), 0));
    }

    @Override
    public Decision<Event> decide(State state, Command command, Context ctx) {
        return switch (command.type()) {
            case "add", "secret", "alike", "close" -> Decision.accept(new Event(command.type(), ctx.actor(), command.by()));
            case "kick" -> Decision.accept(new Event("left", command.who(), 0));
            case "ask" -> Decision.reply(Map.of("count", state.count()));
            case "none" -> Decision.accept();
            default -> Decision.reject(ErrorCodes.INVALID_ACTION, "no such move: " + command.type());
        };
    }

    @Override
    public State apply(State s, Event e) {
        List<String> members = new ArrayList<>(s.members());
        return switch (e.type()) {
            case "created" -> new State(List.of(e.player()), 0, false, e.by() == 0 ? null : (long) e.by(), 0);
            case "joined" -> {
                members.add(e.player());
                yield new State(members, s.count(), s.over(), s.dueMs(), s.online());
            }
            case "left" -> {
                members.remove(e.player());
                yield new State(members, s.count(), s.over(), s.dueMs(), s.online());
            }
            case "add" -> new State(members, s.count() + e.by(), s.over(), s.dueMs(), s.online());
            case "close" -> new State(members, s.count(), true, null, s.online());
            case "online" -> new State(members, s.count(), s.over(), s.dueMs(), s.online() + 1);
            default -> s;
        };
    }

    @Override
    public boolean isMember(State state, String player) {
        return state.members().contains(player);
    }

    @Override
    public Collection<String> members(State state) {
        return state.members();
    }

    @Override
    public Map<String, Map<String, Long>> tally(State state, Event event) {
        return event.type().equals("add") ? Map.of(event.player(), Map.of("adds", (long) event.by())) : Map.of();
    }

    /** A "secret" event declares a reveal of roll {@code toyroll<by, 9 digits>}, at {@code by}: two in a commit, two facts. */
    @Override
    public java.util.Optional<dev.runeforge.common.permalink.RollFact> rollFact(State state, Event event) {
        return event.type().equals("secret")
                ? java.util.Optional.of(new dev.runeforge.common.permalink.RollFact.Revealed(
                        String.format("toyroll%09d", event.by()), event.by()))
                : java.util.Optional.empty();
    }

    @Override
    public Object view(State state, Viewer viewer) {
        return Map.of("count", state.count(), "members", state.members(), "you", String.valueOf(viewer.player()));
    }

    @Override
    public Object project(State state, Event event, Viewer viewer) {
        return switch (event.type()) {
            case "secret" -> viewer.is(event.player()) ? Map.of("type", "secret", "by", event.by())
                    : Map.of("type", "secret");
            // Alike as JSON, but never equal as objects (AtomicInteger has no value equality).
            case "alike" -> new AtomicInteger(event.by());
            default -> Map.of("type", event.type(), "count", state.count());
        };
    }

    @Override
    public Optional<Instant> deadline(State state) {
        return Optional.ofNullable(state.dueMs()).map(Instant::ofEpochMilli);
    }

    @Override
    public boolean closed(State state) {
        return state.over();
    }

    @Override
    public Decision<Event> presence(State state, String connection, boolean connected, Context ctx) {
        return connected ? Decision.accept(new Event("online", ctx.actor(), 0)) : Decision.accept();
    }

    @Override
    public Decision<Event> onDeadline(State state, Context ctx) {
        return Decision.accept(new Event("close", ctx.actor(), 0));
    }
}
