package dev.runeforge.game.bus;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Whether this instance's heap is too full of rooms to take another: the old generation, as its last collection
 * left it (what is live, not what waits to be collected), holds more than {@code percent} of its maximum. Rooms
 * live in the heap (a busy dice room keeps 500 rolls), so an instance that took every new room would end up
 * collecting back to back and answering nobody; refusing new rooms {@code BUSY} keeps the ones it has playing
 * (docs/operations.md, Scaling). Asked once per new room; reading the pool's usage is a native call, no I/O.
 */
public final class HeapGuard implements BooleanSupplier {
    private final MemoryPoolMXBean pool;
    private final int percent;

    HeapGuard(MemoryPoolMXBean pool, int percent) {
        this.pool = pool;
        this.percent = percent;
    }

    /**
     * The guard of this JVM's old generation (the largest heap pool that reports usage after collection), or one
     * that never refuses when {@code percent} is 100 or more or the collector has no such pool.
     */
    public static BooleanSupplier of(int percent) {
        if (percent >= 100) {
            return () -> false;
        }
        return oldGeneration(ManagementFactory.getMemoryPoolMXBeans())
                .<BooleanSupplier>map(pool -> new HeapGuard(pool, percent))
                .orElse(() -> false);
    }

    static Optional<MemoryPoolMXBean> oldGeneration(List<MemoryPoolMXBean> pools) {
        return pools.stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
                .filter(p -> p.getUsage().getMax() > 0)
                .max(Comparator.comparingLong(p -> p.getUsage().getMax()));
    }

    @Override
    public boolean getAsBoolean() {
        MemoryUsage after = pool.getCollectionUsage();
        long max = pool.getUsage().getMax();
        return after != null && max > 0 && after.getUsed() * 100 > max * (long) percent;
    }
}
