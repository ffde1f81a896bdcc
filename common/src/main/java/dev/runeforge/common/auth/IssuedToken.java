package dev.runeforge.common.auth;

import java.util.Objects;

/**
 * A sign-in's reply ({@code rf.auth.guest}, {@code rf.auth.refresh}, {@code rf.auth.oidc.callback}): a signed access
 * JWT for {@code player}, valid until {@code expiresAt} (epoch s), and an opaque refresh token valid until
 * {@code refreshExpiresAt} (null when none was issued).
 */
public record IssuedToken(String token, String player, String name, long expiresAt, String refreshToken,
                          Long refreshExpiresAt) {
    public IssuedToken {
        Objects.requireNonNull(token);
        Objects.requireNonNull(player);
        Objects.requireNonNull(name);
    }

    public IssuedToken(String token, String player, String name, long expiresAt) {
        this(token, player, name, expiresAt, null, null);
    }

    public IssuedToken withRefresh(String refresh, long refreshExpires) {
        return new IssuedToken(token, player, name, expiresAt, refresh, refreshExpires);
    }

    /** Never print the tokens themselves (logs, exceptions). */
    @Override
    public String toString() {
        return "IssuedToken[player=" + player + ", name=" + name + ", expiresAt=" + expiresAt + "]";
    }
}
