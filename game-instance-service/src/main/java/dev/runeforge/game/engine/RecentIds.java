package dev.runeforge.game.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The ids of the most recent applied actions of one session, bounded. A redelivered action is recognised here
 * and changes nothing. The bound is far wider than anything JetStream can still redeliver (an action is acked
 * right after its commit is stored).
 */
public final class RecentIds {
    public static final int CAPACITY = 1024;

    private final Deque<String> order = new ArrayDeque<>();
    private final Set<String> ids = new HashSet<>();

    public boolean contains(String id) {
        return ids.contains(id);
    }

    /** Returns a copy with {@code id} added (the live copy may be read while a new one is built). */
    public RecentIds with(String id) {
        RecentIds next = copy();
        next.add(id);
        return next;
    }

    void add(String id) {
        if (ids.add(id)) {
            order.addLast(id);
            if (order.size() > CAPACITY) {
                ids.remove(order.removeFirst());
            }
        }
    }

    private RecentIds copy() {
        RecentIds c = new RecentIds();
        c.order.addAll(order);
        c.ids.addAll(ids);
        return c;
    }

    /** Oldest first, as stored in snapshots. */
    public java.util.List<String> toList() {
        return java.util.List.copyOf(order);
    }

    public static RecentIds of(java.util.List<String> ids) {
        RecentIds r = new RecentIds();
        ids.forEach(r::add);
        return r;
    }

    public int size() {
        return ids.size();
    }
}
