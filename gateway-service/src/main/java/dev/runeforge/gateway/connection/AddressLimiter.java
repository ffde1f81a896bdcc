package dev.runeforge.gateway.connection;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per client address, for costly requests (creating rooms): {@code burst} at once, then
 * {@code perMinute}. Thread-safe. Bounded: past {@code maxAddresses} it forgets the buckets that have refilled,
 * which are indistinguishable from new ones, so an address rotation attack costs memory only up to the bound.
 */
public final class AddressLimiter {
    private final int burst;
    private final double perSecond;
    private final int maxAddresses;
    private final Map<String, RateLimiter> buckets = new ConcurrentHashMap<>();
    private volatile Runnable onRefusal = () -> { };

    public AddressLimiter(int burst, double perMinute, int maxAddresses) {
        if (burst < 1 || perMinute <= 0) {
            throw new IllegalArgumentException("a limit needs burst >= 1 and a positive rate");
        }
        this.burst = burst;
        this.perSecond = perMinute / 60.0;
        this.maxAddresses = maxAddresses;
    }

    /** Runs {@code onRefusal} (a metric) each time a request is refused; call before use. */
    public AddressLimiter onRefusal(Runnable onRefusal) {
        this.onRefusal = java.util.Objects.requireNonNull(onRefusal);
        return this;
    }

    /** Takes one token for {@code address}; false when it has none left. */
    public boolean tryAcquire(String address, long nowNanos) {
        if (buckets.size() >= maxAddresses) {
            forgetFull(nowNanos);
        }
        RateLimiter bucket = buckets.computeIfAbsent(address, a -> new RateLimiter(burst, perSecond, nowNanos));
        boolean granted;
        synchronized (bucket) {
            granted = bucket.tryAcquire(nowNanos);
        }
        if (!granted) {
            onRefusal.run();
        }
        return granted;
    }

    /** Seconds until {@code address} has a token again (at least 1). */
    public long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(1 / perSecond));
    }

    private void forgetFull(long nowNanos) {
        for (Iterator<RateLimiter> it = buckets.values().iterator(); it.hasNext(); ) {
            RateLimiter bucket = it.next();
            synchronized (bucket) {
                if (bucket.isFull(nowNanos)) {
                    it.remove();
                }
            }
        }
    }

    int size() {
        return buckets.size();
    }
}
