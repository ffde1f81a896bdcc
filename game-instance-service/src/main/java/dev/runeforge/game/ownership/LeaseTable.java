package dev.runeforge.game.ownership;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * What an instance knows of the lease bucket: partition -> owner and revision. The lease watch is its authority
 * (it delivers every change in order); a read of the bucket only corrects an entry the watch has not changed
 * since the reader looked at it, and never removes one. A read is older than it seems: written over a delete or a
 * create the watch delivered meanwhile, it would show a free partition as held by a live instance (so nobody takes
 * it), or a held one as free. Thread-safe: the watch's thread and the balancer both use it.
 */
final class LeaseTable {
    /** One lease as seen: its owner's instance id and the bucket's revision of it. */
    record Lease(String owner, long revision) {
    }

    private final Map<Integer, Lease> leases = new ConcurrentHashMap<>();

    Lease get(int partition) {
        return leases.get(partition);
    }

    Collection<Lease> values() {
        return leases.values();
    }

    void forEach(BiConsumer<Integer, Lease> action) {
        leases.forEach(action);
    }

    /** The watch brought a change: {@code owner} holds it at {@code revision}, or it was deleted (owner null). */
    void watched(int partition, String owner, long revision) {
        if (owner == null) {
            leases.remove(partition);
        } else {
            leases.put(partition, new Lease(owner, revision));
        }
    }

    /**
     * Whether {@code owner}'s lease on {@code partition}, created at {@code revision}, still stands as far as the
     * watch knows: the table shows it, or nothing newer yet (the watch has not brought the create; whatever comes
     * after it, a delete or another owner, is still on its way and ends it then).
     */
    boolean stillHeld(int partition, String owner, long revision) {
        Lease held = leases.get(partition);
        return held == null || held.revision() < revision
                || (held.owner().equals(owner) && held.revision() == revision);
    }

    /**
     * A read of the bucket, made after {@code seen} was looked up here, says {@code owner} holds the partition at
     * {@code revision}. Taken only if the table still holds {@code seen} and the read is newer than it; otherwise
     * the watch has brought something at least as new, or will. There is no "learned it is free": only the watch
     * removes an entry. A read may come from a replica still catching up, and an entry removed on its word, while
     * the lease is really still there, would never come back (no later change of the key brings it).
     */
    void learned(int partition, Lease seen, String owner, long revision) {
        Objects.requireNonNull(owner);
        if (seen != null && revision > seen.revision()) {
            leases.replace(partition, seen, new Lease(owner, revision));
        }
    }
}
