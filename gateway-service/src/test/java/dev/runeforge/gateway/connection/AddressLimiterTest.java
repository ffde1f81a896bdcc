package dev.runeforge.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class AddressLimiterTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    @Test
    void eachAddressHasItsOwnBurstThenItsRate() {
        AddressLimiter limiter = new AddressLimiter(2, 1, 100);
        long t = 1_000;
        assertTrue(limiter.tryAcquire("10.0.0.1", t));
        assertTrue(limiter.tryAcquire("10.0.0.1", t));
        assertFalse(limiter.tryAcquire("10.0.0.1", t), "burst spent");
        assertTrue(limiter.tryAcquire("10.0.0.2", t), "another address is not affected");
        assertFalse(limiter.tryAcquire("10.0.0.1", t + MINUTE / 2), "half a token back");
        assertTrue(limiter.tryAcquire("10.0.0.1", t + MINUTE), "one per minute");
        assertEquals(60, limiter.retryAfterSeconds());
    }

    @Test
    void pastItsBoundItForgetsOnlyAddressesThatAreBackToFull() {
        AddressLimiter limiter = new AddressLimiter(1, 1, 2);
        long t = 1_000;
        assertTrue(limiter.tryAcquire("a", t));
        assertTrue(limiter.tryAcquire("b", t + MINUTE));
        // "a" has refilled by now, "b" has not: making room for "c" drops "a" only.
        assertTrue(limiter.tryAcquire("c", t + MINUTE + 1));
        assertEquals(2, limiter.size());
        assertFalse(limiter.tryAcquire("b", t + MINUTE + 2), "b is still limited");
    }

    @Test
    void eachRefusalIsCountedInTheRateLimitMetricUnderItsLimit() {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        AddressLimiter limiter = new AddressLimiter(1, 1, 10).onRefusal(() -> metrics.rateLimited(GatewayMetrics.SIGNIN));
        assertTrue(limiter.tryAcquire("a", 0));
        assertFalse(limiter.tryAcquire("a", 0));
        assertFalse(limiter.tryAcquire("a", 0));
        assertEquals(2.0, registry.get("rf_gateway_rate_limited_total").tag("limit", "signin").counter().count());
        assertEquals(0.0, registry.get("rf_gateway_rate_limited_total").tag("limit", "rooms").counter().count());
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AddressLimiter(0, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new AddressLimiter(1, 0, 10));
    }
}
