package dev.runeforge.common.protocol;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

/** Messages the server sends over the WebSocket (protocol v1). The JSON field {@code type} names the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerMessage.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = ServerMessage.Joined.class, name = "joined"),
        @JsonSubTypes.Type(value = ServerMessage.Resumed.class, name = "resumed"),
        @JsonSubTypes.Type(value = ServerMessage.Event.class, name = "event"),
        @JsonSubTypes.Type(value = ServerMessage.Accepted.class, name = "accepted"),
        @JsonSubTypes.Type(value = ServerMessage.Error.class, name = "error"),
        @JsonSubTypes.Type(value = ServerMessage.Presence.class, name = "presence"),
        @JsonSubTypes.Type(value = ServerMessage.Left.class, name = "left"),
        @JsonSubTypes.Type(value = ServerMessage.Result.class, name = "result"),
        @JsonSubTypes.Type(value = ServerMessage.Pong.class, name = "pong"),
})
public sealed interface ServerMessage {

    record Welcome(int v, String player, String name) implements ServerMessage {
    }

    /**
     * The viewer's full view of a session at {@code seq}; events follow with seq + 1, seq + 2, ...
     * {@code serverTime} (epoch ms, the game instance's clock when the view was made) lets a client read the
     * view's deadlines on the server's clock rather than its own.
     */
    record Joined(String session, String code, String game, long seq, JsonNode view, long serverTime)
            implements ServerMessage {
        public Joined {
            Objects.requireNonNull(session);
            Objects.requireNonNull(view);
        }
    }

    /** One session event as this viewer may see it; {@code seq} is gap-free per session. */
    record Event(String session, long seq, JsonNode body) implements ServerMessage {
        public Event {
            Objects.requireNonNull(session);
            Objects.requireNonNull(body);
        }
    }

    record Accepted(String id, String session) implements ServerMessage {
    }

    /** A typed refusal; {@code retryMs}, when set (BUSY), is how long to wait before trying the same action again. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(String code, String message, String ref, Integer retryMs) implements ServerMessage {
        public Error {
            Objects.requireNonNull(code);
            Objects.requireNonNull(message);
        }

        public Error(String code, String message, String ref) {
            this(code, message, ref, null);
        }
    }

    /**
     * This connection is back in {@code session} after a reconnect: the client's view as of {@code seq} still
     * holds, and the events after it follow (each once, in order). When the server cannot replay what was missed
     * it sends a fresh {@code joined} instead.
     */
    record Resumed(String session, long seq) implements ServerMessage {
        public Resumed {
            Objects.requireNonNull(session);
        }
    }

    record Presence(String session, List<String> online) implements ServerMessage {
        public Presence {
            online = List.copyOf(online);
        }
    }

    /**
     * This connection is no longer in {@code session}: {@code reason} null when the player left, "removed" when
     * the game removed them (a kick), "closed" when the session ended.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Left(String session, String reason) implements ServerMessage {
        public Left(String session) {
            this(session, null);
        }
    }

    /** The answer to one action, for the actor only (a page of history); {@code ref} is the action's id. */
    record Result(String session, String ref, JsonNode body) implements ServerMessage {
        public Result {
            Objects.requireNonNull(session);
            Objects.requireNonNull(body);
        }
    }

    record Pong(Long t) implements ServerMessage {
    }
}
