package dev.runeforge.gateway.auth;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.bus.Subjects;
import io.nats.client.Connection;

/**
 * Checks platform access tokens: ES256 only, signature against auth-service's JWKS (cached; refetched on an
 * unknown {@code kid}, at most twice every 10 s), a {@code kid} required, issuer, audience, expiry and not-before
 * (60 s clock skew), required claims.
 */
public final class TokenVerifier {
    private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());
    /** Tokens are a few hundred bytes; refusing huge ones early keeps parsing cheap for attackers' input. */
    static final int MAX_TOKEN_LENGTH = 4096;

    private final DefaultJWTProcessor<SecurityContext> processor;
    /** Whether a sign-in ({@code sid}) was revoked: its tokens are refused until they expire. */
    private volatile java.util.function.Predicate<String> revoked = signIn -> false;

    /** Refuses the tokens of every sign-in {@code revoked} says was revoked (logout). */
    public void refuseSignIns(java.util.function.Predicate<String> revoked) {
        this.revoked = java.util.Objects.requireNonNull(revoked);
    }

    public TokenVerifier(Connection nc, Subjects subjects, String issuer, String audience) {
        this(nc, subjects, issuer, audience, java.time.Duration.ofSeconds(60));
    }

    /** {@code clockSkew}: how far past {@code exp} (and before {@code nbf}) a token still counts ({@code auth.clock-skew}). */
    public TokenVerifier(Connection nc, Subjects subjects, String issuer, String audience, java.time.Duration clockSkew) {
        this(JWKSourceBuilder.create(new NatsJwkSetSource(nc, subjects))
                .cache(5 * 60_000L, 2_000L)
                .rateLimited(10_000L)
                .retrying(true)
                .build(), issuer, audience, clockSkew);
    }

    TokenVerifier(JWKSource<SecurityContext> keys, String issuer, String audience, java.time.Duration clockSkew) {
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        var byKid = new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys);
        // Our tokens always name their key; without a kid Nimbus would try every published key, which hides a
        // token made outside the issuer's rules.
        processor.setJWSKeySelector((header, context) -> header.getKeyID() == null || header.getKeyID().isEmpty()
                ? java.util.List.of() : byKid.selectJWSKeys(header, context));
        var claimsVerifier = new DefaultJWTClaimsVerifier<>(
                audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                new HashSet<>(Set.of(JWTClaimNames.SUBJECT, JWTClaimNames.EXPIRATION_TIME, TokenClaims.NAME)));
        claimsVerifier.setMaxClockSkew((int) clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claimsVerifier);
    }

    /** The principal of a valid token; empty for anything else (never throws on bad input). */
    public Optional<Principal> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet claims = processor.process(token, null);
            List<String> roles = claims.getStringListClaim(TokenClaims.ROLES);
            String signIn = claims.getStringClaim(TokenClaims.SIGN_IN);
            if (signIn != null && revoked.test(signIn)) {
                LOG.log(Level.FINE, () -> "token refused: its sign-in was revoked");
                return Optional.empty();
            }
            return Optional.of(new Principal(claims.getSubject(), claims.getStringClaim(TokenClaims.NAME),
                    roles == null ? List.of() : roles, claims.getExpirationTime().toInstant().getEpochSecond(), signIn));
        } catch (Exception e) {
            // Log the reason, never the token.
            LOG.log(Level.FINE, () -> "token refused: " + e.getMessage());
            return Optional.empty();
        }
    }
}
