package dev.runeforge.auth.keys;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatcher;

/**
 * The signing keys this process uses, kept in step with the {@link KeyStore}: loaded (or created) at start,
 * rotated by compare-and-set, and refreshed from a KV watch when another replica rotates. The private key never
 * leaves this class except to sign; {@link #publicJwks()} is what the world sees.
 */
public final class KeyRing implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyRing.class.getName());

    private final KeyStore store;
    private final Clock clock;
    private final Duration retention;
    private volatile KeyStore.Versioned state;
    private AutoCloseable watch;

    private KeyRing(KeyStore store, Clock clock, Duration retention, KeyStore.Versioned state) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
        this.state = state;
    }

    /**
     * Opens the stored ring, storing a fresh one if there is none. {@code retention}: how long a retired key stays
     * published, i.e. the longest access token lifetime plus clock skew.
     */
    public static KeyRing open(KeyStore store, Clock clock, Duration retention) throws IOException, JetStreamApiException {
        Objects.requireNonNull(store);
        KeyStore.Versioned stored = store.read();
        while (stored == null) {
            store.create(KeyState.fresh(clock.instant()));
            stored = store.read();
        }
        KeyRing ring = new KeyRing(store, clock, retention, stored);
        ring.watch = ring.watchStore();
        LOG.info(() -> "signing with key " + ring.state.state().current().kid());
        return ring;
    }

    private AutoCloseable watchStore() {
        try {
            var watcher = new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry entry) {
                    if (entry.getValue() == null || entry.getRevision() <= state.revision()) {
                        return;
                    }
                    try {
                        adopt(new KeyStore.Versioned(store.decode(entry.getValue()), entry.getRevision()));
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "ignored an unreadable signing key update: " + e.getMessage());
                    }
                }

                @Override
                public void endOfData() {
                }
            };
            // Not updates-only: the watch starts with the entry's latest value, so a rotation between our read and
            // the subscription is not missed (values at or below our revision are ignored).
            return store.kv().watch(KeyStore.ENTRY, watcher);
        } catch (IOException | JetStreamApiException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot watch the signing keys", e);
        }
    }

    private synchronized void adopt(KeyStore.Versioned newer) {
        if (newer.revision() > state.revision()) {
            String before = state.state().current().kid();
            state = newer;
            if (!before.equals(newer.state().current().kid())) {
                LOG.info(() -> "signing key rotated: now " + newer.state().current().kid() + ", previous " + before);
            }
        }
    }

    /** Rotates now, whatever the schedule says. Returns the new state. */
    public KeyState rotate() throws IOException, JetStreamApiException {
        return rotateIf(s -> true);
    }

    /** Rotates when the current key has signed for {@code every}; several replicas asking rotate once. */
    public boolean rotateIfDue(Duration every) throws IOException, JetStreamApiException {
        String before = state.state().current().kid();
        KeyState after = rotateIf(s -> s.rotationDue(clock.instant(), every));
        return !before.equals(after.current().kid());
    }

    private KeyState rotateIf(java.util.function.Predicate<KeyState> due) throws IOException, JetStreamApiException {
        for (int attempt = 0; attempt < 10; attempt++) {
            KeyStore.Versioned read = store.read();
            if (read == null) {
                // The ring was deleted (docs/operations.md, moving to a new secret): start a fresh one.
                store.create(KeyState.fresh(clock.instant()));
                continue;
            }
            if (!due.test(read.state())) {
                adopt(read);
                return read.state();
            }
            KeyState rotated = read.state().rotate(clock.instant(), retention);
            if (store.replace(rotated, read.revision())) {
                KeyStore.Versioned written = store.read();
                adopt(written);
                return written.state();
            }
        }
        throw new IllegalStateException("signing key rotation kept conflicting with other replicas");
    }

    public ECKey signingKey() {
        return state.state().current().jwk();
    }

    public KeyState state() {
        return state.state();
    }

    public JWKSet publicJwks() {
        return state.state().publicJwks(clock.instant());
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing the key watch", e);
            }
        }
    }
}
