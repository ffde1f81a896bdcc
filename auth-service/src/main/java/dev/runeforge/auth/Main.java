package dev.runeforge.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.runeforge.auth.guest.GuestNames;
import dev.runeforge.auth.keys.KeyRing;
import dev.runeforge.auth.keys.KeyRotation;
import dev.runeforge.auth.keys.KeyStore;
import dev.runeforge.auth.keys.SecretBox;
import dev.runeforge.auth.keys.RollSigner;
import dev.runeforge.auth.keys.TokenIssuer;
import dev.runeforge.auth.oidc.LoginStates;
import dev.runeforge.auth.oidc.OidcRelyingParty;
import dev.runeforge.auth.session.RefreshTokens;
import dev.runeforge.common.auth.OidcMessages;
import dev.runeforge.common.player.OidcProfile;
import dev.runeforge.common.auth.GuestRequest;
import dev.runeforge.common.auth.RefreshRequest;
import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import io.helidon.config.Config;
import io.micrometer.core.instrument.Counter;
import io.nats.client.Connection;
import io.nats.service.Group;
import io.nats.service.Service;

/** auth-service: issues and signs platform tokens and publishes the public keys (JWKS), all over NATS. */
public final class Main {
    public static final String SERVICE = "auth-service";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.init(SERVICE);
        start(ServiceConfig.load()).shutdown().onSignal();
    }

    /** Tokens are checked against a clock that may run a little apart from ours. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
    /**
     * Used only when {@code dev.mode=true} and no {@code auth.keys.secret} is set, so a local run keeps its keys
     * across restarts. It is public (it is in this file): never a production secret.
     */
    private static final String DEV_SECRET = "cnVuZS1mb3JnZS1kZXYtb25seS1rZXktc2VjcmV0ISE=";

    /** The AES-256-GCM key that seals the signing keys at rest: {@code auth.keys.secret} (base64 of 32 bytes). */
    static SecretBox secretBox(Config config) {
        var secret = config.get("auth.keys.secret").asString().filter(s -> !s.isBlank());
        if (secret.isPresent()) {
            return SecretBox.fromBase64(secret.get());
        }
        if (config.get("dev.mode").asBoolean().orElse(false)) {
            java.util.logging.Logger.getLogger(Main.class.getName()).warning(
                    "auth.keys.secret is not set: sealing signing keys with the public development secret (dev.mode=true)");
            return SecretBox.fromBase64(DEV_SECRET);
        }
        throw new IllegalStateException("auth.keys.secret is required (base64 of 32 random bytes, e.g. openssl rand -base64 32); "
                + "set dev.mode=true to use the public development secret");
    }

    /** The OIDC relying party when {@code auth.oidc.issuer} is set, else null (guest sign-in only). */
    static OidcRelyingParty oidc(Config config, Connection nc, Subjects subjects, Clock clock) throws Exception {
        var issuer = config.get("auth.oidc.issuer").asString().filter(s -> !s.isBlank());
        if (issuer.isEmpty()) {
            return null;
        }
        var settings = new OidcRelyingParty.Settings(java.net.URI.create(issuer.get()),
                config.get("auth.oidc.client-id").asString().orElseThrow(() -> new IllegalStateException("auth.oidc.client-id is required")),
                config.get("auth.oidc.client-secret").asString().orElse(""),
                java.net.URI.create(config.get("auth.oidc.redirect-uri").asString()
                        .orElseThrow(() -> new IllegalStateException("auth.oidc.redirect-uri is required"))),
                List.of(config.get("auth.oidc.scopes").asString().orElse("openid profile email").trim().split("[ ,]+")));
        var states = new LoginStates(nc, subjects.oidcStateBucket(), config.get("bus.replicas").asInt().orElse(1), clock,
                config.get("auth.oidc.state-ttl").as(Duration.class).orElse(Duration.ofMinutes(10)));
        return new OidcRelyingParty(settings, states, clock);
    }

    private static OidcRelyingParty enabled(OidcRelyingParty oidc) {
        if (oidc == null) {
            throw new dev.runeforge.common.bus.RpcException(dev.runeforge.common.protocol.ErrorCodes.OIDC_DISABLED,
                    "sign-in with an identity provider is not configured here");
        }
        return oidc;
    }

    public static ServiceRuntime.Running start(Config config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(Config)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(Config config, Telemetry telemetry) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, telemetry);
        Subjects subjects = rt.subjects();
        String issuer = config.get("auth.issuer").asString().orElse(TokenClaims.DEFAULT_ISSUER);
        String audience = config.get("auth.audience").asString().orElse(TokenClaims.DEFAULT_AUDIENCE);
        Duration accessTtl = config.get("auth.access.ttl").as(Duration.class).orElse(Duration.ofMinutes(15));

        Connection nc = rt.nats();
        Clock clock = Clock.systemUTC();
        // A retired key stays published until every token it signed has expired (plus clock skew).
        Duration retention = accessTtl.plus(CLOCK_SKEW);
        KeyRing keys;
        try {
            KeyStore store = new KeyStore(nc, subjects.namespace(), secretBox(config),
                    config.get("bus.replicas").asInt().orElse(1));
            keys = KeyRing.open(store, clock, retention);
        } catch (Exception | Error e) {
            nc.close();
            throw e;
        }
        KeyRotation rotation = new KeyRotation(keys,
                config.get("auth.keys.rotate-every").as(Duration.class).orElse(Duration.ofDays(30)),
                config.get("auth.keys.check-every").as(Duration.class).orElse(Duration.ofMinutes(1)));
        TokenIssuer tokens = new TokenIssuer(keys, issuer, audience, clock);
        RollSigner rolls = new RollSigner(keys);
        RefreshTokens refresh = new RefreshTokens(nc, subjects.refreshBucket(), config.get("bus.replicas").asInt().orElse(1),
                clock, config.get("auth.refresh.ttl").as(Duration.class).orElse(Duration.ofDays(14)),
                config.get("auth.refresh.max-lifetime").as(Duration.class).orElse(Duration.ofDays(90)),
                config.get("auth.refresh.reuse-leeway").as(Duration.class).orElse(Duration.ofSeconds(10)));
        Counter issued = Counter.builder("rf_auth_tokens_issued_total").tag("kind", "guest")
                .description("Access tokens issued").register(rt.admin().registry());
        Counter refreshes = Counter.builder("rf_auth_tokens_issued_total").tag("kind", "refresh")
                .description("Access tokens issued").register(rt.admin().registry());

        io.micrometer.core.instrument.FunctionCounter.builder("rf_auth_refresh_reuse_total", refresh, RefreshTokens::reuses)
                .description("Spent refresh tokens presented again (each revoked its sign-in)")
                .register(rt.admin().registry());
        OidcRelyingParty oidc = oidc(config, nc, subjects, clock);
        Counter oidcIssued = Counter.builder("rf_auth_tokens_issued_total").tag("kind", "oidc")
                .description("Access tokens issued").register(rt.admin().registry());

        Group group = new Group(subjects.authGroup());
        Group oidcGroup = new Group(subjects.authOidcGroup());
        Service service = rt.service("auth", "Rune Forge identities and tokens",
                Rpc.blockingEndpoint(nc, group, "guest", data -> {
                    String name = GuestNames.validate(Json.read(data, GuestRequest.class).name());
                    String player = "g-" + UUID.randomUUID().toString().replace("-", "");
                    var owner = new RefreshTokens.Owner(player, name, List.of("guest"));
                    var grant = refresh.start(owner);
                    issued.increment();
                    return tokens.issue(player, name, owner.roles(), accessTtl).withRefresh(grant.token(), grant.expiresAt());
                }),
                Rpc.blockingEndpoint(nc, group, "refresh", data -> {
                    var refreshed = refresh.rotate(Json.read(data, RefreshRequest.class).refreshToken());
                    var owner = refreshed.owner();
                    refreshes.increment();
                    return tokens.issue(owner.player(), owner.name(), owner.roles(), accessTtl)
                            .withRefresh(refreshed.grant().token(), refreshed.grant().expiresAt());
                }),
                Rpc.blockingEndpoint(nc, oidcGroup, "login", data -> {
                    var login = Json.read(data, OidcMessages.Login.class);
                    String guest = login.linkGuest();
                    if (guest == null && login.refreshToken() != null) {
                        guest = refresh.owner(login.refreshToken()).filter(o -> o.roles().contains("guest"))
                                .map(RefreshTokens.Owner::player).orElse(null);
                    }
                    return enabled(oidc).begin(guest);
                }),
                Rpc.blockingEndpoint(nc, oidcGroup, "callback", data -> {
                    var callback = Json.read(data, OidcMessages.Callback.class);
                    var finished = enabled(oidc).finish(callback.code(), callback.state());
                    var id = finished.identity();
                    OidcProfile.Player player = Rpc.request(nc, subjects.dbPlayerOidc(),
                            new OidcProfile(id.issuer(), id.subject(), id.name(), id.email(), finished.linkGuest()),
                            OidcProfile.Player.class, Duration.ofSeconds(5));
                    var owner = new RefreshTokens.Owner(player.id(), player.name(), List.of("player"));
                    var grant = refresh.start(owner);
                    oidcIssued.increment();
                    return tokens.issue(owner.player(), owner.name(), owner.roles(), accessTtl)
                            .withRefresh(grant.token(), grant.expiresAt());
                }),
                Rpc.blockingEndpoint(nc, group, "logout", data -> {
                    refresh.logout(Json.read(data, RefreshRequest.class).refreshToken());
                    return java.util.Map.of();
                }),
                Rpc.endpoint(nc, group, "jwks", data -> keys.publicJwks().toJSONObject(true)),
                // Permalinks: the caller sends a public roll; the canonical bytes are made here, from the
                // validated record, so this endpoint cannot be used to sign anything else.
                Rpc.endpoint(nc, new Group(subjects.authSignGroup()), "roll",
                        data -> rolls.sign(Json.read(data, PublicRoll.class))),
                Rpc.blockingEndpoint(nc, new Group(subjects.authAdminGroup()), "rotate",
                        data -> KeyRotation.rotateNow(keys, clock)));
        // The endpoints' subscriptions reach the server before start returns: a caller that saw this replica start
        // (a restart in a test, a readiness probe) is never told "no service answers".
        nc.flush(Duration.ofSeconds(2));
        return rt.run(9081, () -> {
            rotation.close();
            service.stop();
            keys.close();
        }, null);
    }

}
