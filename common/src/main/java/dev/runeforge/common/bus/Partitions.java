package dev.runeforge.common.bus;

import java.nio.charset.StandardCharsets;

/** Session -> partition by a stable hash (FNV-1a 32), identical in every service and every JVM. */
public final class Partitions {
    public static final int DEFAULT_COUNT = 64;

    private Partitions() {
    }

    public static int of(String session, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("partition count must be positive");
        }
        int hash = 0x811c9dc5;
        for (byte b : session.getBytes(StandardCharsets.UTF_8)) {
            hash ^= (b & 0xff);
            hash *= 0x01000193;
        }
        return Integer.remainderUnsigned(hash, count);
    }
}
