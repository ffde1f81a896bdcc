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
import dev.runeforge.common.auth.SignInRevoked;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.nats.client.Connection;
import io.nats.service.Group;
import io.nats.service.Service;

/** auth-service: issues and signs platform tokens and publishes the public keys (JWKS), all over NATS. */
public final class Main {
    public static final String SERVICE = "auth-service";

    private Main() {
    }

    public static void main(String[] args) {
        Logging.init(SERVICE);
        ServiceRuntime.main(SERVICE, () -> start(ServiceConfig.load()).shutdown());
    }

    /** Tokens are checked against a clock that may run a little apart from ours. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
    /**
     * Used only when {@code dev.mode=true} and no {@code auth.keys.secret} is set, so a local run keeps its keys
     * across restarts. It is public (it is in this file): never a production secret.
     */
    private static final String DEV_SECRET = "cnVuZS1mb3JnZS1kZXYtb25seS1rZXktc2VjcmV0ISE=";

    /**
     * The AES-256-GCM key that seals the signing keys at rest: {@code auth.keys.secret} (base64 of 32 bytes), or in
     * dev mode without one the public development secret ({@link AuthSettings#read} refuses neither outside it).
     */
    static SecretBox secretBox(AuthSettings.Keys keys) {
        if (keys.secret().isPresent()) {
            return SecretBox.fromBase64(keys.secret().get());
        }
        java.util.logging.Logger.getLogger(Main.class.getName()).warning(
                "auth.keys.secret is not set: sealing signing keys with the public development secret (dev.mode=true)");
        return SecretBox.fromBase64(DEV_SECRET);
    }

    /** The OIDC relying party when {@code auth.oidc.issuer} is set, else null (guest sign-in only). */
    static OidcRelyingParty oidc(AuthSettings settings, Connection nc, Subjects subjects, Clock clock) throws Exception {
        if (settings.oidc().isEmpty()) {
            return null;
        }
        AuthSettings.Oidc oidc = settings.oidc().get();
        var states = new LoginStates(nc, subjects.oidcStateBucket(), settings.runtime().replicas(), clock, oidc.stateTtl());
        return new OidcRelyingParty(oidc.relyingParty(), states, clock);
    }

    private static OidcRelyingParty enabled(OidcRelyingParty oidc) {
        if (oidc == null) {
            throw new dev.runeforge.common.bus.RpcException(dev.runeforge.common.protocol.ErrorCodes.OIDC_DISABLED,
                    "sign-in with an identity provider is not configured here");
        }
        return oidc;
    }

    public static ServiceRuntime.Running start(ServiceConfig config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(ServiceConfig)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(ServiceConfig config, Telemetry telemetry) throws Exception {
        AuthSettings settings = AuthSettings.read(config);
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, settings.runtime(), telemetry);
        Subjects subjects = rt.subjects();
        int replicas = settings.runtime().replicas();
        Duration accessTtl = settings.tokens().accessTtl();

        Connection nc = rt.nats();
        Clock clock = Clock.systemUTC();
        // A retired key stays published until every token it signed has expired (plus clock skew).
        Duration retention = accessTtl.plus(CLOCK_SKEW);
        KeyRing keys;
        try {
            KeyStore store = new KeyStore(nc, subjects.namespace(), secretBox(settings.keys()), replicas);
            keys = KeyRing.open(store, clock, retention);
        } catch (Exception | Error e) {
            nc.close();
            throw e;
        }
        KeyRotation rotation = new KeyRotation(keys, settings.keys().rotateEvery(), settings.keys().checkEvery());
        TokenIssuer tokens = new TokenIssuer(keys, settings.tokens().issuer(), settings.tokens().audience(), clock);
        RollSigner rolls = new RollSigner(keys);
        RefreshTokens refresh = new RefreshTokens(nc, subjects.refreshBucket(), replicas, clock,
                settings.refresh().ttl(), settings.refresh().maxLifetime(), settings.refresh().reuseLeeway());
        // A revoked sign-in (logout, refresh reuse) is told to every gateway: they close its sockets at once and
        // refuse its access tokens until the last of them has expired (clock skew included).
        refresh.onRevoked(signIn -> {
            long until = clock.instant().plus(accessTtl).plus(CLOCK_SKEW).getEpochSecond();
            nc.publish(subjects.authRevoked(), Json.bytes(new SignInRevoked(signIn, until)));
        });
        Counter issued = Counter.builder("rf_auth_tokens_issued_total").tag("kind", "guest")
                .description("Access tokens issued").register(rt.admin().registry());
        Counter refreshes = Counter.builder("rf_auth_tokens_issued_total").tag("kind", "refresh")
                .description("Access tokens issued").register(rt.admin().registry());

        io.micrometer.core.instrument.FunctionCounter.builder("rf_auth_refresh_reuse_total", refresh, RefreshTokens::reuses)
                .description("Spent refresh tokens presented again (each revoked its sign-in)")
                .register(rt.admin().registry());
        OidcRelyingParty oidc = oidc(settings, nc, subjects, clock);
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
                    return tokens.issue(player, name, owner.roles(), accessTtl, grant.signIn())
                            .withRefresh(grant.token(), grant.expiresAt());
                }),
                Rpc.blockingEndpoint(nc, group, "refresh", data -> {
                    var refreshed = refresh.rotate(Json.read(data, RefreshRequest.class).refreshToken());
                    var owner = refreshed.owner();
                    refreshes.increment();
                    return tokens.issue(owner.player(), owner.name(), owner.roles(), accessTtl, refreshed.grant().signIn())
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
                    return tokens.issue(owner.player(), owner.name(), owner.roles(), accessTtl, grant.signIn())
                            .withRefresh(grant.token(), grant.expiresAt());
                }),
                Rpc.blockingEndpoint(nc, group, "logout", data -> {
                    refresh.logout(Json.read(data, RefreshRequest.class).refreshToken());
                    return java.util.Map.of();
                }),
                Rpc.endpoint(nc, group, "jwks", data -> keys.publicJwks().toJSONObject(true)),
                // Permalinks: persistence-service, the only identity the bus lets publish here, sends a roll it
                // stored from the event log; the canonical bytes are made here, from the validated record, so this
                // endpoint cannot be used to sign anything else.
                Rpc.endpoint(nc, new Group(subjects.authSignGroup()), "roll",
                        data -> rolls.sign(Json.read(data, PublicRoll.class))),
                Rpc.blockingEndpoint(nc, new Group(subjects.authAdminGroup()), "rotate",
                        data -> KeyRotation.rotateNow(keys, clock)));
        // The endpoints' subscriptions reach the server before start returns: a caller that saw this replica start
        // (a restart in a test, a readiness probe) is never told "no service answers".
        nc.flush(Duration.ofSeconds(2));
        return rt.run(() -> {
            rotation.close();
            service.stop();
            keys.close();
        }, null);
    }

}
