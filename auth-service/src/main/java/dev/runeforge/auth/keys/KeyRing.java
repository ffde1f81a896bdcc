package dev.runeforge.auth.keys;

import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * The signing keys. The private key never leaves this class except to sign; {@link #publicJwks()} is what the
 * world sees. Today one key per process lifetime; rotation (current + previous) is the identity issue's work.
 */
public final class KeyRing {
    private final ECKey current;

    private KeyRing(ECKey current) {
        this.current = current;
    }

    public static KeyRing generate() {
        try {
            return new KeyRing(new ECKeyGenerator(Curve.P_256)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    public ECKey signingKey() {
        return current;
    }

    public JWKSet publicJwks() {
        return new JWKSet(List.of(current.toPublicJWK()));
    }
}
