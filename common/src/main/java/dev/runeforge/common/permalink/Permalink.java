package dev.runeforge.common.permalink;

import java.util.Objects;

/**
 * What {@code <ns>.db.permalink.get} answers: the public roll and when its permalink lapses (epoch ms).
 * {@code <ns>.db.permalink.signed} answers a {@link Signed}: the same with auth-service's signature.
 */
public record Permalink(PublicRoll roll, long expiresAt) {
    public Permalink {
        Objects.requireNonNull(roll, "roll");
    }

    /** The request: a roll id. */
    public record Get(String id) {
    }

    /**
     * A stored roll with its signature, as {@code <ns>.db.permalink.signed} answers it: persistence-service, which
     * stores only what it read from the event log, had auth-service sign exactly this roll.
     */
    public record Signed(PublicRoll roll, long expiresAt, String jws, String kid) {
        public Signed {
            Objects.requireNonNull(roll, "roll");
            Objects.requireNonNull(jws, "jws");
            Objects.requireNonNull(kid, "kid");
        }
    }

    /** {@code <ns>.auth.sign.roll}'s answer: a detached compact JWS ({@code header..signature}) and its key id. */
    public record Signature(String jws, String kid) {
        public Signature {
            Objects.requireNonNull(jws, "jws");
            Objects.requireNonNull(kid, "kid");
        }
    }
}
