package dev.runeforge.gateway.connection;

/** A token bucket: {@code burst} messages at once, refilled at {@code perSecond}. Not thread-safe by itself. */
final class RateLimiter {
    private final double burst;
    private final double perNano;
    private double tokens;
    private long last;

    RateLimiter(int burst, double perSecond, long nowNanos) {
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.tokens = burst;
        this.last = nowNanos;
    }

    boolean tryAcquire(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether it is back to its burst: then it is the same as a new one. */
    boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst;
    }

    private void refill(long nowNanos) {
        tokens = Math.min(burst, tokens + Math.max(0, nowNanos - last) * perNano);
        last = Math.max(last, nowNanos);
    }
}
