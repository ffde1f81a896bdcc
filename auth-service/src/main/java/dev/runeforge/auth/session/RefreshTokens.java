package dev.runeforge.auth.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import dev.runeforge.common.auth.SignInRevoked;
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
 * Opaque refresh tokens in families, stored in JetStream KV ({@code <ns>-refresh}). A sign-in starts a family;
 * every refresh replaces its token (the family remembers only the SHA-256 of its one current token). Presenting
 * any other token of the family - one already rotated out, so someone else holds a copy - revokes the family
 * (except the token replaced last, for a few seconds: concurrent tabs),
 * and from then on its newest token fails too. Logout revokes the family. The store holds hashes only: reading
 * the bucket gives nobody a usable token.
 *
 * <p>Keys: {@code t.<sha256 hex>} → the family id; {@code f.<family>} → owner, current hash, expiry, revoked.
 * Family updates are compare-and-set on the entry's revision: of two refreshes racing with one token, one wins
 * and the other decides again on the updated family (within the leeway it is honoured, else it is reuse).
 */
public final class RefreshTokens {
    private static final Logger LOG = Logger.getLogger(RefreshTokens.class.getName());
    private static final int CONFLICT = 10071;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final KeyValue kv;
    private final Clock clock;
    private final Duration ttl;
    private final Duration maxLifetime;
    private final Duration reuseLeeway;
    private volatile java.util.function.Consumer<String> onRevoked = signIn -> { };
    private final java.util.concurrent.atomic.LongAdder reuses = new java.util.concurrent.atomic.LongAdder();

    /** Who a family belongs to: what a refreshed access token says. */
    public record Owner(String player, String name, List<String> roles) {
        public Owner {
            Objects.requireNonNull(player);
            Objects.requireNonNull(name);
            roles = List.copyOf(roles);
        }
    }

    /**
     * A new refresh token (give it to the client once, never log it), its expiry in epoch seconds, and the sign-in
     * it belongs to (the access tokens' {@code sid}).
     */
    public record Grant(String token, long expiresAt, String signIn) {
        @Override
        public String toString() {
            return "Grant[expiresAt=" + expiresAt + ", signIn=" + signIn + "]";
        }
    }

    public record Refreshed(Owner owner, Grant grant) {
    }

    /** {@code previous}: the hash of the token {@code current} replaced, at {@code rotatedAt} (epoch s). */
    record Family(String player, String name, List<String> roles, String current, long expiresAt, long notAfter,
                  boolean revoked, String previous, long rotatedAt) {
        Owner owner() {
            return new Owner(player, name, roles);
        }

        Family revoke() {
            return new Family(player, name, roles, current, expiresAt, notAfter, true, previous, rotatedAt);
        }
    }

    record TokenEntry(String family) {
    }

