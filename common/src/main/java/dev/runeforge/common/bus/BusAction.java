package dev.runeforge.common.bus;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * What the gateway publishes to {@code rf.act.<partition>.<session>}: one player's action, already
 * authenticated. {@code id} is also the JetStream {@code Nats-Msg-Id}, so a retried publish is dropped by the
 * stream and a redelivered one is recognised by the game instance.
 *
 * @param origin the gateway connection the action came from, so its answer reaches that socket only
 * @param at     gateway receive time (epoch millis), used for latency metrics only; rules take time from context
 * @param device the player's browser (the gateway's {@code rf_device} cookie), or null; a kick bars it too
 */
public record BusAction(String id, Kind kind, String session, String player, String name, String game,
                        JsonNode body, String origin, long at, String device) {
    /**
     * RESUME: a member reconnecting asks for a fresh view of a session it is in (never joins anyone).
     * TIMER: a session's deadline passed; published by the game instance itself, through the same path.
     * PRESENCE: one of the player's connections ({@code origin}) joined the session's view or went away; body
     * {@code {"connected": true|false}}. Published by the gateway.
     * END: the session's host ends it (REST {@code DELETE /api/sessions/{id}}); anyone else is refused FORBIDDEN.
     */
    public enum Kind {
        CREATE, JOIN, LEAVE, GAME, RESUME, TIMER, PRESENCE, END;

        /** Nobody waits for an answer to these: the game instance sends none. */
        public boolean quiet() {
            return this == TIMER || this == PRESENCE;
        }
    }

    /** The actor of timer actions. */
    public static final String SYSTEM = "system";

    public BusAction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(player, "player");
        Objects.requireNonNull(name, "name");
        body = body == null || body.isNull() ? JsonNodeFactory.instance.objectNode() : body;
    }

    /** An action whose browser is unknown (a timer, a script, a test). */
    public BusAction(String id, Kind kind, String session, String player, String name, String game, JsonNode body,
                     String origin, long at) {
        this(id, kind, session, player, name, game, body, origin, at, null);
    }

    /**
     * The action's identity across the platform: client ids are only unique per player, so two players choosing
     * the same id must never shadow each other. Used as the JetStream message id and in the applied-ids set.
     */
    public String key() {
        return player + ":" + id;
    }
}
