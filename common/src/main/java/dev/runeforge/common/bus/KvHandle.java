package dev.runeforge.common.bus;

import java.io.IOException;
import java.util.Objects;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;

/**
 * A KV bucket opened once, on first use or at once. A reader that may not create a bucket (the gateway: only game
 * instances and media-token-service create them) opens it when first asked, and finds nothing until it exists.
 */
final class KvHandle {
    private final Connection nc;
    private final String bucket;
    private volatile KeyValue kv;

    private KvHandle(Connection nc, String bucket, KeyValue kv) {
        this.nc = nc;
        this.bucket = bucket;
        this.kv = kv;
    }

    /** Opened when first used. */
    static KvHandle lazy(Connection nc, String bucket) {
        return new KvHandle(Objects.requireNonNull(nc), Objects.requireNonNull(bucket), null);
    }

    /** Already open. */
    static KvHandle of(KeyValue kv) {
        return new KvHandle(null, null, Objects.requireNonNull(kv));
    }

    String name() {
        return kv != null ? kv.getBucketName() : bucket;
    }

    /** The bucket, or null when it does not exist (yet). */
    KeyValue openIfExists() throws IOException {
        KeyValue open = kv;
        if (open != null) {
            return open;
        }
        try {
            open = nc.keyValue(bucket);
        } catch (IOException e) {
            // jnats looks the bucket up here and wraps the server's answer.
            if (e.getCause() instanceof JetStreamApiException api && api.getApiErrorCode() == NatsClients.NO_STREAM) {
                return null;
            }
            throw e;
        }
        kv = open;
        return open;
    }

    /** The bucket; an {@link IOException} when it does not exist. */
    KeyValue open() throws IOException {
        KeyValue open = openIfExists();
        if (open == null) {
            throw new IOException("KV bucket " + bucket + " does not exist");
        }
        return open;
    }

    /** The bucket if it is open already, else null (no I/O). */
    KeyValue ifOpen() {
        return kv;
    }
}
