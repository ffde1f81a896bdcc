package dev.runeforge.gateway.session;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.ActionClient;
import dev.runeforge.common.bus.ActionReply;
import dev.runeforge.common.bus.BusAction;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.gateway.auth.Principal;

/**
 * Session actions on behalf of one HTTP request: published on the action path like a socket's, answered by the
 * game instance to this request alone. The port the session routes depend on.
 */
public interface SessionActions {
    /** What the game answered: accepted (with the view's room code and game when it sent a view), or refused. */
    sealed interface Answer {
        record Accepted(String session, String code, String game) implements Answer {
        }

        record Refused(String code, String message) implements Answer {
        }
    }

    /** The action could not be stored, or the game did not answer in time (the outcome is then unknown). */
    final class Unanswered extends Exception {
        private final boolean stored;

        public Unanswered(String message, boolean stored, Throwable cause) {
            super(message, cause);
            this.stored = stored;
        }

        /** True when the action was stored (it may still take effect); false when it never reached the bus. */
        public boolean stored() {
            return stored;
        }
    }

    /**
     * Publishes {@code kind} for {@code who} on {@code session} and waits for the game's answer.
     *
     * @param id     the action id (the same id again is applied at most once), or null for a new one
     * @param device the caller's browser ({@code rf_device}), or null
     * @param game   the game of a CREATE, else null
     * @param body   a CREATE's settings, else null
     */
    Answer send(String id, BusAction.Kind kind, String session, Principal who, String device, String game,
                JsonNode body) throws Unanswered;

    /**
     * Over the bus: the action goes to the session's owner like a socket's ({@link ActionClient}, repeated with the
     * same id until answered), and the reply carries the game's answer to this call alone.
     */
    static SessionActions bus(ActionClient actions, Duration timeout) {
        return new Bus(actions, timeout);
    }

    final class Bus implements SessionActions {
        private final ActionClient actions;
        private final Duration timeout;

        Bus(ActionClient actions, Duration timeout) {
            this.actions = Objects.requireNonNull(actions);
            this.timeout = Objects.requireNonNull(timeout);
        }

        @Override
        public Answer send(String actionId, BusAction.Kind kind, String session, Principal who, String device,
                           String game, JsonNode body) throws Unanswered {
            String id = actionId != null ? actionId : "rest-" + UUID.randomUUID().toString().replace("-", "");
            BusAction action = new BusAction(id, kind, session, who.player(), who.name(), game, body,
                    "rest-" + UUID.randomUUID(), System.currentTimeMillis(), device);
            ActionReply reply;
            try {
                reply = actions.send(action).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new Unanswered("the game did not answer within " + timeout.toMillis() + " ms", true, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unanswered("interrupted while waiting for the game", true, e);
            } catch (ExecutionException e) {
                boolean reached = !(e.getCause() instanceof ActionClient.Unanswered u) || u.reached();
                throw reached ? new Unanswered("the game did not answer in time", true, e.getCause())
                        : new Unanswered("the game service is unavailable; try again", false, e.getCause());
            }
            return answer(reply, id, session);
        }

        /** The game's answer among the reply's frames: the view comes before the acceptance of a create or join. */
        static Answer answer(ActionReply reply, String id, String session) {
            String code = null;
            String game = null;
            for (ActionReply.Frame f : reply.frames()) {
                JsonNode message = Json.tree(f.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                switch (f.type()) {
                    case "joined" -> {
                        code = message.path("code").isTextual() ? message.path("code").asText() : null;
                        game = message.path("game").isTextual() ? message.path("game").asText() : null;
                    }
                    case "accepted" -> {
                        if (id.equals(message.path("id").asText())) {
                            return new Answer.Accepted(session, code, game);
                        }
                    }
                    case "error" -> {
                        return new Answer.Refused(message.path("code").asText(ErrorCodes.INTERNAL),
                                message.path("message").asText(""));
                    }
                    default -> {
                    }
                }
            }
            return new Answer.Refused(ErrorCodes.INTERNAL, "the game's answer said nothing of action " + id);
        }
    }
}
