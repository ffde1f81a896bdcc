package dev.runeforge.persistence.permalink;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Deletes expired permalinks every {@code interval} ({@code permalinks.cleanup.interval}). Reads already hide
 * expired rows, so the cleanup only reclaims space and a late or failed run shows nowhere; several replicas
 * running it at once delete the same rows harmlessly.
 */
public final class Cleanup implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Cleanup.class.getName());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("permalink-cleanup").daemon().factory());

    public Cleanup(PermalinkStore store, Duration interval, MeterRegistry registry) {
        Counter deleted = Counter.builder("rf_persistence_permalinks_expired_total")
                .description("Expired roll permalinks deleted").register(registry);
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = store.deleteExpired();
                deleted.increment(n);
                if (n > 0) {
                    LOG.info(() -> "deleted " + n + " expired roll permalinks");
                }
            } catch (Exception e) {
                LOG.warning(() -> "permalink cleanup failed (retried next run): " + e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
