package dev.runeforge.common.auth;

/** Names shared by the token issuer (auth-service) and the token checker (gateway). */
public final class TokenClaims {
    public static final String DEFAULT_ISSUER = "rune-forge";
    public static final String DEFAULT_AUDIENCE = "rune-forge";
    public static final String NAME = "name";
    public static final String ROLES = "roles";
    /**
     * The sign-in an access token belongs to (its refresh-token family, as an opaque digest): what a logout revokes
     * ({@link SignInRevoked}).
     */
    public static final String SIGN_IN = "sid";
    public static final String COOKIE = "rf_token";
    /** The opaque refresh token; its cookie is scoped to {@code /api/auth}. */
    public static final String REFRESH_COOKIE = "rf_refresh";

    private TokenClaims() {
    }
}
