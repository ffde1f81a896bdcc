package dev.runeforge.game.engine;

import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Everything a rule may know about the world: who acts (and from which browser, {@code device}, when the gateway
 * knows it), when, which action, which session, and a source of randomness. Draws from {@code rng} happen only in {@code decide}; their results are recorded in events.
 */
public record Context(String session, String code, String actionId, String actor, String actorName, Instant now,
                      RandomGenerator rng, String device) {
    public Context {
        Objects.requireNonNull(session);
        Objects.requireNonNull(actionId);
        Objects.requireNonNull(actor);
        Objects.requireNonNull(actorName);
        Objects.requireNonNull(now);
        Objects.requireNonNull(rng);
    }

    /** Without a device: the actor's browser is unknown (a script, a timer). */
    public Context(String session, String code, String actionId, String actor, String actorName, Instant now,
                   RandomGenerator rng) {
        this(session, code, actionId, actor, actorName, now, rng, null);
    }
}
