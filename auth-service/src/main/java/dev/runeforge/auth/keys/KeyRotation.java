package dev.runeforge.auth.keys;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Scheduled rotation: every {@code checkEvery}, rotate when the current key has signed for {@code rotateEvery}.
 * Every replica checks; the compare-and-set in {@link KeyRing} makes them rotate once.
 */
public final class KeyRotation implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyRotation.class.getName());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "key-rotation");
        t.setDaemon(true);
        return t;
    });

    public KeyRotation(KeyRing ring, Duration rotateEvery, Duration checkEvery) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (ring.rotateIfDue(rotateEvery)) {
                    LOG.info("scheduled signing key rotation done");
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "scheduled signing key rotation failed, will retry: " + e.getMessage());
            }
        }, checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The reply of an on-demand rotation: which key signs now and which keys are published. */
    public record Rotated(String current, String next, List<String> published) {
        static Rotated of(KeyState s, java.time.Instant now) {
            return new Rotated(s.current().kid(), s.next().kid(),
                    s.publicJwks(now).getKeys().stream().map(k -> k.getKeyID()).toList());
        }
    }

    public static Rotated rotateNow(KeyRing ring, java.time.Clock clock) {
        try {
            return Rotated.of(ring.rotate(), clock.instant());
        } catch (java.io.IOException | io.nats.client.JetStreamApiException e) {
            throw new dev.runeforge.common.bus.RpcException(dev.runeforge.common.protocol.ErrorCodes.UNAVAILABLE,
                    "the key store did not answer");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
