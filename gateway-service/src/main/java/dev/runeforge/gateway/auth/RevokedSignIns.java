package dev.runeforge.gateway.auth;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.auth.SignInRevoked;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;

/**
 * Sign-ins auth-service revoked ({@code <ns>.auth.revoked}: a logout, a refresh token presented twice), each kept
 * until its last access token has expired: the token check refuses them (REST and new sockets), and
 * {@code onRevoked} closes the sign-in's live sockets within moments. A gateway that was disconnected from NATS
 * when a revocation was published misses it; the access token then lives out its short life (15 min by default),
 * as it did before revocations were published.
 */
public final class RevokedSignIns implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RevokedSignIns.class.getName());
    private final Map<String, Long> until = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Consumer<String> onRevoked;
    private final Connection nc;
    private final Dispatcher dispatcher;

    public RevokedSignIns(Connection nc, Subjects subjects, Clock clock, Consumer<String> onRevoked) {
        this.nc = nc;
        this.clock = clock;
        this.onRevoked = onRevoked;
        this.dispatcher = nc.createDispatcher(msg -> {
            try {
                revoked(Json.read(msg.getData(), SignInRevoked.class));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "unreadable revocation ignored: " + e.getMessage());
            }
        });
        dispatcher.subscribe(subjects.authRevoked());
    }

    void revoked(SignInRevoked r) {
        long now = clock.instant().getEpochSecond();
        until.values().removeIf(t -> t < now); // bounded by the sign-ins revoked within one token lifetime
        if (r.until() >= now) {
            until.put(r.signIn(), r.until());
        }
        onRevoked.accept(r.signIn());
    }

    public boolean isRevoked(String signIn) {
        Long t = until.get(signIn);
        return t != null && t >= clock.instant().getEpochSecond();
    }

    @Override
    public void close() {
        nc.closeDispatcher(dispatcher);
    }
}
