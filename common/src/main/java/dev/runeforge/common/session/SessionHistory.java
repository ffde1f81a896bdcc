package dev.runeforge.common.session;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bus contracts of session history (docs/protocol.md, "Sessions on the bus"): persistence-service's
 * {@code <ns>.db.sessions.mine}, {@code <ns>.db.stats.get}, {@code <ns>.db.events.list} and the game instances'
 * {@code <ns>.game.replay}. Values only.
 */
public final class SessionHistory {
    /** Sessions answered by {@code sessions.mine} at most. */
    public static final int MINE_LIMIT = 50;
    /** Events answered by one {@code events.list} at most (and its default). */
    public static final int EVENTS_LIMIT = 500;
    /** Steps answered by one {@code replay} at most (fewer when the reply would outgrow a NATS message). */
    public static final int REPLAY_STEPS = 5000;

    private SessionHistory() {
    }

    /** Request of {@code sessions.mine} and {@code stats.get}. */
    public record PlayerQuery(String player) {
        public PlayerQuery {
            if (player == null || player.isBlank()) {
                throw new IllegalArgumentException("player is required");
            }
        }
    }

    /** Reply of {@code sessions.mine}: newest first (by last activity). */
    public record Sessions(List<SessionSummary> sessions) {
        public Sessions {
            sessions = sessions == null ? List.of() : List.copyOf(sessions);
        }
    }

    /** Reply of {@code stats.get}; zeros for a player never seen. */
    public record Stats(long rolls, @JsonProperty("natural_20s") long natural20s,
                        @JsonProperty("encounters_won") long encountersWon) {
        public static final Stats NONE = new Stats(0, 0, 0);
    }

    /** Request of {@code events.list}: events with seq greater than {@code after} (default 0), at most {@code limit}. */
    public record EventsQuery(String session, Long after, Integer limit) {
        public EventsQuery {
            if (session == null || session.isBlank()) {
                throw new IllegalArgumentException("session is required");
            }
            if (after != null && after < 0) {
                throw new IllegalArgumentException("after is 0 or more");
            }
            if (limit != null && (limit < 1 || limit > EVENTS_LIMIT)) {
                throw new IllegalArgumentException("limit is 1 to " + EVENTS_LIMIT);
            }
        }

        public long afterOrZero() {
            return after == null ? 0 : after;
        }

        public int limitOrDefault() {
            return limit == null ? EVENTS_LIMIT : limit;
        }
    }

    /** One archived event: its session sequence number and the body as stored (unredacted). */
    public record Event(long seq, JsonNode body) {
        public Event {
            Objects.requireNonNull(body, "body");
        }
    }

    /** Reply of {@code events.list}: oldest first; {@code more} when events after the last one exist. */
    public record Events(String game, List<Event> events, boolean more) {
        public Events {
            events = events == null ? List.of() : List.copyOf(events);
        }
    }

    /** Request of {@code game.replay}: {@code viewer} is the asking player; steps after {@code after} (default 0). */
    public record ReplayQuery(String session, String viewer, Long after) {
        public ReplayQuery {
            if (session == null || session.isBlank()) {
                throw new IllegalArgumentException("session is required");
            }
            if (after != null && after < 0) {
                throw new IllegalArgumentException("after is 0 or more");
            }
        }

        public ReplayQuery(String session, String viewer) {
            this(session, viewer, null);
        }

        public long afterOrZero() {
            return after == null ? 0 : after;
        }
    }

    /** One replayed step: the event and the whole state after it, both as the viewer may see them. */
    public record Step(long seq, JsonNode event, JsonNode view) {
    }

    /**
     * Reply of {@code game.replay}. {@code more}: the session has steps after the last one given (the reply was
     * capped); ask again with {@code after} = the last step's seq.
     */
    public record Replay(String session, String game, List<Step> steps, boolean more) {
        public Replay {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }
    }
}
