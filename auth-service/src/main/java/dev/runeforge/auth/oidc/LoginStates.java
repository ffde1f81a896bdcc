package dev.runeforge.auth.oidc;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;

/**
 * Sign-ins in progress, server-side in JetStream KV ({@code <ns>-oidcstate}, entries live {@code ttl}): state →
 * PKCE verifier, nonce and the guest to link. Any auth replica can finish a sign-in another one began; a state
 * is used at most once.
 */
public final class LoginStates {
    private static final Pattern STATE = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    record Pending(String verifier, String nonce, String linkGuest, long createdAtMillis) {
        @Override
        public String toString() {
            return "Pending[linkGuest=" + linkGuest + "]";
        }
    }

    private final KeyValue kv;
    private final Clock clock;
    private final Duration ttl;

    public LoginStates(Connection nc, String bucket, int replicas, Clock clock, Duration ttl)
            throws IOException, JetStreamApiException {
        this.clock = Objects.requireNonNull(clock);
        this.ttl = Objects.requireNonNull(ttl);
        this.kv = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder()
                .name(bucket)
                .storageType(StorageType.File)
                .maxHistoryPerKey(1)
                .ttl(ttl)
                .replicas(replicas)
                .build());
    }

    void put(String state, Pending pending) {
        try {
            kv.create("s." + state, Json.bytes(pending));
        } catch (IOException | JetStreamApiException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "sign-in is unavailable right now; try again shortly");
        }
    }

    /** The pending sign-in of {@code state}, removed so it cannot be used twice; empty when unknown or expired. */
    Optional<Pending> take(String state) {
        if (!STATE.matcher(state).matches()) {
            return Optional.empty();
        }
        try {
            KeyValueEntry e = kv.get("s." + state);
            if (e == null || e.getValue() == null) {
                return Optional.empty();
            }
            // Delete only the revision read: of two callbacks racing with one state, one wins.
            kv.delete("s." + state, e.getRevision());
            Pending p = Json.read(e.getValue(), Pending.class);
            if (clock.millis() - p.createdAtMillis() > ttl.toMillis()) {
                return Optional.empty();
            }
            return Optional.of(p);
        } catch (JetStreamApiException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "sign-in is unavailable right now; try again shortly");
        }
    }
}
