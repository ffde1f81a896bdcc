package dev.runeforge.auth.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * The signing keys at one moment, as a value: {@code current} signs; {@code next} is published before it signs
 * anything, so a verifier that fetched the JWKS since the last rotation already knows the key the next rotation
 * brings in; {@code retired} keys stay published until every token they signed has expired. Rotation is a pure
 * function of the state and the time, so the rules are tested without a clock or a bus.
 */
public record KeyState(Key next, Key current, List<Key> retired) {

    /** One EC P-256 key; {@code publishUntil} is set once it is retired. */
    public record Key(ECKey jwk, Instant createdAt, Instant activatedAt, Instant publishUntil) {
        public Key {
            Objects.requireNonNull(jwk);
            Objects.requireNonNull(createdAt);
            if (!jwk.isPrivate()) {
                throw new IllegalArgumentException("a signing key needs its private part");
            }
        }

        public String kid() {
            return jwk.getKeyID();
        }

        /** Never print key material. */
        @Override
        public String toString() {
            return "Key[kid=" + kid() + ", createdAt=" + createdAt + ", activatedAt=" + activatedAt
                    + ", publishUntil=" + publishUntil + "]";
        }
    }

    public KeyState {
        Objects.requireNonNull(next);
        Objects.requireNonNull(current);
        retired = List.copyOf(retired);
    }

    public static KeyState fresh(Instant now) {
        return new KeyState(new Key(generate(), now, null, null), new Key(generate(), now, now, null), List.of());
    }

    /**
     * {@code next} becomes current, a new key becomes next, and the old current key stays published for
     * {@code retention} (the longest token lifetime plus clock skew). Retired keys past their time are dropped.
     */
    public KeyState rotate(Instant now, Duration retention) {
        List<Key> keep = new ArrayList<>(live(now));
        keep.addFirst(new Key(current.jwk(), current.createdAt(), current.activatedAt(), now.plus(retention)));
        return new KeyState(new Key(generate(), now, null, null),
                new Key(next.jwk(), next.createdAt(), now, null), keep);
    }

    /** Whether the current key has signed for {@code every} or longer. */
    public boolean rotationDue(Instant now, Duration every) {
        return !now.isBefore(current.activatedAt().plus(every));
    }

    /** Retired keys that still verify tokens at {@code now}. */
    public List<Key> live(Instant now) {
        return retired.stream().filter(k -> now.isBefore(k.publishUntil())).toList();
    }

    /** What the world sees: public parts of current, next and the live retired keys. */
    public JWKSet publicJwks(Instant now) {
        List<JWK> keys = new ArrayList<>();
        keys.add(current.jwk().toPublicJWK());
        keys.add(next.jwk().toPublicJWK());
        live(now).forEach(k -> keys.add(k.jwk().toPublicJWK()));
        return new JWKSet(keys);
    }

    static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }
}
