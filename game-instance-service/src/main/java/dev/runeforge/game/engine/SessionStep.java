package dev.runeforge.game.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.bus.Commit;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.permalink.RollFact;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.protocol.ServerMessage;

/**
 * The engine's pure core: what one action does to one session ({@link #decide}) and what every viewer is sent
 * when a commit is applied ({@link #apply}). No I/O: the handler around it loads, appends, publishes and acks.
 */
public final class SessionStep {
    private SessionStep() {
    }

    public sealed interface Outcome {
        /** The action was applied before (a redelivery): change nothing, re-send its result. */
        record Duplicate() implements Outcome {
        }

        record Rejected(String code, String message) implements Outcome {
        }

        /** Accepted without events (e.g. a member joining again). */
        record Unchanged() implements Outcome {
        }

        record Committed(Commit commit) implements Outcome {
        }

        /** Nothing changes; the actor alone gets {@code body}. */
        record Replied(JsonNode body) implements Outcome {
        }
    }

    /** A message for one player, or for everyone in the session when {@code player} is null. */
    public record Outbound(String player, ServerMessage message) {
    }

    /**
     * @param closed  the commit closed the session (its room code is free again)
     * @param tallies what each event adds to players' statistics ({@link GameRules#tally}), by the event's seq;
     *                events that add nothing are left out
     * @param rolls   the roll fact each event declared ({@link RollFacts}), by the event's seq; events that declare
     *                none are left out
     */
    public record Applied<S, C, E>(LiveSession<S, C, E> after, List<Outbound> outbound, boolean closed,
                                   Map<Long, Map<String, Map<String, Long>>> tallies, Map<Long, RollFact> rolls) {
        /** The same, once the commit is stored at JetStream sequence {@code streamSeq}. */
        public Applied<S, C, E> storedAt(long streamSeq) {
            return new Applied<>(after.storedAt(streamSeq), outbound, closed, tallies, rolls);
        }
    }

    public static <S, C, E> Outcome decide(LiveSession<S, C, E> session, BusAction action, Instant now,
                                           RandomGenerator rng) {
        String key = action.key(); // one string for the context, the commit and the ids it joins
        if (session.applied().contains(key)) {
            return new Outcome.Duplicate();
        }
        GameRules<S, C, E, ?> rules = session.rules();
        S state = session.state();
        Context ctx = new Context(session.id(), session.code(), key, action.player(), action.name(), now, rng,
                action.device());
        Decision<E> decision;
        switch (action.kind()) {
            case CREATE -> {
                if (session.created()) {
                    return new Outcome.Rejected(ErrorCodes.INVALID_ACTION, "this session already exists");
                }
                decision = rules.open(state, action.body(), ctx);
            }
            case JOIN -> {
                if (!session.created()) {
                    return new Outcome.Rejected(ErrorCodes.ROOM_NOT_FOUND, "this room does not exist (it may have closed)");
                }
                decision = rules.join(state, ctx);
            }
            case TIMER -> {
                var due = rules.deadline(state);
                if (!session.created() || due.isEmpty() || now.isBefore(due.get())) {
                    return new Outcome.Unchanged(); // an early or stale timer: the live deadline re-arms itself
                }
                decision = rules.onDeadline(state, ctx);
            }
            case RESUME -> {
                if (!session.created() || !rules.isMember(state, action.player())) {
                    return new Outcome.Rejected(ErrorCodes.NOT_IN_ROOM, "you are not in this room (any more): join it again with its code");
                }
                return new Outcome.Unchanged();
            }
            case PRESENCE -> {
                if (!session.created() || !rules.isMember(state, action.player()) || action.origin() == null) {
                    return new Outcome.Unchanged(); // a socket closing after its player left: nothing to track
                }
                decision = rules.presence(state, action.origin(), action.body().path("connected").asBoolean(false), ctx);
            }
            case LEAVE -> {
                if (!session.created() || !rules.isMember(state, action.player())) {
                    return new Outcome.Rejected(ErrorCodes.NOT_IN_ROOM, "you are not in this room (any more): join it again with its code");
                }
                decision = rules.leave(state, ctx);
            }
            case END -> {
                if (!session.created()) {
                    return new Outcome.Rejected(ErrorCodes.ROOM_NOT_FOUND, "this room does not exist (it may have closed)");
                }
                decision = rules.end(state, ctx); // the rules know who hosts; everyone else is FORBIDDEN
            }
            case GAME -> {
                if (!session.created() || !rules.isMember(state, action.player())) {
                    return new Outcome.Rejected(ErrorCodes.NOT_IN_ROOM, "you are not in this room (any more): join it again with its code");
                }
                C command;
                try {
                    command = Json.convert(action.body(), rules.commandType());
                } catch (IllegalArgumentException e) {
                    return new Outcome.Rejected(ErrorCodes.INVALID_ACTION, "invalid action: " + e.getMessage());
                }
                decision = rules.decide(state, command, ctx);
            }
            default -> throw new IllegalStateException("unknown kind " + action.kind());
        }
        return switch (decision) {
            case Decision.Reject<E> r -> new Outcome.Rejected(r.code(), r.message());
            case Decision.Reply<E> r -> new Outcome.Replied(Json.tree(r.body()));
            case Decision.Accept<E> a when a.events().isEmpty() -> new Outcome.Unchanged();
            case Decision.Accept<E> a -> new Outcome.Committed(new Commit(session.id(), rules.id(), session.code(),
                    key, action.player(), now.toEpochMilli(), session.seq() + 1,
                    a.events().stream().map(e -> (JsonNode) Json.tree(e)).toList()));
        };
    }

