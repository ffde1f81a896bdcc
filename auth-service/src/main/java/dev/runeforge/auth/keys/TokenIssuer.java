package dev.runeforge.auth.keys;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.common.auth.IssuedToken;
import dev.runeforge.common.auth.TokenClaims;

/** Signs platform access tokens: ES256, {@code kid} in the header, iss/aud/sub/name/roles/sid/iat/nbf/exp/jti. */
public final class TokenIssuer {
    private final KeyRing keys;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    public TokenIssuer(KeyRing keys, String issuer, String audience, Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    public IssuedToken issue(String player, String name, List<String> roles, Duration ttl) {
        return issue(player, name, roles, ttl, null);
    }

    /** As {@link #issue(String, String, List, Duration)}, naming the sign-in ({@code sid}) a logout revokes. */
    public IssuedToken issue(String player, String name, List<String> roles, Duration ttl, String signIn) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(player)
                .claim(TokenClaims.NAME, name)
                .claim(TokenClaims.ROLES, roles)
                .claim(TokenClaims.SIGN_IN, signIn)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString())
                .build();
        var key = keys.signingKey();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return new IssuedToken(jwt.serialize(), player, name, expires.getEpochSecond());
    }
}
