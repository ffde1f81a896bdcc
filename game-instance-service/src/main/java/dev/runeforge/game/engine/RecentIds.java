package dev.runeforge.game.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of a session's most recent applied actions, bounded to {@link #CAPACITY}: a repeated action (a retry,
 * a redelivery) is recognised here and changes nothing. The bound is far wider than any retry window.
 *
 * <p>A value, cheaply: {@link #with} shares one append-only log between a version and the next, so adding a key
 * costs O(1) instead of copying a thousand (the copy was measurable on every action). Each version sees only the
 * keys up to its own length; adding to a version that is not the newest (which the engine never does: a session
 * it folded past is dropped) copies, so every version stays what it was.
 */
public final class RecentIds {
    public static final int CAPACITY = 1024;
    /**
     * How long the shared log grows before it starts again with the newest {@link #CAPACITY}: every session keeps
     * one, so its length is heap per room (a quarter more than needed: a copy of 1,024 keys every 256 actions).
     */
    private static final int LOG_MAX = CAPACITY + CAPACITY / 4;

    /** Shared by the versions made from one another: key -> its position in {@code keys}. */
    private static final class Log {
        final List<String> keys = new ArrayList<>();
        final Map<String, Integer> positions = new HashMap<>();
    }

    private final Log log;
    private final int length;

    public RecentIds() {
        this(new Log(), 0);
    }

    private RecentIds(Log log, int length) {
        this.log = log;
        this.length = length;
    }

    public boolean contains(String id) {
        synchronized (log) {
            Integer at = log.positions.get(id);
            return at != null && at < length && at >= length - CAPACITY;
        }
    }

    /** This set with {@code id} added; this one is unchanged. */
    public RecentIds with(String id) {
        synchronized (log) {
            if (contains(id)) {
                return this;
            }
            if (log.keys.size() == length && length < LOG_MAX) {
                log.keys.add(id);
                log.positions.put(id, length);
                return new RecentIds(log, length + 1);
            }
        }
        // Not the newest version, or the shared log is long: start a fresh log with the newest keys.
        List<String> kept = new ArrayList<>(toList());
        kept.add(id);
        return of(kept);
    }

    /** Oldest first, at most {@link #CAPACITY}, as stored in snapshots. */
    public List<String> toList() {
        synchronized (log) {
            return List.copyOf(log.keys.subList(Math.max(0, length - CAPACITY), length));
        }
    }

    public static RecentIds of(List<String> ids) {
        Log log = new Log();
        int from = Math.max(0, ids.size() - CAPACITY);
        for (int i = from; i < ids.size(); i++) {
            String id = ids.get(i);
            if (!log.positions.containsKey(id)) {
                log.positions.put(id, log.keys.size());
                log.keys.add(id);
            }
        }
        return new RecentIds(log, log.keys.size());
    }

    public int size() {
        return Math.min(length, CAPACITY);
    }
}
