package dev.runeforge.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class JoinGuardTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void afterTheFreeMissesAPlayerWaitsForTheRefill() {
        JoinGuard guard = new JoinGuard(3, Duration.ofSeconds(60), 100);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, guard.waitNanos("p", "a", 0));
            guard.missed("p", "a", 0);
        }
        long wait = guard.waitNanos("p", "a", 0);
        assertEquals(60 * SECOND, wait);
        assertEquals(30 * SECOND, guard.waitNanos("p", "a", 30 * SECOND));
        assertEquals(0, guard.waitNanos("p", "a", 60 * SECOND));
    }

    @Test
    void missesCountPerAddressAcrossPlayersAndPerPlayerAcrossAddresses() {
        JoinGuard guard = new JoinGuard(2, Duration.ofSeconds(60), 100);
        guard.missed("p1", "a", 0);
        guard.missed("p2", "a", 0);
        assertTrue(guard.waitNanos("p3", "a", 0) > 0, "a new guest on the same address");
        guard.missed("q", "b1", 0);
        guard.missed("q", "b2", 0);
        assertTrue(guard.waitNanos("q", "b3", 0) > 0, "the same player on a new address");
        assertEquals(0, guard.waitNanos("r", "c", 0));
    }
}
