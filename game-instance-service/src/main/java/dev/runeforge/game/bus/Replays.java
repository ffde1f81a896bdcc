package dev.runeforge.game.bus;

import dev.runeforge.game.engine.Viewer;
import dev.runeforge.game.engine.GameRegistry;
import dev.runeforge.game.engine.GameRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.session.SessionHistory.Events;
import dev.runeforge.common.session.SessionHistory.EventsQuery;
import dev.runeforge.common.session.SessionHistory.Replay;
import dev.runeforge.common.session.SessionHistory.ReplayQuery;
import dev.runeforge.common.session.SessionHistory.Step;
import io.nats.client.Connection;

/**
 * {@code <ns>.game.replay}: a session told again from persistence-service's event archive, step by step, as one
 * viewer may see it. The archive holds events as stored (hidden rolls whole); this is where they are redacted,
 * with the game's own {@code project}/{@code view}, exactly as they were live.
 *
 * <p>Who sees what: a member of an open session replays it as themselves; nobody else may replay an open
 * session ({@code FORBIDDEN}). A closed session is replayed as the caller when they were ever a member of it
 * (at any point of its log), else as {@link Viewer#OUTSIDER} (what every member saw, but not their chat).
 */
public final class Replays {
    /** Events the archive is read in at a time. */
    private static final int PAGE = SessionHistory.EVENTS_LIMIT;
    /** A session longer than this is not replayed (far beyond any session the games produce). */
    static final int MAX_EVENTS = 100_000;
    /** Room left in a NATS message for the reply's envelope. */
    private static final int ENVELOPE = 4096;

    private final Connection nc;
    private final Subjects subjects;
    private final GameRegistry games;
    private final Duration timeout;
    private final int maxSteps;
    private final java.util.function.LongSupplier maxBytes;

    /** @param maxBytes the largest reply (a NATS message must fit the server's max payload), asked per request */
    public Replays(Connection nc, Subjects subjects, GameRegistry games, Duration timeout, int maxSteps,
                   java.util.function.LongSupplier maxBytes) {
        this.nc = Objects.requireNonNull(nc);
        this.subjects = Objects.requireNonNull(subjects);
        this.games = Objects.requireNonNull(games);
        this.timeout = Objects.requireNonNull(timeout);
        this.maxSteps = maxSteps;
        this.maxBytes = maxBytes;
    }

    /** Answers one request (JSON {@link ReplayQuery}); failures are {@link RpcException}s. */
    public Replay handle(byte[] request) {
        return replay(Json.read(request, ReplayQuery.class));
    }

    public Replay replay(ReplayQuery query) {
        List<SessionHistory.Event> events = new ArrayList<>();
        String game = null;
        long after = 0;
        while (true) {
            Events page = Rpc.request(nc, subjects.dbEventsList(), new EventsQuery(query.session(), after, PAGE),
                    Events.class, timeout);
            game = page.game() == null ? game : page.game();
            events.addAll(page.events());
            if (!page.events().isEmpty()) {
                after = page.events().getLast().seq();
            }
            if (!page.more() || page.events().isEmpty()) {
                break;
            }
            if (events.size() > MAX_EVENTS) {
                throw new RpcException(ErrorCodes.UNAVAILABLE, "session " + query.session() + " has more than "
                        + MAX_EVENTS + " events; it cannot be replayed");
            }
        }
        if (events.isEmpty() || game == null) {
            throw new RpcException(ErrorCodes.NOT_FOUND, "no session " + query.session());
        }
        String id = game;
        GameRules<?, ?, ?, ?> rules = games.find(id).orElseThrow(() ->
                new RpcException(ErrorCodes.UNKNOWN_GAME, "session " + query.session() + " is of game '" + id
                        + "', which this instance does not host"));
        return replay(rules, query, events, maxSteps, maxBytes.getAsLong());
    }

    private static <S, C, E> E read(GameRules<S, C, E, ?> rules, ReplayQuery query, SessionHistory.Event stored) {
        try {
            return Json.convert(stored.body(), rules.eventType());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCodes.INTERNAL, "event " + stored.seq() + " of session " + query.session()
                    + " cannot be read as a " + rules.id() + " event: " + e.getMessage());
        }
    }

    private static <S, C, E> S apply(GameRules<S, C, E, ?> rules, ReplayQuery query, S state, E event, long seq) {
        try {
            return rules.apply(state, event);
        } catch (RuntimeException e) {
            throw new RpcException(ErrorCodes.INTERNAL, "event " + seq + " of session " + query.session()
                    + " cannot be applied: " + e);
        }
    }

    /**
     * Folds {@code events} (the whole log, oldest first) and tells the steps after {@code query.after()}: at most
     * {@code maxSteps}, and no more than fit in {@code maxBytes} of JSON. Pure.
     */
    static <S, C, E> Replay replay(GameRules<S, C, E, ?> rules, ReplayQuery query, List<SessionHistory.Event> events,
                                   int maxSteps, long maxBytes) {
        // First the whole log, to know whether the session closed and who was ever in it. States are not kept
        // (a long session would hold thousands of them): the steps fold the log a second time.
        List<E> parsed = new ArrayList<>(events.size());
        S state = rules.initial();
        boolean everMember = false;
        for (SessionHistory.Event stored : events) {
            E event = read(rules, query, stored);
            state = apply(rules, query, state, event, stored.seq());
            parsed.add(event);
            everMember |= query.viewer() != null && rules.isMember(state, query.viewer());
        }
        boolean closed = rules.closed(state);
        boolean member = query.viewer() != null && rules.isMember(state, query.viewer());
        if (!closed && !member) {
            throw new RpcException(ErrorCodes.FORBIDDEN, "only its members may replay a session that is still open");
        }
        Viewer viewer = (closed ? everMember : member) ? Viewer.of(query.viewer()) : Viewer.OUTSIDER;

        List<Step> steps = new ArrayList<>();
        long bytes = ENVELOPE + Json.bytes(new Replay(query.session(), rules.id(), List.of(), true)).length;
        state = rules.initial();
        int i = 0;
        for (; i < events.size(); i++) {
            state = rules.apply(state, parsed.get(i));
            if (events.get(i).seq() <= query.afterOrZero()) {
                continue;
            }
            if (steps.size() >= maxSteps) {
                break;
            }
            Step step = new Step(events.get(i).seq(), Json.tree(rules.project(state, parsed.get(i), viewer)),
                    Json.tree(rules.view(state, viewer)));
            long size = Json.bytes(step).length + 1;
            if (bytes + size > maxBytes) {
                if (steps.isEmpty()) {
                    throw new RpcException(ErrorCodes.INTERNAL, "step " + step.seq() + " alone is larger than a reply may be");
                }
                break;
            }
            bytes += size;
            steps.add(step);
        }
        return new Replay(query.session(), rules.id(), steps, i < events.size());
    }
}
