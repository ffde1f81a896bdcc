package dev.runeforge.gateway.auth;

import java.util.List;
import java.util.Objects;

/** An authenticated player, as the access token says. */
public record Principal(String player, String name, List<String> roles, long expiresAt) {
    public Principal {
        Objects.requireNonNull(player);
        Objects.requireNonNull(name);
        roles = List.copyOf(roles);
    }
}
