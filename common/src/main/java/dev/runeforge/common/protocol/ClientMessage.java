package dev.runeforge.common.protocol;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Messages a browser sends over the WebSocket (protocol v1). The JSON field {@code type} names the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientMessage.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = ClientMessage.Create.class, name = "create"),
        @JsonSubTypes.Type(value = ClientMessage.Join.class, name = "join"),
        @JsonSubTypes.Type(value = ClientMessage.Action.class, name = "action"),
        @JsonSubTypes.Type(value = ClientMessage.Leave.class, name = "leave"),
        @JsonSubTypes.Type(value = ClientMessage.Ping.class, name = "ping"),
})
public sealed interface ClientMessage {
    int PROTOCOL_VERSION = 1;
    /** Client-chosen ids (action ids, deduplication keys) are short printable tokens. */
    int MAX_ID_LENGTH = 64;

    /** First message on every connection; {@code resume} asks for the events missed since {@code lastSeq}. */
    record Hello(int v, Resume resume) implements ClientMessage {
    }

    record Resume(String session, long lastSeq) {
        public Resume {
            Ids.require(session, "resume.session");
            if (lastSeq < 0) {
                throw new IllegalArgumentException("resume.lastSeq must be >= 0");
            }
        }
    }

    /** Opens a new session of {@code game}; {@code id} makes a retried create idempotent. */
    record Create(String id, String game, JsonNode settings) implements ClientMessage {
        public Create {
            Ids.require(id, "id");
            if (game == null || game.isBlank()) {
                throw new IllegalArgumentException("game is required");
            }
            settings = settings == null || settings.isNull() ? JsonNodeFactory.instance.objectNode() : settings;
        }
    }

    record Join(String id, String code) implements ClientMessage {
        public Join {
            Ids.require(id, "id");
            if (code == null || code.isBlank()) {
                throw new IllegalArgumentException("code is required");
            }
            code = code.trim().toUpperCase(java.util.Locale.ROOT);
        }
    }

    /** A game action; {@code body} is the game's own command, e.g. {@code {"type":"roll","formula":"2d6+1"}}. */
    record Action(String id, String session, JsonNode body) implements ClientMessage {
        public Action {
            Ids.require(id, "id");
            Ids.require(session, "session");
            Objects.requireNonNull(body, "body is required");
            if (!body.isObject()) {
                throw new IllegalArgumentException("body must be an object");
            }
        }
    }

    record Leave(String id, String session) implements ClientMessage {
        public Leave {
            Ids.require(id, "id");
            Ids.require(session, "session");
        }
    }

    record Ping(Long t) implements ClientMessage {
    }

    /** Validation of client-chosen identifiers: they end up in NATS subjects and headers. */
    final class Ids {
        private Ids() {
        }

        public static String require(String id, String field) {
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException(field + " is required");
            }
            if (id.length() > MAX_ID_LENGTH) {
                throw new IllegalArgumentException(field + " is longer than " + MAX_ID_LENGTH + " characters");
            }
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException(field + " may hold only letters, digits, '-' and '_'");
                }
            }
            return id;
        }
    }
}