    /**
     * @param ttl         a refresh token's life (each refresh starts a new one)
     * @param maxLifetime a family's absolute life: past it, sign in again
     * @param reuseLeeway how long the token replaced last still refreshes (concurrent tabs); zero: never
     */
    public RefreshTokens(Connection nc, String bucket, int replicas, Clock clock, Duration ttl, Duration maxLifetime,
                         Duration reuseLeeway) throws IOException, JetStreamApiException {
        this.reuseLeeway = Objects.requireNonNull(reuseLeeway);
        this.clock = Objects.requireNonNull(clock);
        this.ttl = Objects.requireNonNull(ttl);
        this.maxLifetime = Objects.requireNonNull(maxLifetime);
        this.kv = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder()
                .name(bucket)
                .storageType(StorageType.File)
                .maxHistoryPerKey(1)
                // Everything of a family is useless after its absolute life; JetStream drops it then.
                .ttl(maxLifetime.plus(Duration.ofDays(1)))
                .replicas(replicas)
                .build());
    }

    /** How many times a spent token was presented (each revoked its family): a sign of stolen tokens. */
    /** Told the {@code sid} of every sign-in this store revokes (auth-service publishes it to the gateways). */
    public void onRevoked(java.util.function.Consumer<String> listener) {
        this.onRevoked = Objects.requireNonNull(listener);
    }

    public long reuses() {
        return reuses.sum();
    }

    /** Starts a family for a fresh sign-in. */
    public Grant start(Owner owner) {
        long now = clock.instant().getEpochSecond();
        String token = newToken();
        String family = "f" + newId();
        long notAfter = now + maxLifetime.toSeconds();
        long expires = Math.min(now + ttl.toSeconds(), notAfter);
        try {
            kv.create(tokenKey(hash(token)), Json.bytes(new TokenEntry(family)));
            kv.create(familyKey(family), Json.bytes(new Family(owner.player(), owner.name(), owner.roles(), hash(token),
                    expires, notAfter, false, null, 0)));
        } catch (IOException | JetStreamApiException e) {
            throw unavailable();
        }
        return new Grant(token, expires, SignInRevoked.signIn(family));
    }

    /**
     * Replaces {@code token} by a new one of the same family, or fails UNAUTHORIZED (revoking on reuse). The token
     * the family replaced last is still honoured for {@code reuseLeeway} after that replacement: two tabs of one
     * browser refreshing at the same moment with the same cookie are not a theft (the browser keeps whichever new
     * cookie arrives last; the other new token is never presented, and if it ever is, it is reuse).
     */
    public Refreshed rotate(String token) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Lookup found = lookup(token);
            Family f = found.family();
            long now = clock.instant().getEpochSecond();
            if (f.revoked()) {
                throw refused("signed out: sign in again");
            }
            boolean current = f.current().equals(found.hash());
            boolean graced = !current && found.hash().equals(f.previous()) && now - f.rotatedAt() < reuseLeeway.toSeconds();
            if (!current && !graced) {
                reuses.increment();
                revoke(found.familyId());
                LOG.warning(() -> "refresh token reuse: family of player " + f.player() + " revoked");
                throw refused("this refresh token was already used: every session of this sign-in is now signed out");
            }
            if (now >= f.expiresAt()) {
                throw refused("the session expired: sign in again");
            }
            String next = newToken();
            long expires = Math.min(now + ttl.toSeconds(), f.notAfter());
            // A graced use keeps the window where it was: it cannot be stretched by using it again and again.
            Family after = current
                    ? new Family(f.player(), f.name(), f.roles(), hash(next), expires, f.notAfter(), false, found.hash(), now)
                    : new Family(f.player(), f.name(), f.roles(), hash(next), expires, f.notAfter(), false, f.previous(), f.rotatedAt());
            try {
                kv.create(tokenKey(hash(next)), Json.bytes(new TokenEntry(found.familyId())));
                kv.update(familyKey(found.familyId()), Json.bytes(after), found.revision());
                return new Refreshed(f.owner(), new Grant(next, expires, SignInRevoked.signIn(found.familyId())));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != CONFLICT) {
                    throw unavailable();
                }
                // Another refresh of this family landed first: decide again on the family as it is now.
            } catch (IOException e) {
                throw unavailable();
            }
        }
        throw unavailable();
    }

    /**
     * The owner of {@code token} if it is its family's live, current token; empty otherwise. Spends nothing and
     * revokes nothing (a look-up for account linking, not a refresh).
     */
    public java.util.Optional<Owner> owner(String token) {
        try {
            Lookup found = lookup(token);
            Family f = found.family();
            boolean live = !f.revoked() && f.current().equals(found.hash())
                    && clock.instant().getEpochSecond() < f.expiresAt();
            return live ? java.util.Optional.of(f.owner()) : java.util.Optional.empty();
        } catch (RpcException e) {
            if (ErrorCodes.UNAUTHORIZED.equals(e.code())) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    /** Logout: revokes the family of {@code token}; unknown tokens are ignored (logging out twice is fine). */
    public void logout(String token) {
        if (token == null || !FORMAT.matcher(token).matches()) {
            return;
        }
        try {
            KeyValueEntry t = kv.get(tokenKey(hash(token)));
            if (t != null && t.getValue() != null) {
                revoke(Json.read(t.getValue(), TokenEntry.class).family());
            }
        } catch (IOException | JetStreamApiException e) {
            throw unavailable();
        }
    }

    private record Lookup(String hash, String familyId, Family family, long revision) {
    }

    private Lookup lookup(String token) {
        if (token == null || !FORMAT.matcher(token).matches()) {
            throw refused("not a refresh token");
        }
        String h = hash(token);
        try {
            KeyValueEntry t = kv.get(tokenKey(h));
            if (t == null || t.getValue() == null) {
                throw refused("unknown or expired refresh token");
            }
            String familyId = Json.read(t.getValue(), TokenEntry.class).family();
            KeyValueEntry f = kv.get(familyKey(familyId));
            if (f == null || f.getValue() == null) {
                throw refused("unknown or expired refresh token");
            }
            return new Lookup(h, familyId, Json.read(f.getValue(), Family.class), f.getRevision());
        } catch (IOException | JetStreamApiException e) {
            throw unavailable();
        }
    }

    private void revoke(String familyId) {
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                KeyValueEntry e = kv.get(familyKey(familyId));
                if (e == null || e.getValue() == null) {
                    return;
                }
                Family f = Json.read(e.getValue(), Family.class);
                if (f.revoked()) {
                    return;
                }
                try {
                    kv.update(familyKey(familyId), Json.bytes(f.revoke()), e.getRevision());
                    onRevoked.accept(SignInRevoked.signIn(familyId));
                    return;
                } catch (JetStreamApiException conflict) {
                    if (conflict.getApiErrorCode() != CONFLICT) {
                        throw conflict;
                    }
                }
            }
            throw unavailable();
        } catch (IOException | JetStreamApiException e) {
            throw unavailable();
        }
    }

    private static RpcException refused(String message) {
        return new RpcException(ErrorCodes.UNAUTHORIZED, message);
    }

    private static RpcException unavailable() {
        return new RpcException(ErrorCodes.UNAVAILABLE, "the session store did not answer");
    }

    private static String tokenKey(String hash) {
        return "t." + hash;
    }

    private static String familyKey(String family) {
        return "f." + family;
    }

    /** 256 random bits, base64url (43 characters). */
    private static String newToken() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static String newId() {
        byte[] raw = new byte[16];
        RANDOM.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
