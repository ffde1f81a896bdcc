package dev.runeforge.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * A sign-in revoked (logout, or a refresh token presented twice), on {@code <ns>.auth.revoked}: the gateways close
 * its live sockets and refuse its access tokens until {@code until} (epoch seconds: when the last access token it may
 * hold has expired, clock skew included).
 *
 * @param signIn the {@link TokenClaims#SIGN_IN} claim of the sign-in's access tokens
 */
public record SignInRevoked(String signIn, long until) {
    public SignInRevoked {
        Objects.requireNonNull(signIn, "signIn");
    }

    /**
     * The {@code sid} of a refresh-token family: a digest, so an access token (which its holder can read) names its
     * sign-in without carrying the family's key in the refresh store.
     */
    public static String signIn(String family) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("sid:" + family).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
