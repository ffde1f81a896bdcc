package dev.runeforge.gateway.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.BusAction;
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
     * Over the bus: each call is an origin of its own ({@code rest-<uuid>}), registered in the {@link SessionHub}
     * like a socket before the action is published, so the game's answer on {@code rf.out.<session>.p.<player>}
     * (ORIGIN header = that id) reaches this call and no socket of the player.
     */
    static SessionActions bus(ActionPublisher publisher, SessionHub hub, Duration timeout) {
        return new Bus(publisher, hub, timeout);
    }

    final class Bus implements SessionActions {
        private static final Logger LOG = Logger.getLogger(SessionActions.class.getName());

        private final ActionPublisher publisher;
        private final SessionHub hub;
        private final Duration timeout;

        Bus(ActionPublisher publisher, SessionHub hub, Duration timeout) {
            this.publisher = Objects.requireNonNull(publisher);
            this.hub = Objects.requireNonNull(hub);
            this.timeout = Objects.requireNonNull(timeout);
        }

        @Override
        public Answer send(String actionId, BusAction.Kind kind, String session, Principal who, String device,
                           String game, JsonNode body) throws Unanswered {
            String id = actionId != null ? actionId : "rest-" + UUID.randomUUID().toString().replace("-", "");
            String origin = "rest-" + UUID.randomUUID();
            Waiter waiter = new Waiter(who.player(), origin, id);
            hub.attach(session, waiter);
            try {
                boolean stored;
                try {
                    stored = publisher.publish(new BusAction(id, kind, session, who.player(), who.name(), game, body,
                            origin, System.currentTimeMillis(), device));
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "REST " + kind + " on session " + session + " not stored", e);
                    throw new Unanswered("the game service is unavailable; try again", false, e);
                }
                if (!stored) {
                    // A retry of an action the stream already holds (same id): the game answered, or will answer,
                    // the first copy only. Ask for the session as it is now instead (a RESUME, queued behind the
                    // first copy): its view if the caller is in it, else the game's refusal.
                    if (kind == BusAction.Kind.RESUME) {
                        return new Answer.Refused(ErrorCodes.INTERNAL, "a duplicate resume");
                    }
                    return send(null, BusAction.Kind.RESUME, session, who, device, null, null);
                }
                try {
                    return waiter.answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new Unanswered("the game did not answer within " + timeout.toMillis() + " ms", true, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Unanswered("interrupted while waiting for the game", true, e);
                } catch (ExecutionException e) {
                    throw new Unanswered("waiting for the game failed", true, e);
                }
            } finally {
                hub.detach(session, waiter);
            }
        }
    }

    /** One request's place in the hub: it notes the view and completes on the answer to its action id. */
    final class Waiter implements SessionHub.Member {
        private final String player;
        private final String origin;
        private final String actionId;
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private volatile String code;
        private volatile String game;

        Waiter(String player, String origin, String actionId) {
            this.player = player;
            this.origin = origin;
            this.actionId = actionId;
        }

        @Override
        public String player() {
            return player;
        }

        @Override
        public String connectionId() {
            return origin;
        }

        @Override
        public void deliver(String session, JsonNode message, String text) {
            switch (message.path("type").asText()) {
                // The view comes before the acceptance of a create or join (same subject, same publisher: in order).
                case "joined" -> {
                    code = message.path("code").isTextual() ? message.path("code").asText() : null;
                    game = message.path("game").isTextual() ? message.path("game").asText() : null;
                }
                case "accepted" -> {
                    if (actionId.equals(message.path("id").asText())) {
                        answer.complete(new Answer.Accepted(session, code, game));
                    }
                }
                case "error" -> {
                    if (actionId.equals(message.path("ref").asText())) {
                        answer.complete(new Answer.Refused(message.path("code").asText("INTERNAL"),
                                message.path("message").asText("")));
                    }
                }
                default -> {
                    // events, presence, left: this request waits only for its answer
                }
            }
        }
    }
}
