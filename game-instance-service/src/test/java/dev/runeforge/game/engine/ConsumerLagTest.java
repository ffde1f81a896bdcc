package dev.runeforge.game.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Set<Integer> running = new TreeSet<>();
    private final Map<Integer, Long> pending = new HashMap<>();
    private final ConsumerLag lag = new ConsumerLag(() -> running, partition -> {
        Long n = pending.get(partition);
        if (n == null) {
            throw new IllegalStateException("no consumer for partition " + partition);
        }
        return n;
    }, registry);

    private Double pendingOf(int partition) {
        Gauge g = registry.find(ConsumerLag.NAME).tag("partition", Integer.toString(partition)).gauge();
        return g == null ? null : g.value();
    }

    @Test
    void eachRunningPartitionShowsItsPendingActions() {
        running.addAll(Set.of(3, 7));
        pending.putAll(Map.of(3, 12L, 7, 0L, 9, 50L));
        lag.sample();
        assertEquals(12.0, pendingOf(3));
        assertEquals(0.0, pendingOf(7));
        assertNull(pendingOf(9), "a partition this instance does not run is not its lag");
    }

    @Test
    void aPartitionHandedOverDropsOutAndTheNextSampleShowsNewCounts() {
        running.addAll(Set.of(3, 7));
        pending.putAll(Map.of(3, 12L, 7, 4L));
        lag.sample();
        running.remove(7);
        pending.put(3, 2L);
        lag.sample();
        assertEquals(2.0, pendingOf(3));
        assertNull(pendingOf(7));
    }

    @Test
    void aPartitionWhoseCountCannotBeReadIsLeftOutWithoutLosingTheOthers() {
        running.addAll(Set.of(1, 2));
        pending.put(2, 5L);
        lag.sample();
        assertNull(pendingOf(1));
        assertEquals(5.0, pendingOf(2));
    }
}
