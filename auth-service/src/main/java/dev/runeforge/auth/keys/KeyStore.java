package dev.runeforge.auth.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import com.nimbusds.jose.jwk.ECKey;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;

/**
 * The signing keys at rest: one JetStream KV entry ({@code <ns>-authkeys}, key {@code ring}) holding the whole
 * {@link KeyState}, each private key sealed with AES-256-GCM ({@link SecretBox}, secret {@code auth.keys.secret}).
 * Writes are compare-and-set on the entry's revision, so replicas that rotate at the same time settle on one ring.
 */
public final class KeyStore {
    static final String ENTRY = "ring";
    /** JetStream's "wrong last sequence" (a stale revision or a create over an existing key). */
    static final int CONFLICT = 10071;

    private final KeyValue kv;
    private final SecretBox box;
    private final String namespace;

    public KeyStore(Connection nc, String namespace, SecretBox box, int replicas) throws IOException, JetStreamApiException {
        this.namespace = Objects.requireNonNull(namespace);
        this.box = Objects.requireNonNull(box);
        this.kv = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder()
                .name(bucket(namespace))
                .storageType(StorageType.File)
                .maxHistoryPerKey(1)
                .replicas(replicas)
                .build());
    }

    public static String bucket(String namespace) {
        return namespace + "-authkeys";
    }

    /** A stored state and the revision it was read at. */
    public record Versioned(KeyState state, long revision) {
    }

    /** The stored ring, or null when none was stored yet. */
    public Versioned read() throws IOException, JetStreamApiException {
        KeyValueEntry e = kv.get(ENTRY);
        if (e == null || e.getValue() == null) {
            return null;
        }
        return new Versioned(decode(e.getValue()), e.getRevision());
    }

    /** Stores the first ring; false when another replica stored one first. */
    public boolean create(KeyState state) throws IOException, JetStreamApiException {
        try {
            kv.create(ENTRY, encode(state));
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces the ring read at {@code revision}; false when it changed meanwhile. */
    public boolean replace(KeyState state, long revision) throws IOException, JetStreamApiException {
        try {
            kv.update(ENTRY, encode(state), revision);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    KeyValue kv() {
        return kv;
    }

    // --- the stored form: {"v":1,"next":{...},"current":{...},"retired":[...]}, each key {kid, sealed, times} ---

    /** Times in epoch milliseconds (null: not yet). */
    record StoredKey(String kid, String sealed, Long createdAt, Long activatedAt, Long publishUntil) {
    }

    record StoredRing(int v, StoredKey next, StoredKey current, List<StoredKey> retired) {
    }

    byte[] encode(KeyState state) {
        return Json.bytes(new StoredRing(1, seal(state.next()), seal(state.current()),
                state.retired().stream().map(this::seal).toList()));
    }

    KeyState decode(byte[] data) {
        StoredRing ring = Json.read(data, StoredRing.class);
        if (ring.v() != 1) {
            throw new IllegalStateException("stored signing keys have an unknown format version " + ring.v());
        }
        return new KeyState(open(ring.next()), open(ring.current()),
                ring.retired() == null ? List.of() : ring.retired().stream().map(this::open).toList());
    }

    private StoredKey seal(KeyState.Key key) {
        byte[] jwk = key.jwk().toJSONString().getBytes(StandardCharsets.UTF_8);
        return new StoredKey(key.kid(), Base64.getEncoder().encodeToString(box.seal(jwk, associated(key.kid()))),
                millis(key.createdAt()), millis(key.activatedAt()), millis(key.publishUntil()));
    }

    private KeyState.Key open(StoredKey stored) {
        byte[] jwk = box.open(Base64.getDecoder().decode(stored.sealed()), associated(stored.kid()));
        ECKey key;
        try {
            key = ECKey.parse(new String(jwk, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IllegalStateException("a stored signing key is not an EC JWK");
        }
        if (!stored.kid().equals(key.getKeyID())) {
            throw new IllegalStateException("a stored signing key's id does not match its slot");
        }
        return new KeyState.Key(key, instant(stored.createdAt()), instant(stored.activatedAt()),
                instant(stored.publishUntil()));
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private String associated(String kid) {
        return "rune-forge/" + namespace + "/signing-key/" + kid;
    }
}
