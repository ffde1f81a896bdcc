package dev.runeforge.common.player;

import java.util.Objects;

/**
 * {@code rf.db.player.oidc} request (auth-service → persistence-service): a verified OIDC identity to upsert.
 * {@code linkGuest}: the guest player id of the browser that started the sign-in (its token was verified), or
 * null. The reply is a {@link Player}.
 */
public record OidcProfile(String issuer, String subject, String name, String email, String linkGuest) {
    public OidcProfile {
        Objects.requireNonNull(issuer);
        Objects.requireNonNull(subject);
        Objects.requireNonNull(name);
    }

    /** A platform player as stored: id, display name, {@code guest} or {@code oidc}. */
    public record Player(String id, String name, String kind, boolean linked) {
    }
}
