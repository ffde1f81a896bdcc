package dev.runeforge.game.bus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/** {@link HeapGuard} on this very JVM's heap (no stand-in pool). */
class HeapGuardTest {
    @Test
    void findsTheOldGenerationOfThisJvm() {
        assertTrue(HeapGuard.oldGeneration(ManagementFactory.getMemoryPoolMXBeans()).isPresent());
    }

    @Test
    void aLiveHeapIsOverNoneOfItAndUnderAllOfIt() {
        System.gc(); // the old generation's usage after a collection is what the guard reads
        assertTrue(HeapGuard.of(0).getAsBoolean(), "something is live after a collection");
        assertFalse(HeapGuard.of(99).getAsBoolean(), "a test JVM is far from full");
        assertFalse(HeapGuard.of(100).getAsBoolean(), "100: never refuses");
    }
}
