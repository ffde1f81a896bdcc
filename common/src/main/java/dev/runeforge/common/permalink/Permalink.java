package dev.runeforge.common.permalink;

import java.util.Objects;

/**
 * What {@code <ns>.db.permalink.get} answers: the public roll and when its permalink lapses (epoch ms).
 */
public record Permalink(PublicRoll roll, long expiresAt) {
    public Permalink {
        Objects.requireNonNull(roll, "roll");
    }

    /** The request: a roll id. */
    public record Get(String id) {
    }

    /** {@code <ns>.auth.sign.roll}'s answer: a detached compact JWS ({@code header..signature}) and its key id. */
    public record Signature(String jws, String kid) {
        public Signature {
            Objects.requireNonNull(jws, "jws");
            Objects.requireNonNull(kid, "kid");
        }
    }
}
