package dev.runeforge.gateway.connection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many sockets one player and one client address (an IPv6 /64) may hold open at once
 * ({@code gateway.connections.per.player}, {@code gateway.connections.per.address}). A player with a few tabs and a
 * household or a school behind one address fit; one guest opening 500 sockets does not (issue 16 opened 500 from one
 * address on one token). Thread-safe; a key whose count drops to 0 is forgotten.
 */
public final class ConnectionCaps {
    private final int perPlayer;
    private final int perAddress;
    private final Map<String, Integer> players = new ConcurrentHashMap<>();
    private final Map<String, Integer> addresses = new ConcurrentHashMap<>();

    public ConnectionCaps(int perPlayer, int perAddress) {
        if (perPlayer < 1 || perAddress < 1) {
            throw new IllegalArgumentException("connection caps must be at least 1");
        }
        this.perPlayer = perPlayer;
        this.perAddress = perAddress;
    }

    /** Whether one more socket would pass both caps now (the upgrade's check; {@link #open} decides). */
    public boolean room(String player, String address) {
        return players.getOrDefault(player, 0) < perPlayer && addresses.getOrDefault(address, 0) < perAddress;
    }

    /** Counts one socket in; false (and nothing counted) when either cap is reached. */
    public synchronized boolean open(String player, String address) {
        if (!room(player, address)) {
            return false;
        }
        players.merge(player, 1, Integer::sum);
        addresses.merge(address, 1, Integer::sum);
        return true;
    }

    /** Counts one socket out (one that {@link #open} let in). */
    public synchronized void closed(String player, String address) {
        players.computeIfPresent(player, (k, n) -> n <= 1 ? null : n - 1);
        addresses.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
    }

    public int perPlayer() {
        return perPlayer;
    }

    public int perAddress() {
        return perAddress;
    }
}
