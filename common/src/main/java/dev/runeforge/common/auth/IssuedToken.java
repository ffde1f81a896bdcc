package dev.runeforge.common.auth;

import java.util.Objects;

/** {@code rf.auth.guest} reply: a signed access JWT for {@code player}, valid until {@code expiresAt} (epoch s). */
public record IssuedToken(String token, String player, String name, long expiresAt) {
    public IssuedToken {
        Objects.requireNonNull(token);
        Objects.requireNonNull(player);
        Objects.requireNonNull(name);
    }

    /** Never print the token itself (logs, exceptions). */
    @Override
    public String toString() {
        return "IssuedToken[player=" + player + ", name=" + name + ", expiresAt=" + expiresAt + "]";
    }
}
