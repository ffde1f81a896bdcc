package dev.runeforge.auth.keys;

import java.util.Objects;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import dev.runeforge.common.permalink.Permalink;
import dev.runeforge.common.permalink.PublicRoll;

/**
 * Signs rolls for their permalinks: a detached JWS (RFC 7515 appendix F: compact form with the payload part
 * left empty) over the roll's canonical bytes, ES256 with the current key. It signs only what it canonicalized
 * itself from a validated {@link PublicRoll}, never bytes a caller hands in, and types the header
 * {@code rf-roll}: a roll signature can never pass for an access token (those are {@code typ: JWT} with claims).
 */
public final class RollSigner {
    public static final JOSEObjectType TYPE = new JOSEObjectType("rf-roll");

    private final KeyRing keys;

    public RollSigner(KeyRing keys) {
        this.keys = Objects.requireNonNull(keys);
    }

    public Permalink.Signature sign(PublicRoll roll) {
        var key = keys.signingKey();
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID())
                .type(TYPE)
                .build(), new Payload(roll.canonical()));
        try {
            jws.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return new Permalink.Signature(jws.serialize(true), key.getKeyID());
    }
}
