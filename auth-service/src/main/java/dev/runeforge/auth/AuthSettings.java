package dev.runeforge.auth;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.runeforge.auth.keys.SecretBox;
import dev.runeforge.auth.oidc.OidcRelyingParty;
import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.service.RuntimeSettings;

/**
 * Every setting auth-service reads (docs/operations.md, Configuration), read once by {@link Main}; each default is
 * stated here and nowhere else.
 *
 * @param devMode {@code dev.mode}: without {@code auth.keys.secret}, seal the keys with a public development secret
 * @param oidc    sign-in with an OpenID Connect provider, when {@code auth.oidc.issuer} is set
 */
public record AuthSettings(RuntimeSettings runtime, boolean devMode, Tokens tokens, Refresh refresh, Keys keys,
                           Optional<Oidc> oidc) {
    public static final int ADMIN_PORT = 9081;

    public AuthSettings {
        Objects.requireNonNull(runtime);
        Objects.requireNonNull(tokens);
        Objects.requireNonNull(refresh);
        Objects.requireNonNull(keys);
        Objects.requireNonNull(oidc);
    }

    /** {@code auth.issuer}, {@code auth.audience}, {@code auth.access.ttl}: the access tokens this service signs. */
    public record Tokens(String issuer, String audience, Duration accessTtl) {
    }

    /** {@code auth.refresh.*}: a refresh token's sliding life, a sign-in's absolute life, the reuse leeway. */
    public record Refresh(Duration ttl, Duration maxLifetime, Duration reuseLeeway) {
    }

    /**
     * {@code auth.keys.*}: the secret sealing the signing keys (base64 of 32 bytes; empty only in dev mode) and the
     * rotation schedule. {@link #toString()} never shows the secret.
     */
    public record Keys(Optional<String> secret, Duration rotateEvery, Duration checkEvery) {
        @Override
        public String toString() {
            return "Keys[secret=" + (secret.isPresent() ? "***" : "none") + ", rotateEvery=" + rotateEvery
                    + ", checkEvery=" + checkEvery + "]";
        }
    }

    /** {@code auth.oidc.*}: the relying party (its {@code toString} hides the client secret) and the state TTL. */
    public record Oidc(OidcRelyingParty.Settings relyingParty, Duration stateTtl) {
    }

    public static AuthSettings read(ServiceConfig c) {
        RuntimeSettings runtime = RuntimeSettings.read(c, ADMIN_PORT);
        boolean devMode = c.flag("dev.mode", false);
        Tokens tokens = new Tokens(
                c.string("auth.issuer", TokenClaims.DEFAULT_ISSUER),
                c.string("auth.audience", TokenClaims.DEFAULT_AUDIENCE),
                c.duration("auth.access.ttl", Duration.ofMinutes(15)));
        Refresh refresh = new Refresh(
                c.duration("auth.refresh.ttl", Duration.ofDays(14)),
                c.duration("auth.refresh.max-lifetime", Duration.ofDays(90)),
                c.duration("auth.refresh.reuse-leeway", Duration.ofSeconds(10)));
        Keys keys = new Keys(
                c.secret("auth.keys.secret"),
                c.duration("auth.keys.rotate-every", Duration.ofDays(30)),
                c.duration("auth.keys.check-every", Duration.ofMinutes(1)));
        // Every OIDC key is read whether or not an issuer is set: the service's keys are the same in every
        // deployment (its /settings lists them all, and the environment rule knows them all).
        Optional<String> issuer = c.optional("auth.oidc.issuer");
        Optional<String> clientId = c.optional("auth.oidc.client-id");
        Optional<String> clientSecret = c.secret("auth.oidc.client-secret");
        Optional<String> redirect = c.optional("auth.oidc.redirect-uri");
        String scopes = c.string("auth.oidc.scopes", "openid profile email");
        Duration stateTtl = c.duration("auth.oidc.state-ttl", Duration.ofMinutes(10));

        if (keys.secret().isEmpty() && !devMode) {
            throw c.missing("auth.keys.secret", "(base64 of 32 random bytes: openssl rand -base64 32) unless dev.mode=true");
        }
        keys.secret().ifPresent(secret -> {
            try {
                SecretBox.fromBase64(secret);
            } catch (IllegalArgumentException e) {
                throw c.invalid("auth.keys.secret", e.getMessage());
            }
        });
        Optional<Oidc> oidc = Optional.empty();
        if (issuer.isPresent()) {
            String with = "with auth.oidc.issuer";
            var relyingParty = new OidcRelyingParty.Settings(
                    uri(c, "auth.oidc.issuer", issuer.get()),
                    clientId.orElseThrow(() -> c.missing("auth.oidc.client-id", with)),
                    clientSecret.orElseThrow(() -> c.missing("auth.oidc.client-secret", with)),
                    uri(c, "auth.oidc.redirect-uri", redirect.orElseThrow(() -> c.missing("auth.oidc.redirect-uri", with))),
                    Arrays.stream(scopes.split("[ ,]+")).filter(s -> !s.isEmpty()).toList());
            oidc = Optional.of(new Oidc(relyingParty, stateTtl));
        }
        return new AuthSettings(runtime, devMode, tokens, refresh, keys, oidc);
    }

    private static URI uri(ServiceConfig c, String key, String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null
                    || !List.of("http", "https").contains(uri.getScheme())) {
                throw c.invalid(key, "not an http(s) URL: " + value);
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw c.invalid(key, "not a URL: " + value);
        }
    }
}
