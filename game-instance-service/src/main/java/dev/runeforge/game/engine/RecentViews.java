package dev.runeforge.game.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The views of a session's last commits, as they were sent (serialized), so that a player who missed some of
 * them (a reconnect, a view lost on the way, a takeover) gets exactly those events again instead of a fresh view,
 * and a new owner can send again what a dead one may not have sent. Bounded to the last {@code capacity}
 * commits. Not thread-safe: it belongs to the session's worker.
 */
public final class RecentViews {
    /** One message as sent: for {@code player}, or for everyone in the session when {@code player} is null. */
    public record View(String player, long seq, byte[] json) {
    }

    private record Entry(long firstSeq, long lastSeq, List<View> views) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int capacity;

    public RecentViews(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0");
        }
        this.capacity = capacity;
    }

    /** Remembers the events {@code firstSeq..lastSeq} of one commit, as sent. */
    public void add(long firstSeq, long lastSeq, List<View> views) {
        if (capacity == 0) {
            return;
        }
        if (!entries.isEmpty() && entries.peekLast().lastSeq() + 1 != firstSeq) {
            entries.clear(); // not contiguous with what we hold: start again from here
        }
        entries.addLast(new Entry(firstSeq, lastSeq, List.copyOf(views)));
        while (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    /**
     * The events after {@code after} up to {@code current} that {@code player} was sent, in order; null when some
     * of them are no longer here, or {@code after} is beyond {@code current} (the caller then sends a fresh view).
     */
    public List<View> since(long after, long current, String player) {
        if (after == current) {
            return List.of();
        }
        if (after > current) {
            return null; // the client claims events that do not exist: only a fresh view can set it right
        }
        if (entries.isEmpty() || entries.peekFirst().firstSeq() > after + 1 || entries.peekLast().lastSeq() != current) {
            return null;
        }
        List<View> missed = new ArrayList<>();
        for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.lastSeq() <= after) {
                break;
            }
            for (int i = e.views().size() - 1; i >= 0; i--) {
                View v = e.views().get(i);
                if (v.seq() > after && (v.player() == null || v.player().equals(player))) {
                    missed.add(v);
                }
            }
        }
        java.util.Collections.reverse(missed);
        return missed;
    }

    /** The views of the newest commit held, or an empty list. */
    public List<View> newest() {
        return entries.isEmpty() ? List.of() : entries.peekLast().views();
    }

    public int size() {
        return entries.size();
    }
}
