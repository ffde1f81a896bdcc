package dev.runeforge.game.engine;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.protocol.ErrorCodes;

/**
 * A game, as pure functions. No I/O, no clock, no global randomness: time, randomness, the actor and the
 * action id come in through {@link Context}; state is immutable. The engine stores what {@code decide}
 * returns, folds it with {@code apply}, and sends each viewer what {@code project}/{@code view} allow.
 *
 * @param <S> state (an immutable record)
 * @param <C> game commands (a sealed interface of records, parsed from the client's action body)
 * @param <E> events (a sealed interface of records; what is stored and replayed)
 * @param <T> room settings (a record: what the creator chose in {@code create {settings}}, read once by
 *            {@link #settings})
 */
public interface GameRules<S, C, E, T> {
    /** The game id clients name in {@code create {game}}. */
    String id();

    Class<C> commandType();

    /** State is stored in snapshots as JSON: an immutable record that Jackson can read back. */
    Class<S> stateType();

    Class<E> eventType();

    /** The state before the session's first event. */
    S initial();

    /**
     * Reads the creator's {@code create {settings}} into the game's settings record, once, before {@link #create}:
     * {@code json} is null when none came, and may be any JSON shape. What is left out is the game's default (or
     * the operator's, from the constructor).
     *
     * @throws InvalidSettings when a value is not allowed: the create is refused with its code and message
     */
    T settings(JsonNode json) throws InvalidSettings;

    /** The creator opens the session with the {@code settings} it chose; ctx.code() is its room code. */
    Decision<E> create(S state, T settings, Context ctx);

    /** What the engine does with a create: the settings read once ({@link #settings}), then {@link #create}. */
    default Decision<E> open(S state, JsonNode settings, Context ctx) {
        T chosen;
        try {
            chosen = settings(settings);
        } catch (InvalidSettings e) {
            return Decision.reject(e.code(), e.getMessage());
        }
        return create(state, chosen, ctx);
    }

    /** Room settings a game does not allow: a typed refusal of the create ({@code code}, {@code message}). */
    final class InvalidSettings extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        public InvalidSettings(String code, String message) {
            super(Objects.requireNonNull(message), null, false, false); // a refusal: no stack trace
            this.code = Objects.requireNonNull(code);
        }

        public String code() {
            return code;
        }
    }

    /** ctx.actor() asks to join. Joining again while a member is accepted with no events. */
    Decision<E> join(S state, Context ctx);

    Decision<E> leave(S state, Context ctx);

    Decision<E> decide(S state, C command, Context ctx);

    S apply(S state, E event);

    boolean isMember(S state, String player);

    /** Who receives this session's views. */
    Collection<String> members(S state);

    /**
     * The members with their display names, in joining order, for the session directory ({@code SessionSummary}).
     * The default names each member by id; games that know names say so.
     */
    default Map<String, String> memberNames(S state) {
        Map<String, String> names = new LinkedHashMap<>();
        members(state).forEach(m -> names.put(m, m));
        return names;
    }

    /** The player who may end the session ({@link #end}), if the game has one. */
    default Optional<String> host(S state) {
        return Optional.empty();
    }

    /** Players the host removed who may not come back while the session lives (they get no media token either). */
    default List<String> barred(S state) {
        return List.of();
    }

    /**
     * ctx.actor() ends the session (REST {@code DELETE /api/sessions/{id}}). Only the host may; afterwards
     * {@link #closed} is true. Games without a host refuse.
     */
    default Decision<E> end(S state, Context ctx) {
        return Decision.reject(ErrorCodes.FORBIDDEN, "this session has no host who could end it");
    }

    /**
     * What one stored event adds to players' statistics: player id -> counter -> increment. Counters are
     * {@code rolls}, {@code natural_20s}, {@code encounters_won}; a game adds only what it knows. Pure: computed
     * from the event and the state after it, so replaying the log gives the same tallies.
     */
    default Map<String, Map<String, Long>> tally(S state, E event) {
        return Map.of();
    }

    /** The whole state as {@code viewer} may see it (sent in {@code joined}). */
    Object view(S state, Viewer viewer);

    /** One event as {@code viewer} may see it, given the state after it. Never null: redact instead. */
    Object project(S state, E event, Viewer viewer);

    /**
     * The next moment this session wants to act on its own (room expiry, a turn limit), if any. A deadline is
     * state: the engine arms a timer for it, and a new owner re-arms it after a takeover.
     */
    default Optional<Instant> deadline(S state) {
        return Optional.empty();
    }

    /**
     * The session is over (expired, ended): the engine frees its room code and tells its members they left.
     * A closed session refuses every further action through its rules.
     */
    default boolean closed(S state) {
        return false;
    }

    /**
     * One of ctx.actor()'s connections ({@code connection}, a gateway socket id) now shows this session
     * ({@code connected}) or has gone. A game that shows who is online, or waits for an absent player, tracks
     * them here; connections of the same player come and go independently (two tabs, a reconnect).
     */
    default Decision<E> presence(S state, String connection, boolean connected, Context ctx) {
        return Decision.accept();
    }

    /** The deadline passed: called through the action path, with ctx.now() at or after {@link #deadline}. */
    default Decision<E> onDeadline(S state, Context ctx) {
        return Decision.accept();
    }
}
