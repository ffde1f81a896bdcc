package dev.runeforge.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.runeforge.auth.guest.GuestNames;
import dev.runeforge.auth.keys.KeyRing;
import dev.runeforge.auth.keys.RollSigner;
import dev.runeforge.auth.keys.TokenIssuer;
import dev.runeforge.common.auth.GuestRequest;
import dev.runeforge.common.auth.TokenClaims;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.service.ServiceRuntime;
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

    public static ServiceRuntime.Running start(Config config) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config);
        Subjects subjects = rt.subjects();
        String issuer = config.get("auth.issuer").asString().orElse(TokenClaims.DEFAULT_ISSUER);
        String audience = config.get("auth.audience").asString().orElse(TokenClaims.DEFAULT_AUDIENCE);
        Duration guestTtl = config.get("auth.guest.ttl").as(Duration.class).orElse(Duration.ofHours(8));

        Connection nc = rt.nats();
        KeyRing keys = KeyRing.generate();
        TokenIssuer tokens = new TokenIssuer(keys, issuer, audience, Clock.systemUTC());
        RollSigner rolls = new RollSigner(keys);
        Counter issued = Counter.builder("rf_auth_tokens_issued_total").tag("kind", "guest")
                .description("Access tokens issued").register(rt.admin().registry());

        Group group = new Group(subjects.authGroup());
        Service service = rt.service("auth", "Rune Forge identities and tokens",
                Rpc.endpoint(nc, group, "guest", data -> {
                    String name = GuestNames.validate(Json.read(data, GuestRequest.class).name());
                    String player = "g-" + UUID.randomUUID().toString().replace("-", "");
                    var token = tokens.issue(player, name, List.of("guest"), guestTtl);
                    issued.increment();
                    return token;
                }),
                Rpc.endpoint(nc, group, "jwks", data -> keys.publicJwks().toJSONObject(true)),
                // Permalinks: the caller sends a public roll; the canonical bytes are made here, from the
                // validated record, so this endpoint cannot be used to sign anything else.
                Rpc.endpoint(nc, new Group(subjects.authSignGroup()), "roll",
                        data -> rolls.sign(Json.read(data, PublicRoll.class))));
        return rt.run(9081, service::stop, null);
    }

}
