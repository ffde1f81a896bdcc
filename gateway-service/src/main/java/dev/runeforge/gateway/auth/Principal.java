package dev.runeforge.gateway.auth;

import java.util.List;
import java.util.Objects;

/**
 * An authenticated player, as the access token says; {@code signIn} is the token's {@code sid} (null on tokens
 * issued before sign-ins were named), what a logout revokes.
 */
public record Principal(String player, String name, List<String> roles, long expiresAt, String signIn) {
    public Principal {
        Objects.requireNonNull(player);
        Objects.requireNonNull(name);
        roles = List.copyOf(roles);
    }

    public Principal(String player, String name, List<String> roles, long expiresAt) {
        this(player, name, roles, expiresAt, null);
    }
}