    /**
     * Folds {@code commit} into {@code before} and projects each event for every member: one message on the
     * session's shared subject when all members may see the same thing, else one message per member.
     */
    public static <S, C, E> Applied<S, C, E> apply(LiveSession<S, C, E> before, Commit commit, long streamSeq) {
        GameRules<S, C, E, ?> rules = before.rules();
        List<Outbound> out = new ArrayList<>();
        Map<Long, Map<String, Map<String, Long>>> tallies = Map.of();
        Map<Long, RollFact> rolls = Map.of();
        @SuppressWarnings("unchecked") // a game implements RollFacts for its own state and events (RollFacts' contract)
        RollFacts<S, E> declares = rules instanceof RollFacts<?, ?> r ? (RollFacts<S, E>) r : (s, e) -> Optional.empty();
        S state = before.state();
        long seq = commit.firstSeq();
        for (JsonNode stored : commit.events()) {
            // Folded from the event as stored (its JSON), never from the object decide() made: the live state is
            // exactly what a rebuild from the log gives.
            E event = Json.convert(stored, rules.eventType());
            state = rules.apply(state, event);
            Map<String, Map<String, Long>> tally = rules.tally(state, event);
            if (!tally.isEmpty()) {
                if (tallies.isEmpty()) {
                    tallies = new LinkedHashMap<>();
                }
                tallies.put(seq, tally);
            }
            Optional<RollFact> roll = declares.rollFact(state, event);
            if (roll.isPresent()) {
                if (rolls.isEmpty()) {
                    rolls = new LinkedHashMap<>();
                }
                rolls.put(seq, roll.get());
            }
            project(before.id(), rules, state, event, seq, out);
            seq++;
        }
        // Whoever the commit removed (a kick), or everyone when it closed the session, is told they are out, so
        // their gateway stops sending them the session's messages.
        boolean closed = rules.closed(state) && !rules.closed(before.state());
        Set<String> remaining = new HashSet<>(rules.members(state));
        for (String member : rules.members(before.state())) {
            if (!remaining.contains(member)) {
                out.add(new Outbound(member, new ServerMessage.Left(before.id(), "removed")));
            }
        }
        if (closed) {
            for (String member : remaining) {
                out.add(new Outbound(member, new ServerMessage.Left(before.id(), "closed")));
            }
        }
        return new Applied<>(before.after(commit, state, streamSeq), out, closed, tallies, rolls);
    }

    /**
     * One event for every member: one message on the session's shared subject when all may see the same thing,
     * else one per member. The projections are compared as objects first (records compare by value), and turned
     * into JSON only when they differ or once for the shared message: a roll seen alike by eight players costs one
     * conversion, not nine.
     */
    private static <S, C, E> void project(String session, GameRules<S, C, E, ?> rules, S state, E event, long seq,
                                          List<Outbound> out) {
        Object shared = rules.project(state, event, Viewer.PUBLIC);
        Collection<String> members = rules.members(state);
        List<Object> mine = new ArrayList<>(members.size());
        boolean allSame = true;
        for (String member : members) {
            Object own = rules.project(state, event, Viewer.of(member));
            mine.add(own);
            allSame &= own.equals(shared);
        }
        JsonNode sharedJson = Json.tree(shared);
        if (!allSame) {
            // Objects that differ may still read the same as JSON (a type without value equality): decide as before.
            List<JsonNode> trees = new ArrayList<>(mine.size());
            allSame = true;
            for (Object own : mine) {
                JsonNode tree = own.equals(shared) ? sharedJson : Json.tree(own);
                trees.add(tree);
                allSame &= tree.equals(sharedJson);
            }
            if (!allSame) {
                int i = 0;
                for (String member : members) {
                    out.add(new Outbound(member, new ServerMessage.Event(session, seq, trees.get(i++))));
                }
                return;
            }
        }
        out.add(new Outbound(null, new ServerMessage.Event(session, seq, sharedJson)));
    }

    /** The full view {@code player} gets on joining (or on asking again), made at {@code now}. */
    public static ServerMessage.Joined joined(LiveSession<?, ?, ?> session, String player, Instant now) {
        return joinedView(session, player, now);
    }

    private static <S, C, E> ServerMessage.Joined joinedView(LiveSession<S, C, E> s, String player, Instant now) {
        return new ServerMessage.Joined(s.id(), s.code(), s.rules().id(), s.seq(),
                Json.tree(s.rules().view(s.state(), Viewer.of(player))), now.toEpochMilli());
    }
}
